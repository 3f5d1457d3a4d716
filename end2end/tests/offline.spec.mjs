import { test, expect } from '@playwright/test';
import { hydrated, printPagesOnFailure, registerBusiness, registerClient, postListingUntil, uniqueEmail } from './helpers.mjs';

test.afterEach(printPagesOnFailure);

// The service worker (public/sw.js) keeps the last pages seen for a lost connection, and never
// sends anything later: a claim made offline fails at once and is not made when the connection
// comes back.
test('offline, the last browse and listing pages are shown with a note; a claim is not queued', async ({ browser }) => {
  test.slow();
  const name = `Koki ${uniqueEmail('x').slice(2, 12)}`;
  const businessContext = await browser.newContext();
  const business = await businessContext.newPage();
  await registerBusiness(business, true);
  await postListingUntil(business, { name, until: new Date(Date.now() + 3 * 3600_000) });
  await businessContext.close();

  const context = await browser.newContext();
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
  const card = page.getByTestId('listing-card').filter({ hasText: name });
  const href = await card.locator('a').getAttribute('href');
  await page.goto(href);
  await hydrated(page);
  await expect(page.getByTestId('offline-note')).toHaveCount(0);

  await context.setOffline(true);
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
  await context.setOffline(false);
  await expect(page.getByTestId('offline-note')).toHaveCount(0, { timeout: 15_000 });
  await hydrated(page);
  await expect(page.getByTestId('listing-detail').getByTestId('state')).toHaveText('Available');
  await expect(page.getByRole('button', { name: 'Claim this food' })).toBeVisible();

  // A page never seen, offline: a plain note instead of the browser's error.
  await context.setOffline(true);
  await page.goto('/listings/999999999');
  await expect(page.getByTestId('offline-note')).toContainText('You are offline');
  await context.setOffline(false);
  await context.close();
});
