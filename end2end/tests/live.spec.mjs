// Live updates: what other people do reaches open pages within a second, without a reload.
import { test, expect } from '@playwright/test';
import { atPath, hydrated, registerBusiness, registerClient, postListing, postListingUntil, endJourney, uniqueName } from './helpers.mjs';

test.afterEach(endJourney);

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
  const name = uniqueName('Ndolé');
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
  const name = uniqueName('Beignets');
  // Browsing for it alone: a listing of another journey's shown here and claimed meanwhile
  // would refresh the page, new listing included, before the announcement is clicked.
  const watcher = await open(browser, `/browse?q=${encodeURIComponent(name)}`);
  await live(watcher);
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

test('a listing leaves every open page at its deadline, with nobody doing anything', async ({ browser }) => {
  test.slow();
  const name = uniqueName('Koki');
  const business = await open(browser, '/business', (p) => registerBusiness(p, true));
  // A deadline to the second, far enough ahead for every page below to open first.
  const until = new Date(Math.ceil((Date.now() + 20_000) / 1000) * 1000);
  await postListingUntil(business, { name, until });
  await business.reload();
  await hydrated(business);
  const mine = business.getByTestId('my-listing').filter({ hasText: name });
  const href = await mine.getByRole('link', { name }).getAttribute('href');

  const watcher = await open(browser, '/browse', (p) => registerClient(p, true));
  const detail = await watcher.context().newPage();
  await detail.goto(href);
  await hydrated(detail);
  const home = await open(browser, '/');
  for (const p of [business, watcher, detail, home]) await live(p);
  // The home page fetches its figure again by itself once the deadline has passed.
  const refetched = home.waitForResponse(
    (r) => r.url().includes('/api/get_availability') && Date.now() >= until.getTime(),
    { timeout: until.getTime() - Date.now() + 1_000 },
  );

  // Still there, and claimable, until the deadline.
  await expect(watcher.getByRole('link', { name })).toBeVisible();
  await expect(detail.getByRole('button', { name: 'Claim this food' })).toBeVisible();
  await expect(mine.getByTestId('state')).toHaveText('Available');
  await expect(mine.getByRole('button', { name: 'Withdraw' })).toBeVisible();
  expect(Date.now()).toBeLessThan(until.getTime());

  // Then gone from every page within a second of it (`waitFor` watches the page continuously,
  // where `expect` polls).
  const gone = { timeout: until.getTime() - Date.now() + 1_000 };
  await Promise.all([
    watcher.getByRole('link', { name }).waitFor({ state: 'detached', ...gone }),
    detail.locator('[data-testid=listing-detail] .state-expired').waitFor(gone),
    mine.locator('.state-expired').waitFor(gone),
  ]);
  await expect(detail.getByTestId('listing-detail').getByTestId('state')).toHaveText('Expired');
  await expect(detail.getByRole('button', { name: 'Claim this food' })).toHaveCount(0);
  await expect(mine.getByTestId('state')).toHaveText('Expired');
  await expect(mine.getByRole('button', { name: 'Withdraw' })).toHaveCount(0);
  const figure = await (await refetched).json();
  expect(new Date(figure.next_deadline ?? 8.64e15).getTime()).toBeGreaterThan(until.getTime());
  await expect(home.getByTestId('available-count')).toHaveText(String(figure.available_listings));
});
