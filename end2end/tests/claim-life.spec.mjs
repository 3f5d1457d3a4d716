// A claim's life after "It's yours!": given back, collected or not, the fair share, the waiting
// list. Every journey runs with JavaScript on and off.
import { test, expect } from '@playwright/test';
import {
  atPath,
  emailTo,
  postListingUntil,
  endJourney,
  ready,
  registerBusiness,
  registerClient,
  uniqueName,
} from './helpers.mjs';

test.afterEach(endJourney);

const unique = uniqueName;

/** A page in a browser context of its own (its own session). */
async function newPage(browser, js) {
  return (await browser.newContext({ javaScriptEnabled: js })).newPage();
}

/** Posts listings named `names`, open for three hours, and answers their addresses. */
async function post(business, js, names) {
  const until = new Date(Date.now() + 3 * 3600_000);
  for (const name of names) await postListingUntil(business, { name, until });
  await business.goto('/business');
  await ready(business, js);
  const hrefs = [];
  for (const name of names) {
    hrefs.push(await business.getByTestId('my-listing').filter({ hasText: name }).getByRole('link', { name }).getAttribute('href'));
  }
  return hrefs;
}

/** Claims the listing at `href` from its page, as the logged-in client of `page`. */
async function claim(page, js, href) {
  await page.goto(href);
  await ready(page, js);
  await page.getByRole('button', { name: 'Claim this food' }).click();
  if (!js) await atPath(page, '/claims');
  await expect(page.getByTestId('claim-confirmation')).toBeVisible();
}

/** The row of My claims for `name`, the page freshly opened. */
async function myClaim(page, js, name) {
  await page.goto('/claims');
  await ready(page, js);
  return page.getByTestId('claim').filter({ hasText: name });
}

/** The dashboard row of `name`, the page freshly opened. */
async function myListing(business, js, name) {
  await business.goto('/business');
  await ready(business, js);
  return business.getByTestId('my-listing').filter({ hasText: name });
}

for (const js of [true, false]) {
  test.describe(`a claim's life (JavaScript ${js ? 'on' : 'off'})`, () => {
    test.use({ javaScriptEnabled: js });

    test('a client gives a claim back: the food is available again and the business is told', async ({ page, browser }) => {
      test.slow();
      const name = unique('Pain au chocolat');
      const business = await registerBusiness(page, js);
      const [href] = await post(page, js, [name]);
      const client = await newPage(browser, js);
      await registerClient(client, js, { name: 'Amina Njoya' });
      await claim(client, js, href);

      const row = await myClaim(client, js, name);
      await expect(row.getByTestId('claim-status')).toHaveText('To collect');
      await expect(row).toContainText('Cancel so that someone else can have the food.');
      await row.getByRole('button', { name: 'Cancel this claim' }).click();
      if (!js) await atPath(client, '/claims');
      // The claim stays under My claims, with what became of it.
      const cancelled = client.getByTestId('claim').filter({ hasText: name });
      await expect(cancelled.getByTestId('claim-status')).toHaveText('Cancelled');
      await expect(cancelled.getByRole('button', { name: 'Cancel this claim' })).toHaveCount(0);

      // Anyone can claim it again.
      await client.goto(href);
      await ready(client, js);
      await expect(client.getByTestId('listing-detail').getByTestId('state')).toHaveText('Available');
      await expect(client.getByRole('button', { name: 'Claim this food' })).toBeVisible();

      // The business sees it available again, with its history; and was emailed.
      const mine = await myListing(page, js, name);
      await expect(mine.getByTestId('state')).toHaveText('Available');
      await expect(mine.getByTestId('claimant')).toHaveCount(0);
      await mine.getByTestId('history').getByText('History').click();
      await expect(mine.getByTestId('history').getByRole('listitem')).toHaveText([/Claimed by Amina Njoya$/, /Cancelled by Amina Njoya$/]);
      await emailTo(business.email, `Amina Njoya gave back ${name}`);
      await client.context().close();
    });

    test('the business records a pickup; the client sees it and the next claim shows their record', async ({ page, browser }) => {
      test.slow();
      const [collected, missed] = [unique('Gâteau'), unique('Riz sauté')];
      await registerBusiness(page, js);
      const [first, second] = await post(page, js, [collected, missed]);
      const client = await newPage(browser, js);
      await registerClient(client, js, { name: 'Paul Mbarga' });
      await claim(client, js, first);
      await claim(client, js, second);

      // Collected.
      let mine = await myListing(page, js, collected);
      await expect(mine.getByTestId('reliability')).toHaveText('0 collected · 0 not collected · 0 cancelled late');
      await mine.getByTestId('pickup-question').getByRole('button', { name: 'Collected', exact: true }).click();
      if (!js) await atPath(page, '/business');
      mine = page.getByTestId('my-listing').filter({ hasText: collected });
      await expect(mine.getByTestId('pickup-outcome')).toContainText('Collected');
      await expect(mine.getByTestId('pickup-question')).toHaveCount(0);

      // Not collected, before the deadline: the food goes back in play.
      mine = page.getByTestId('my-listing').filter({ hasText: missed });
      await expect(mine.getByTestId('reliability')).toHaveText('1 collected · 0 not collected · 0 cancelled late');
      await mine.getByTestId('pickup-question').getByRole('button', { name: 'Not collected' }).click();
      if (!js) await atPath(page, '/business');
      mine = page.getByTestId('my-listing').filter({ hasText: missed });
      await expect(mine.getByTestId('state')).toHaveText('Available');
      await mine.getByTestId('history').getByText('History').click();
      await expect(mine.getByTestId('history').getByRole('listitem')).toHaveText([/Claimed by Paul Mbarga$/, /Not collected by Paul Mbarga$/]);

      // The client sees both outcomes under My claims.
      await expect((await myClaim(client, js, collected)).getByTestId('claim-status')).toHaveText('Collected');
      await expect(client.getByTestId('claim').filter({ hasText: missed }).getByTestId('claim-status')).toHaveText('Not collected');

      // The next claim of the food shows the business this client's record.
      await claim(client, js, second);
      mine = await myListing(page, js, missed);
      await expect(mine.getByTestId('reliability')).toHaveText('1 collected · 1 not collected · 0 cancelled late');
      await client.context().close();
    });

    test('a client says they collected it; the business sees it recorded', async ({ page, browser }) => {
      const name = unique('Poisson braisé');
      await registerBusiness(page, js);
      const [href] = await post(page, js, [name]);
      const client = await newPage(browser, js);
      await registerClient(client, js);
      await claim(client, js, href);

      const row = await myClaim(client, js, name);
      await row.getByRole('button', { name: 'I collected it' }).click();
      if (!js) await atPath(client, '/claims');
      const done = client.getByTestId('claim').filter({ hasText: name });
      await expect(done.getByTestId('claim-status')).toHaveText('Collected');
      await expect(done.getByRole('button')).toHaveCount(0);

      const mine = await myListing(page, js, name);
      await expect(mine.getByTestId('pickup-outcome')).toContainText('Collected');
      await client.context().close();
    });

    test('a fourth claim at once is refused, saying when the client can claim again', async ({ page, browser }) => {
      test.slow();
      const names = [unique('Plantains'), unique('Avocats'), unique('Mangues'), unique('Ananas')];
      await registerBusiness(page, js);
      const hrefs = await post(page, js, names);
      const client = await newPage(browser, js);
      await registerClient(client, js);
      for (const href of hrefs.slice(0, 3)) await claim(client, js, href);

      await client.goto(hrefs[3]);
      await ready(client, js);
      await client.getByRole('button', { name: 'Claim this food' }).click();
      if (!js) await atPath(client, new URL(hrefs[3], 'http://x').pathname);
      await expect(client.getByRole('alert')).toHaveText(
        /^You already hold 3 claims, the most at once\. Collect or cancel one to claim again; the first of them ends at .+\.$/,
      );
      await expect(client.getByTestId('claim-confirmation')).toHaveCount(0);
      await expect(client.getByTestId('listing-detail').getByTestId('state')).toHaveText('Available');

      // Giving one back makes room.
      const row = await myClaim(client, js, names[0]);
      await row.getByRole('button', { name: 'Cancel this claim' }).click();
      await expect(client.getByTestId('claim').filter({ hasText: names[0] }).getByTestId('claim-status')).toHaveText('Cancelled');
      await claim(client, js, hrefs[3]);
      await client.context().close();
    });

    test('a client joins the waiting list and is told when the food is given back', async ({ page, browser }) => {
      test.slow();
      const name = unique('Koki');
      await registerBusiness(page, js);
      const [href] = await post(page, js, [name]);
      const holder = await newPage(browser, js);
      await registerClient(holder, js, { name: 'Amina Njoya' });
      await claim(holder, js, href);

      const waiter = await newPage(browser, js);
      const paul = await registerClient(waiter, js, { name: 'Paul Biya' });
      await waiter.goto(href);
      await ready(waiter, js);
      await expect(waiter.getByTestId('listing-detail').getByTestId('state')).toHaveText('Claimed');
      await waiter.getByRole('button', { name: 'Tell me if it becomes available again' }).click();
      await expect(waiter.getByTestId('waiting')).toHaveText('You are on the waiting list: we will tell you if it becomes available again.');
      await expect(waiter.getByRole('button', { name: 'Leave the waiting list' })).toBeVisible();
      // The choice is kept.
      await waiter.reload();
      await ready(waiter, js);
      await expect(waiter.getByTestId('waiting')).toBeVisible();
      if (js) await expect(waiter.locator('body')).toHaveAttribute('data-live', 'open');

      const row = await myClaim(holder, js, name);
      await row.getByRole('button', { name: 'Cancel this claim' }).click();
      await expect(holder.getByTestId('claim').filter({ hasText: name }).getByTestId('claim-status')).toHaveText('Cancelled');

      if (js) {
        // The open page is told at once, and offers the claim.
        await expect(waiter.getByTestId('waited-notice')).toContainText('Food you were waiting for is available again');
        await expect(waiter.getByTestId('listing-detail').getByTestId('state')).toHaveText('Available');
      } else {
        await waiter.reload();
      }
      await emailTo(paul.email, `${name} is available again`);
      await waiter.getByRole('button', { name: 'Claim this food' }).click();
      if (!js) await atPath(waiter, '/claims');
      await expect(waiter.getByTestId('claim-confirmation')).toContainText("It's yours!");
      for (const p of [holder, waiter]) await p.context().close();
    });
  });
}

test('in French, the claim is given back and the business is emailed in French', async ({ page, browser }) => {
  const name = unique('Ndolé');
  const { email } = await registerBusiness(page, true);
  const [href] = await post(page, true, [name]);
  // The business reads French: its email about the cancel is in French.
  const business = page;
  await business.getByRole('link', { name: 'FR', exact: true }).click();
  await expect(business.locator('html')).toHaveAttribute('lang', 'fr');
  const client = await newPage(browser, true);
  await registerClient(client, true, { name: 'Amina Njoya' });
  await client.getByRole('link', { name: 'FR', exact: true }).click();
  await expect(client.locator('html')).toHaveAttribute('lang', 'fr');
  await client.goto(href);
  await ready(client, true);
  await client.getByRole('button', { name: 'Réserver cette nourriture' }).click();
  await expect(client.getByTestId('claim-confirmation')).toBeVisible();
  await client.goto('/claims');
  await ready(client, true);
  const row = client.getByTestId('claim').filter({ hasText: name });
  await row.getByRole('button', { name: 'Annuler ma réservation' }).click();
  await expect(row.getByTestId('claim-status')).toHaveText('Annulée');
  await business.goto('/business');
  await ready(business, true);
  await expect(business.getByTestId('my-listing').filter({ hasText: name }).getByTestId('state')).toHaveText('Disponible');
  await emailTo(email, `Amina Njoya a annulé : ${name}`);
  await client.context().close();
});
