// FoodBridge's service worker: for a slow or lost connection.
// - The site's files under /pkg/<version>/ never change: taken from this cache when there,
//   else fetched and kept (older versions are dropped).
// - Pages come from the network whenever it answers. The last copy of the home page, each browse
//   page and each listing's page seen is kept; without a connection that copy is shown with a
//   note saying so and when it was taken, and the page reloads itself when the connection
//   comes back.
// - Nothing is ever queued: a claim (like every POST) goes to the server or fails at once.
// - Logging out forgets the kept pages (a phone may be shared).
const FILES = 'foodbridge-files-v1';
const PAGES = 'foodbridge-pages-v1';
const MAX_PAGES = 30;
const KEPT_PAGE = /^\/(browse|listings\/\d+)?$/;

self.addEventListener('install', () => self.skipWaiting());

self.addEventListener('activate', (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((keys) => Promise.all(keys.filter((k) => k !== FILES && k !== PAGES).map((k) => caches.delete(k))))
      .then(() => self.clients.claim()),
  );
});

self.addEventListener('fetch', (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.method !== 'GET') {
    if (url.pathname === '/api/logout') event.waitUntil(caches.delete(PAGES));
    return;
  }
  if (/^\/pkg\/[0-9a-f]{16}\//.test(url.pathname)) {
    event.respondWith(siteFile(event, url));
  } else if (request.mode === 'navigate') {
    event.respondWith(page(event, url));
  }
});

// Both answer as soon as the network does (the browser streams the page, compiles the WASM as
// it arrives) and keep their copy in the background.
async function siteFile(event, url) {
  const cache = await caches.open(FILES);
  const kept = await cache.match(event.request);
  if (kept) return kept;
  const response = await fetch(event.request);
  if (response.ok) event.waitUntil(keepFile(cache, event.request, url, response.clone()));
  return response;
}

async function keepFile(cache, request, url, response) {
  const name = url.pathname.split('/').pop();
  for (const old of await cache.keys()) {
    if (new URL(old.url).pathname.split('/').pop() === name) await cache.delete(old);
  }
  await cache.put(request, response);
}

async function page(event, url) {
  const key = url.pathname + url.search;
  try {
    const response = await fetch(event.request);
    if (response.ok && KEPT_PAGE.test(url.pathname)) event.waitUntil(keep(key, response.clone()));
    return response;
  } catch (offline) {
    const kept = await (await caches.open(PAGES)).match(key);
    return kept ? withOfflineNote(kept) : offlinePage();
  }
}

async function keep(key, response) {
  const headers = new Headers(response.headers);
  headers.set('x-kept-at', new Date().toISOString());
  // The body read here is already decoded.
  headers.delete('content-encoding');
  headers.delete('content-length');
  const body = await response.arrayBuffer();
  const cache = await caches.open(PAGES);
  await cache.delete(key);
  await cache.put(key, new Response(body, { status: response.status, headers }));
  const keys = await cache.keys();
  for (const old of keys.slice(0, Math.max(0, keys.length - MAX_PAGES))) await cache.delete(old);
}

const WORDS = {
  en: { offline: 'Offline', kept: 'last updated at', page: 'You are offline. FoodBridge will load when the connection comes back.' },
  fr: { offline: 'Hors ligne', kept: 'dernière mise à jour à', page: 'Vous êtes hors ligne. FoodBridge se chargera au retour de la connexion.' },
};

// Reloads the page when the connection comes back: when the browser says so, or when the
// server answers again (a phone can keep its signal and still reach nothing, so `online` may
// never come). Asks every few seconds; a failed request costs nothing without a connection.
const RELOAD =
  '<script>(() => {' +
  "const back = () => location.reload();" +
  "addEventListener('online', back);" +
  "const ask = () => fetch('/healthz', { cache: 'no-store' }).then((r) => (r.ok ? back() : later()), later);" +
  'function later() { setTimeout(ask, 5000); }' +
  'later();' +
  '})();</script>';

async function withOfflineNote(kept) {
  const html = await kept.text();
  const lang = /<html[^>]*\blang="fr"/.test(html) ? 'fr' : 'en';
  const at = new Date(kept.headers.get('x-kept-at') ?? Date.now()).toLocaleString(lang === 'fr' ? 'fr-CM' : 'en-CM', {
    timeZone: 'Africa/Douala',
    dateStyle: 'medium',
    timeStyle: 'short',
  });
  const note =
    `<p class="offline-note" role="status" data-testid="offline-note">` +
    `<strong>${WORDS[lang].offline}</strong>: ${WORDS[lang].kept} ${at}</p>${RELOAD}`;
  // After the page's own content: the app hydrates its nodes from the top of <body>.
  const body = html.includes('</body>') ? html.replace('</body>', `${note}</body>`) : html + note;
  return new Response(body, { status: 200, headers: kept.headers });
}

function offlinePage() {
  const html =
    `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">` +
    `<title>FoodBridge: offline</title></head><body><main><h1>FoodBridge</h1>` +
    `<p data-testid="offline-note">${WORDS.en.page}</p><p lang="fr">${WORDS.fr.page}</p></main>${RELOAD}</body></html>`;
  return new Response(html, { status: 503, headers: { 'content-type': 'text/html; charset=utf-8' } });
}
