import { test, expect } from '@playwright/test';
import { atPath, ready, registerBusiness, registerClient, postListing, uniqueEmail } from './helpers.mjs';

for (const js of [true, false]) {
  test.describe(`claims (JavaScript ${js ? 'on' : 'off'})`, () => {
    test.use({ javaScriptEnabled: js });

    test('a client claims; the business sees who; a second client is told it is taken', async ({ page, browser }) => {
      const name = `Beignets ${uniqueEmail('x').slice(2, 12)}`;
      const business = await registerBusiness(page, js);
      await postListing(page, js, { name });
      await atPath(page, '/business');
      const listingUrl = await page.getByTestId('my-listing').filter({ hasText: name }).getByRole('link', { name }).getAttribute('href');

      // Two clients open the listing; the first claims it.
      const contexts = [await browser.newContext({ javaScriptEnabled: js }), await browser.newContext({ javaScriptEnabled: js })];
      const [first, second] = await Promise.all(contexts.map((c) => c.newPage()));
      const amina = await registerClient(first, js, { name: 'Amina Njoya' });
      await registerClient(second, js, { name: 'Paul Biya' });
      for (const p of [first, second]) {
        await p.goto(listingUrl);
        await ready(p, js);
      }
      await first.getByRole('button', { name: 'Claim this food' }).click();
      // Hydrated, the answer shows in place; without JavaScript, on My claims.
      if (!js) await atPath(first, '/claims');
      const confirmation = first.getByTestId('claim-confirmation');
      await expect(confirmation).toContainText("It's yours!");
      await expect(confirmation).toContainText(business.name);
      await expect(confirmation).toContainText('Rue Joss, Akwa, Douala');
      await expect(confirmation).toContainText('+237677123456');

      // The second client's page still offers the claim: the server says no.
      await second.getByRole('button', { name: 'Claim this food' }).click();
      await expect(second.getByRole('alert')).toHaveText('Someone else has just claimed this.');
      await expect(second.getByTestId('claim-confirmation')).toHaveCount(0);

      // The winner finds it under My claims.
      await first.getByRole('link', { name: 'My claims' }).click();
      await expect(first.getByTestId('claim').filter({ hasText: name })).toContainText(business.name);

      // The business sees who claimed it, with how to reach them.
      await page.goto('/business');
      const row = page.getByTestId('my-listing').filter({ hasText: name });
      await expect(row.getByTestId('state')).toHaveText('Claimed');
      await expect(row.getByTestId('claimant')).toContainText('Amina Njoya');
      await expect(row.getByTestId('claimant')).toContainText(amina.email);
      await expect(row.getByTestId('claimant')).toContainText('+237699000000');
      for (const c of contexts) await c.close();
    });
  });
}
