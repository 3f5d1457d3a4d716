// Live updates across replicas: two replicas sharing PostgreSQL and Redis (end2end/cluster.mjs),
// a browser on replica A, changes made through replica B; then replica A restarted, and Redis
// restarted while A is cut off from it, with changes made meanwhile.
import { test, expect } from '@playwright/test';
import { Cluster } from '../cluster.mjs';
import { atPath, hydrated, postListing, registerBusiness, registerClient, endJourney, uniqueName } from './helpers.mjs';

test.afterEach(endJourney);

const SECOND = { timeout: 1_000 };

// The journeys share one cluster and restart its parts: one after the other.
test.describe.configure({ mode: 'serial' });

/** @type {Cluster} */
let cluster;
test.beforeAll(async () => {
  test.setTimeout(120_000);
  cluster = await Cluster.start();
});
test.afterAll(async () => {
  await cluster?.stop();
});

/** A page of its own (its own session) on replica `replica`, hydrated at `path`. */
async function open(browser, replica, path, as) {
  const context = await browser.newContext({ baseURL: cluster.url(replica) });
  const page = await context.newPage();
  if (as) await as(page);
  await page.goto(path);
  await hydrated(page);
  return page;
}

/** The page's live stream is open. */
async function live(page, options) {
  await expect(page.locator('body')).toHaveAttribute('data-live', 'open', options);
}

/** A business on replica `replica` posts `name`; answers the listing's address. */
async function posted(browser, replica, name) {
  const business = await open(browser, replica, '/business', (p) => registerBusiness(p, true));
  await postListing(business, true, { name });
  await atPath(business, '/business');
  await hydrated(business);
  const href = await business.getByRole('link', { name }).getAttribute('href');
  return { business, href };
}

/** A client of their own claims `href` through replica `replica`. */
async function claimThrough(browser, replica, href, name = 'Amina Njoya') {
  const claimant = await open(browser, replica, href, (p) => registerClient(p, true, { name }));
  await claimant.getByRole('button', { name: 'Claim this food' }).click();
  await expect(claimant.getByTestId('claim-confirmation')).toBeVisible();
  return claimant;
}

test('a claim through replica B reaches the browse, detail and dashboard pages on replica A at once', async ({ browser }) => {
  test.slow();
  const name = uniqueName('Ndolé');
  const business = await open(browser, 'a', '/business', (p) => registerBusiness(p, true, { name: 'Chez Mama Ngono' }));
  await postListing(business, true, { name });
  await atPath(business, '/business');
  await hydrated(business);
  const href = await business.getByRole('link', { name }).getAttribute('href');

  const watcher = await open(browser, 'a', '/browse', (p) => registerClient(p, true, { name: 'Paul Biya' }));
  const detail = await watcher.context().newPage();
  await detail.goto(href);
  await hydrated(detail);
  for (const p of [business, watcher, detail]) await live(p);
  await expect(watcher.getByRole('link', { name })).toBeVisible();

  await claimThrough(browser, 'b', href, 'Amina Njoya');

  await expect(watcher.getByRole('link', { name })).toHaveCount(0, SECOND);
  await expect(detail.getByTestId('listing-detail').getByTestId('state')).toHaveText('Claimed', SECOND);
  await expect(detail.getByRole('alert')).toHaveText('Someone else has just claimed this.', SECOND);
  const mine = business.getByTestId('my-listing').filter({ hasText: name });
  await expect(mine.getByTestId('claimant')).toContainText('Amina Njoya', SECOND);
  await expect(mine.getByTestId('claimed-notice')).toHaveText(`Your ${name} was just claimed by Amina Njoya.`);
});

test('a listing posted through replica B is announced on replica A at once', async ({ browser }) => {
  const watcher = await open(browser, 'a', '/browse');
  await live(watcher);
  const name = uniqueName('Beignets');
  const business = await open(browser, 'b', '/business', (p) => registerBusiness(p, true));
  await postListing(business, true, { name });
  await atPath(business, '/business');

  const announce = watcher.getByRole('button', { name: 'New food was just posted: show it' });
  await expect(announce).toBeVisible(SECOND);
  await announce.click();
  await expect(watcher.getByRole('link', { name })).toBeVisible();
});

test('replica A restarts: its pages reconnect and show what was claimed meanwhile', async ({ browser }) => {
  test.slow();
  const name = uniqueName('Koki');
  const { href } = await posted(browser, 'b', name);
  const watcher = await open(browser, 'a', '/browse', (p) => registerClient(p, true, { name: 'Paul Biya' }));
  const detail = await watcher.context().newPage();
  await detail.goto(href);
  await hydrated(detail);
  for (const p of [watcher, detail]) await live(p);
  await expect(watcher.getByRole('link', { name })).toBeVisible();

  // SIGTERM closes the streams; the pages keep trying.
  await cluster.stopReplica('a');
  await expect(watcher.locator('body')).toHaveAttribute('data-live', 'connecting');
  await claimThrough(browser, 'b', href);
  await cluster.startReplica('a');

  // Back on the restarted replica, with the claim they missed.
  for (const p of [watcher, detail]) await live(p, { timeout: 15_000 });
  await expect(watcher.getByRole('link', { name })).toHaveCount(0, SECOND);
  await expect(detail.getByTestId('listing-detail').getByTestId('state')).toHaveText('Claimed', SECOND);

  // And live again.
  const next = uniqueName('Miondo');
  const { href: nextHref } = await posted(browser, 'b', next);
  await detail.goto(nextHref);
  await hydrated(detail);
  await live(detail);
  await claimThrough(browser, 'b', nextHref, 'Amina Ngono');
  await expect(detail.getByTestId('listing-detail').getByTestId('state')).toHaveText('Claimed', SECOND);
});

test('Redis restarts while replica A is cut off from it: A\'s pages catch up with what happened meanwhile', async ({ browser }) => {
  test.slow();
  const name = uniqueName('Poisson braisé');
  const { href } = await posted(browser, 'b', name);
  const watcher = await open(browser, 'a', '/browse', (p) => registerClient(p, true, { name: 'Paul Biya' }));
  await live(watcher);
  await expect(watcher.getByRole('link', { name })).toBeVisible();

  // A loses Redis; B claims; Redis restarts (keeping its data, as with AOF in production).
  await cluster.cutA();
  await claimThrough(browser, 'b', href);
  await cluster.stopRedis();
  await cluster.startRedis();
  // Nothing reached A yet.
  await expect(watcher.getByRole('link', { name })).toBeVisible();
  await cluster.healA();

  await expect(watcher.getByRole('link', { name })).toHaveCount(0, { timeout: 10_000 });

  // Sessions survived, and A is live again, once every connection to Redis is back (each
  // retries on its own backoff, up to 5 s apart).
  const next = uniqueName('Soya');
  const { href: nextHref } = await posted(browser, 'b', next);
  const detail = await watcher.context().newPage();
  await detail.goto(nextHref);
  await hydrated(detail);
  await live(detail);
  await expect(detail.getByRole('button', { name: 'Claim this food' })).toBeVisible();
  await claimThrough(browser, 'b', nextHref, 'Amina Ngono');
  await expect(detail.getByTestId('listing-detail').getByTestId('state')).toHaveText('Claimed', { timeout: 6_000 });
});
