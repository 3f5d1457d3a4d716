import { test, expect } from '@playwright/test';
import { atPath, emailTo, ready, registerBusiness, registerClient, postListing, subjectOf, endJourney, uniqueName } from './helpers.mjs';

test.afterEach(endJourney);

for (const js of [true, false]) {
  test.describe(`claims (JavaScript ${js ? 'on' : 'off'})`, () => {
    test.use({ javaScriptEnabled: js });

    test('a client claims; the business sees who; a second client is told it is taken', async ({ page, browser }) => {
      // Three accounts, a photo upload and two claims: 20-29 s on a loaded 2-core machine.
      test.slow();
      const name = uniqueName('Beignets');
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
      await expect(confirmation).toContainText('We have emailed you these details');
      if (js) await expect(first.getByTestId('listing-detail').getByTestId('state')).toHaveText('Claimed');

      if (js) {
        // Hydrated, the page learns it at once from the live stream: nothing left to press.
        await expect(second.getByRole('alert')).toHaveText('Someone else has just claimed this.');
        await expect(second.getByRole('button', { name: 'Claim this food' })).toHaveCount(0);
      } else {
        // The page still offers the claim: the server says no.
        await second.getByRole('button', { name: 'Claim this food' }).click();
        await expect(second.getByRole('alert')).toHaveText('Someone else has just claimed this.');
      }
      await expect(second.getByTestId('claim-confirmation')).toHaveCount(0);
      await expect(second.getByTestId('listing-detail').getByTestId('state')).toHaveText('Claimed');

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

      // Both sides were emailed, each with the other's contact details and a reply-to them.
      const toClient = await emailTo(amina.email);
      expect(subjectOf(toClient)).toBe(`Claim confirmed: ${name}`);
      expect(toClient).toContain(`<${business.email}>`);
      expect(toClient).toContain('+237677123456');
      const toBusiness = await emailTo(business.email);
      expect(subjectOf(toBusiness)).toBe(`Amina Njoya claimed ${name}`);
      expect(toBusiness).toContain(`<${amina.email}>`);
      expect(toBusiness).toContain('+237699000000');
      for (const c of contexts) await c.close();
    });

    test('a client who switched to French is emailed in French', async ({ page, browser }) => {
      const name = uniqueName('Ndolé');
      await registerBusiness(page, js);
      await postListing(page, js, { name });
      await atPath(page, '/business');
      const listingUrl = await page.getByTestId('my-listing').filter({ hasText: name }).getByRole('link', { name }).getAttribute('href');

      const context = await browser.newContext({ javaScriptEnabled: js });
      const client = await context.newPage();
      const amina = await registerClient(client, js);
      // A plain link: the server remembers the choice before it sends the browser back.
      await client.getByRole('link', { name: 'FR', exact: true }).click();
      await expect(client.locator('html')).toHaveAttribute('lang', 'fr');

      // The choice holds on every page, not only the one it was made on.
      await client.goto(listingUrl);
      await ready(client, js);
      await client.getByRole('button', { name: 'Réserver cette nourriture' }).click();
      if (!js) await atPath(client, '/claims');
      await expect(client.getByTestId('claim-confirmation')).toContainText('Nous vous avons envoyé ces informations par e-mail');

      expect(subjectOf(await emailTo(amina.email))).toBe(`Réservation confirmée : ${name}`);
      await context.close();
    });
  });
}

test('without JavaScript, a tampered claim form comes back to the page with a message', async ({ browser }) => {
  const context = await browser.newContext({ javaScriptEnabled: false });
  const page = await context.newPage();
  await registerBusiness(page, false);
  await postListing(page, false, { name: 'Ndolé' });
  await atPath(page, '/business');
  const listingUrl = await page.getByRole('link', { name: 'Ndolé' }).first().getAttribute('href');
  const client = await (await browser.newContext({ javaScriptEnabled: false })).newPage();
  await registerClient(client, false);
  await client.goto(listingUrl);
  await client.locator('input[name=listing_id]').evaluate((input) => input.setAttribute('value', 'abc'));
  await client.getByRole('button', { name: 'Claim this food' }).click();
  await expect(client).toHaveURL((url) => url.pathname === new URL(listingUrl, 'http://x').pathname);
  await expect(client.getByRole('alert')).toHaveText('This request could not be read. Reload the page and try again.');
  await expect(client.getByTestId('listing-detail').getByTestId('state')).toHaveText('Available');
});
