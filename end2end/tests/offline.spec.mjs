// The service worker (public/sw.js) keeps the last pages seen for a lost connection, and never
// sends anything later: a claim made offline fails at once and is not made when the connection
// comes back.
//
// The connection is a real one that the test cuts: the client's browser reaches the server
// through a relay of its own, closed and reopened like a phone's data connection. (Chromium's
// emulated offline mode, `setOffline`, made this journey fail about half its runs under load.)
import { test, expect } from '@playwright/test';
import net from 'node:net';
import { baseURL } from '../playwright.config.mjs';
import { hydrated, postListingUntil, endJourney, registerBusiness, registerClient, uniqueEmail } from './helpers.mjs';

test.afterEach(endJourney);

/** A way to the server on a port of its own, that can be cut and restored. */
async function relay() {
  const target = new URL(baseURL);
  const sockets = new Set();
  const server = net.createServer((near) => {
    const far = net.connect(Number(target.port), target.hostname);
    for (const socket of [near, far]) {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      socket.on('error', () => {});
    }
    near.pipe(far).pipe(near);
  });
  const listen = (port) =>
    new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        server.off('error', reject);
        resolve(server.address().port);
      });
    });
  const port = await listen(0);
  return {
    url: `http://127.0.0.1:${port}`,
    /** Every open connection reset, every new one refused. */
    cut: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      }),
    restore: () => listen(port),
  };
}

/** True once the service worker holds `pages` and every site file the page loaded. */
async function kept(page, pages) {
  return page.evaluate(async (pages) => {
    const files = performance
      .getEntriesByType('resource')
      .map((entry) => new URL(entry.name))
      .filter((url) => url.pathname.startsWith('/pkg/'))
      .map((url) => url.href);
    const [pageCache, fileCache] = await Promise.all([caches.open('foodbridge-pages-v1'), caches.open('foodbridge-files-v1')]);
    const found = await Promise.all([...pages.map((p) => pageCache.match(p)), ...files.map((f) => fileCache.match(f))]);
    return files.length > 0 && found.every(Boolean);
  }, pages);
}

test('offline, the last browse and listing pages are shown with a note; a claim is not queued', async ({ browser }) => {
  test.slow();
  const name = `Koki ${uniqueEmail('x').split('@')[0]}`;
  const businessContext = await browser.newContext();
  const business = await businessContext.newPage();
  await registerBusiness(business, true);
  await postListingUntil(business, { name, until: new Date(Date.now() + 3 * 3600_000) });
  await businessContext.close();

  const connection = await relay();
  const context = await browser.newContext({ baseURL: connection.url });
  const page = await context.newPage();
  await registerClient(page, true);
  await hydrated(page);
  // From the next page on, the service worker answers the pages.
  await page.evaluate(async () => {
    await navigator.serviceWorker.ready;
    if (!navigator.serviceWorker.controller) {
      await new Promise((resolve) => navigator.serviceWorker.addEventListener('controllerchange', resolve, { once: true }));
    }
  });
  await page.goto('/browse');
  await hydrated(page);
  const href = await page.getByTestId('listing-card').filter({ hasText: name }).locator('a').getAttribute('href');
  await page.goto(href);
  await hydrated(page);
  await expect(page.getByTestId('offline-note')).toHaveCount(0);
  // The copies are written in the background, as the pages arrive.
  await expect.poll(() => kept(page, ['/browse', href])).toBe(true);

  await connection.cut();
  await page.goto('/browse');
  await expect(page.getByTestId('listing-card').filter({ hasText: name })).toBeVisible();
  await expect(page.getByTestId('offline-note')).toContainText('Offline: last updated at');

  await page.goto(href);
  await expect(page.getByTestId('listing-detail')).toContainText(name);
  await expect(page.getByTestId('offline-note')).toContainText('Offline');
  await hydrated(page);
  await page.getByRole('button', { name: 'Claim this food' }).click();
  await expect(page.getByRole('alert')).toBeVisible();
  await expect(page.getByTestId('claim-confirmation')).toHaveCount(0);

  // Back online: the page reloads by itself, from the server, and nothing was claimed.
  await connection.restore();
  await expect(page.getByTestId('offline-note')).toHaveCount(0, { timeout: 20_000 });
  await hydrated(page);
  await expect(page.getByTestId('listing-detail').getByTestId('state')).toHaveText('Available');
  await expect(page.getByRole('button', { name: 'Claim this food' })).toBeVisible();

  // A page never seen, offline: a plain note instead of the browser's error.
  await connection.cut();
  await page.goto('/listings/999999999');
  await expect(page.getByTestId('offline-note')).toContainText('You are offline');
  await connection.restore();
  await context.close();
});
