// Time to interactive on Slow 3G (400 kbit/s each way, 400 ms round trip), phone-sized, for the
// browse page and a listing's page: a first visit (empty cache) and a repeat visit. Run by
// bench/phone.sh, which prints the table.
import { test, expect } from '@playwright/test';
import { postListingUntil, registerBusiness, registerClient } from '../tests/helpers.mjs';

const SLOW_3G = {
  offline: false,
  latency: 400,
  downloadThroughput: 400_000 / 8,
  uploadThroughput: 400_000 / 8,
};

/** Loads `path` and returns when it became readable (its main content shown) and interactive
 * (hydrated), in ms from the navigation's start, and the bytes of the site's files fetched.
 * Both times are the page's own clock (`performance.now()`): readable is the first paint with
 * content, interactive the moment the body is marked hydrated, seen by a MutationObserver.
 * (Waiting with Playwright's `expect` would add its polling interval, up to a second.) */
async function visit(page, path, content) {
  await page.goto(path, { waitUntil: 'commit' });
  await content.first().waitFor({ timeout: 120_000 });
  const interactive = await page.evaluate(
    () =>
      new Promise((resolve) => {
        const done = () => document.body.dataset.hydrated === 'true';
        if (done()) return resolve(performance.now());
        new MutationObserver(() => done() && resolve(performance.now())).observe(document.body, {
          attributes: true,
          attributeFilter: ['data-hydrated'],
        });
      }),
  );
  const { readable, files } = await page.evaluate(() => ({
    readable: performance.getEntriesByName('first-contentful-paint')[0]?.startTime,
    files: performance
      .getEntriesByType('resource')
      .filter((r) => new URL(r.name).pathname.startsWith('/pkg/'))
      .map((r) => ({ name: new URL(r.name).pathname, bytes: r.transferSize, end: r.responseEnd })),
  }));
  return { readable, interactive, files, fetched: files.reduce((sum, f) => sum + f.bytes, 0) };
}

test('the browse page and a listing on Slow 3G, first and repeat visit', async ({ browser }) => {
  // 20 cards on the browse page, as a client sees them (set up unthrottled).
  const setup = await browser.newContext();
  const page0 = await setup.newPage();
  await registerBusiness(page0, true);
  for (let i = 1; i <= 20; i++) {
    await postListingUntil(page0, { name: `Pain complet ${i}`, until: new Date(Date.now() + 5 * 3600_000) });
  }
  await setup.clearCookies();
  await registerClient(page0, true);
  const href = await page0.getByTestId('listing-card').first().locator('a').getAttribute('href');
  const client = await setup.storageState();
  await setup.close();

  // The client's phone: an empty cache, its session. The service worker is kept out: it is for
  // a lost connection (the offline journey), and what it fetches is not throttled here.
  const rows = [];
  for (const [what, path, content] of [
    ['browse', '/browse', (p) => p.getByTestId('listing-card')],
    ['listing', href, (p) => p.getByTestId('listing-detail')],
  ]) {
    const context = await browser.newContext({
      viewport: { width: 390, height: 844 },
      storageState: client,
      serviceWorkers: 'block',
    });
    const page = await context.newPage();
    const cdp = await context.newCDPSession(page);
    await cdp.send('Network.enable');
    await cdp.send('Network.emulateNetworkConditions', SLOW_3G);
    rows.push([`${what}, first visit`, await visit(page, path, content(page))]);
    rows.push([`${what}, repeat visit`, await visit(page, path, content(page))]);
    await context.close();
  }

  console.log('\n| Slow 3G, 390 × 844 | readable | interactive | site files fetched |');
  console.log('|---|---|---|---|');
  for (const [what, r] of rows) {
    console.log(`| ${what} | ${(r.readable / 1000).toFixed(1)} s | ${(r.interactive / 1000).toFixed(1)} s | ${(r.fetched / 1024).toFixed(0)} KB |`);
  }
  for (const [what, r] of rows.filter(([what]) => what.includes('first'))) {
    const files = r.files.map((f) => `${f.name} ${(f.bytes / 1024).toFixed(0)} KB (in at ${(f.end / 1000).toFixed(1)} s)`);
    console.log(`\n${what}: ${files.join(', ')}`);
  }
  console.log();

  // Whatever the speed: a first visit fetches the site's files, a repeat visit takes them from
  // the browser's cache.
  expect(rows[0][1].fetched).toBeGreaterThan(0);
  for (const [what, r] of rows.filter(([what]) => what.includes('repeat'))) {
    expect(r.fetched, `${what}: ${JSON.stringify(r.files)}`).toBe(0);
  }
});
