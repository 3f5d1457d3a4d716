import { test, expect } from '@playwright/test';
import { atPath, hydrated, ready, registerBusiness, registerClient, postListing, photo, endJourney, uniqueName } from './helpers.mjs';

test.afterEach(endJourney);

for (const js of [true, false]) {
  test.describe(`listings (JavaScript ${js ? 'on' : 'off'})`, () => {
    test.use({ javaScriptEnabled: js });

    test('a business posts a listing with a photo; a client finds it and opens it', async ({ page, browser }) => {
      const name = uniqueName('Pain complet');
      const business = await registerBusiness(page, js);
      await postListing(page, js, { name });
      await atPath(page, '/business');
      const mine = page.getByTestId('my-listing').filter({ hasText: name });
      await expect(mine.getByTestId('state')).toHaveText('Available');

      const clientContext = await browser.newContext({ javaScriptEnabled: js });
      const client = await clientContext.newPage();
      await registerClient(client, js);
      await client.goto(`/browse?q=${encodeURIComponent(name)}`);
      await ready(client, js);
      const card = client.getByTestId('listing-card').filter({ hasText: name });
      await expect(card).toContainText('12 loaves');
      await expect(card).toContainText(business.name);
      await expect(card).toContainText('Rue Joss, Akwa, Douala');
      await expect(card).toContainText(/\d+ h( \d+ min)? left/);
      const thumbnail = card.locator('img');
      await expect(thumbnail).toHaveAttribute('width', '400');
      await expect(thumbnail).toHaveAttribute('height', '300');
      await expect(thumbnail).toHaveAttribute('loading', 'lazy');
      expect(await thumbnail.evaluate((img) => img.complete && img.naturalWidth)).toBe(400);

      await card.click();
      await atPath(client, `/listings/${client.url().split('/').pop()}`);
      const detail = client.getByTestId('listing-detail');
      await expect(detail.getByRole('heading', { level: 1 })).toHaveText(name);
      await expect(detail).toContainText('Baked this morning, still soft.');
      await expect(detail).toContainText('Vegan');
      const picture = detail.locator('.photo img');
      await expect(picture).toHaveAttribute('width', '1280');
      expect(await picture.evaluate((img) => img.complete && img.naturalWidth)).toBe(1280);
      await clientContext.close();
    });

    test('a file that is not a photo is refused and everything else stays', async ({ page }) => {
      await registerBusiness(page, js);
      await postListing(page, js, {
        name: 'Beignets',
        file: { name: 'holiday.jpg', mimeType: 'image/jpeg', buffer: Buffer.from('these are my notes, not a photo') },
      });
      await expect(page.locator('#field-photo-error')).toHaveText('This file is not a photo: choose a JPEG, PNG or WebP image.');
      await expect(page.getByLabel('What food is it?')).toHaveValue('Beignets');
      await expect(page.getByLabel('Quantity')).toHaveValue('12');
      await expect(page.getByLabel('Unit')).toHaveValue('loaves');
      await expect(page.getByLabel('Category')).toHaveValue('bakery');
      await expect(page.getByLabel('Vegan')).toBeChecked();
      await expect(page.getByLabel('Description')).toHaveValue('Baked this morning, still soft.');

      await page.getByLabel('Photo').setInputFiles(await photo(page, 800, 600));
      if (js) await expect(page.getByTestId('photo-preview')).toBeVisible();
      await page.getByRole('button', { name: 'Post the listing' }).click();
      await atPath(page, '/business');
      await expect(page.getByTestId('my-listing').filter({ hasText: 'Beignets' })).toBeVisible();
    });

    test('a photo over 8 MB is refused with its reason, however large', async ({ page }) => {
      await registerBusiness(page, js);
      // 20 MB: over the 12 MB a request may carry, so without JavaScript the server refuses it
      // unread; with JavaScript it is refused before it is sent.
      await postListing(page, js, {
        name: 'Gâteau',
        file: { name: 'huge.jpg', mimeType: 'image/jpeg', buffer: Buffer.alloc(20 * 1024 * 1024, 1) },
      });
      await atPath(page, '/listings/new');
      await expect(page.locator('#field-photo-error')).toHaveText('This photo is too large: at most 8 MB.');
      if (js) await expect(page.getByLabel('What food is it?')).toHaveValue('Gâteau');
    });

    test('a business changes, then withdraws, its listing', async ({ page }) => {
      await registerBusiness(page, js);
      const name = uniqueName('Riz');
      await postListing(page, js, { name });
      await atPath(page, '/business');
      const row = page.getByTestId('my-listing').filter({ hasText: name });
      await row.getByRole('link', { name: 'Change' }).click();
      await ready(page, js);
      await expect(page.getByLabel('What food is it?')).toHaveValue(name);
      await page.getByLabel('Quantity').fill('3,5');
      await page.getByLabel('Unit').selectOption('kg');
      await page.getByRole('button', { name: 'Save the changes' }).click();
      await atPath(page, '/business');
      await ready(page, js);
      await expect(row).toContainText('3.5 kg');

      await row.getByRole('button', { name: 'Withdraw' }).click();
      await expect(row.getByTestId('state')).toHaveText('Withdrawn');
      await expect(row.getByRole('button', { name: 'Withdraw' })).toHaveCount(0);
      await page.goto(`/browse?q=${encodeURIComponent(name)}`);
      await expect(page.getByTestId('listing-card')).toHaveCount(0);
    });
  });
}

test('a client may not post', async ({ page }) => {
  await registerClient(page, true);
  const response = await page.goto('/listings/new');
  expect(response.status()).toBe(403);
  await expect(page.getByRole('alert')).toHaveText('This page is not available with your account.');
  await expect(page.getByLabel('Photo')).toHaveCount(0);
});
