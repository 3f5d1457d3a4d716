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
 * (hydrated), in ms from the navigation's start, and the bytes of the site's files fetched. */
async function visit(page, path, content) {
  const start = Date.now();
  await page.goto(path, { waitUntil: 'commit' });
  await content.first().waitFor({ timeout: 120_000 });
  const readable = Date.now() - start;
  await expect(page.locator('body')).toHaveAttribute('data-hydrated', 'true', { timeout: 240_000 });
  const interactive = Date.now() - start;
  const files = await page.evaluate(() =>
    performance
      .getEntriesByType('resource')
      .filter((r) => new URL(r.name).pathname.startsWith('/pkg/'))
      .map((r) => ({ name: new URL(r.name).pathname, bytes: r.transferSize })),
  );
  return { readable, interactive, files, fetched: files.reduce((sum, f) => sum + f.bytes, 0) };
}

test('the browse page and a listing on Slow 3G, first and repeat visit', async ({ browser }) => {
  const context = await browser.newContext({ viewport: { width: 390, height: 844 } });
  const page = await context.newPage();

  // 20 cards on the browse page, as a client sees them (unthrottled).
  await registerBusiness(page, true);
  for (let i = 1; i <= 20; i++) {
    await postListingUntil(page, { name: `Pain complet ${i}`, until: new Date(Date.now() + 5 * 3600_000) });
  }
  await context.clearCookies();
  await registerClient(page, true);
  const href = await page.getByTestId('listing-card').first().locator('a').getAttribute('href');

  const cdp = await context.newCDPSession(page);
  await cdp.send('Network.enable');
  await cdp.send('Network.clearBrowserCache');
  await cdp.send('Network.emulateNetworkConditions', SLOW_3G);

  const rows = [];
  const cards = page.getByTestId('listing-card');
  const detail = page.getByTestId('listing-detail');
  rows.push(['browse, first visit', await visit(page, '/browse', cards)]);
  rows.push(['browse, repeat visit', await visit(page, '/browse', cards)]);
  await cdp.send('Network.clearBrowserCache');
  rows.push(['listing, first visit', await visit(page, href, detail)]);
  rows.push(['listing, repeat visit', await visit(page, href, detail)]);

  console.log('\n| Slow 3G, 390 × 844 | readable | interactive | site files fetched |');
  console.log('|---|---|---|---|');
  for (const [what, r] of rows) {
    console.log(`| ${what} | ${(r.readable / 1000).toFixed(1)} s | ${(r.interactive / 1000).toFixed(1)} s | ${(r.fetched / 1024).toFixed(0)} KB |`);
  }
  console.log(`\nfiles of the first visit: ${rows[0][1].files.map((f) => `${f.name} ${(f.bytes / 1024).toFixed(0)} KB`).join(', ')}\n`);

  // Whatever the speed: a repeat visit takes the site's files from the browser's cache.
  for (const [what, r] of rows.filter(([what]) => what.includes('repeat'))) {
    expect(r.fetched, `${what}: ${JSON.stringify(r.files)}`).toBe(0);
  }
  await context.close();
});
