// Live updates: what other people do reaches open pages within a second, without a reload.
import { test, expect } from '@playwright/test';
import { atPath, hydrated, registerBusiness, registerClient, postListing, uniqueEmail } from './helpers.mjs';

const SECOND = { timeout: 1_000 };

/** A page of its own (its own session), hydrated at `path`. */
async function open(browser, path, as) {
  const page = await (await browser.newContext()).newPage();
  if (as) await as(page);
  await page.goto(path);
  await hydrated(page);
  return page;
}

/** The page's live stream is open (it connects once hydrated). */
async function live(page) {
  await expect(page.locator('body')).toHaveAttribute('data-live', 'open');
}

test('a claim leaves the browse page, turns the detail page, and shows on the dashboard at once', async ({ browser }) => {
  test.slow();
  const name = `Ndolé ${uniqueEmail('x').slice(2, 12)}`;
  const business = await open(browser, '/business', (p) => registerBusiness(p, true, { name: 'Chez Mama Ngono' }));
  await postListing(business, true, { name });
  await atPath(business, '/business');
  await hydrated(business);
  const href = await business.getByRole('link', { name }).getAttribute('href');

  const watcher = await open(browser, '/browse', (p) => registerClient(p, true, { name: 'Paul Biya' }));
  const detail = await watcher.context().newPage();
  await detail.goto(href);
  await hydrated(detail);
  for (const p of [business, watcher, detail]) await live(p);
  await expect(watcher.getByRole('link', { name })).toBeVisible();
  await expect(detail.getByRole('button', { name: 'Claim this food' })).toBeVisible();

  // Someone else claims it, in a browser of their own.
  const claimant = await open(browser, href, (p) => registerClient(p, true, { name: 'Amina Njoya' }));
  await claimant.getByRole('button', { name: 'Claim this food' }).click();
  await expect(claimant.getByTestId('claim-confirmation')).toBeVisible();

  await expect(watcher.getByRole('link', { name })).toHaveCount(0, SECOND);
  await expect(detail.getByTestId('listing-detail').getByTestId('state')).toHaveText('Claimed', SECOND);
  await expect(detail.getByRole('alert')).toHaveText('Someone else has just claimed this.', SECOND);
  await expect(detail.getByRole('button', { name: 'Claim this food' })).toHaveCount(0);
  const mine = business.getByTestId('my-listing').filter({ hasText: name });
  await expect(mine.getByTestId('claimant')).toContainText('Amina Njoya', SECOND);
  await expect(mine.getByTestId('claimed-notice')).toHaveText(`Your ${name} was just claimed by Amina Njoya.`);
  // The claimant's own page keeps its confirmation.
  await expect(claimant.getByTestId('claim-confirmation')).toBeVisible();
});

test('a new listing is announced on the browse page, and shown on request', async ({ browser }) => {
  const watcher = await open(browser, '/browse');
  await live(watcher);
  const name = `Beignets ${uniqueEmail('x').slice(2, 12)}`;
  const business = await (await browser.newContext()).newPage();
  await registerBusiness(business, true);
  await postListing(business, true, { name });
  await atPath(business, '/business');

  const announce = watcher.getByRole('button', { name: 'New food was just posted: show it' });
  await expect(announce).toBeVisible(SECOND);
  await expect(watcher.getByRole('link', { name })).toHaveCount(0);
  await announce.click();
  await expect(watcher.getByRole('link', { name })).toBeVisible();
});
