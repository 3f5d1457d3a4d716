import { test, expect } from '@playwright/test';
import { hydrated, endJourney } from './helpers.mjs';

test.afterEach(endJourney);

test.describe('home page', () => {
  test('is complete when rendered on the server, with JavaScript off', async ({ browser }) => {
    const context = await browser.newContext({ javaScriptEnabled: false });
    const page = await context.newPage();
    await page.goto('/');
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Rescue good food before it goes to waste');
    await expect(page.getByTestId('available-count')).toHaveText(/^\d+$/);
    await expect(page.getByTestId('checked-at')).toHaveText(/^Checked at \d\d:\d\d:\d\d$/);
    await context.close();
  });

  test('hydrates and refreshes the figure through a server function, without reloading', async ({ page }) => {
    await page.goto('/');
    await hydrated(page);
    const before = await page.getByTestId('checked-at').textContent();
    // A reload would wipe this marker: it proves the refresh happened in place.
    await page.evaluate(() => { window.stillSamePage = true; });
    await page.waitForTimeout(1100); // the time shown has a resolution of one second

    const call = page.waitForResponse((r) => r.url().endsWith('/api/get_availability') && r.status() === 200);
    await page.getByRole('button', { name: 'Refresh' }).click();
    await call;

    await expect(page.getByTestId('checked-at')).not.toHaveText(before);
    expect(await page.evaluate(() => window.stillSamePage)).toBe(true);
  });

  test('switches to French and remembers it across reloads', async ({ page }) => {
    await page.goto('/');
    await hydrated(page);
    await page.getByRole('link', { name: 'FR', exact: true }).click();
    await expect(page.getByRole('heading', { level: 1 })).toHaveText("Sauvez de la bonne nourriture avant qu'elle ne soit jetée");
    await expect(page.locator('html')).toHaveAttribute('lang', 'fr');
    await expect(page.getByRole('button', { name: 'Actualiser' })).toBeVisible();

    await page.reload();
    await expect(page.getByRole('heading', { level: 1 })).toHaveText(/^Sauvez/);

    await page.getByRole('link', { name: 'EN', exact: true }).click();
    await expect(page.getByRole('heading', { level: 1 })).toHaveText(/^Rescue/);
  });

  test('switches language with JavaScript off too', async ({ browser }) => {
    const context = await browser.newContext({ javaScriptEnabled: false });
    const page = await context.newPage();
    await page.goto('/');
    await page.getByRole('link', { name: 'FR', exact: true }).click();
    await expect(page).toHaveURL(/\/$/);
    await expect(page.getByRole('heading', { level: 1 })).toHaveText(/^Sauvez/);
    await expect(page.locator('html')).toHaveAttribute('lang', 'fr');
    await context.close();
  });

  test('answers an unknown address with a 404 page', async ({ page }) => {
    const response = await page.goto('/no/such/page');
    expect(response.status()).toBe(404);
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Page not found');
  });
});
