import { test, expect } from '@playwright/test';
import AxeBuilder from '@axe-core/playwright';
import { postListingUntil, endJourney, ready, registerBusiness, registerClient, uniqueName } from './helpers.mjs';

test.afterEach(endJourney);

/** The serious and critical WCAG 2 A/AA violations axe-core finds on the page as it is. */
async function violations(page) {
  const { violations } = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']).analyze();
  return violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.help} at ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}

/** Lets a form reach the server's checks (the browser's own would stop it first). */
async function noBrowserChecks(page) {
  await page.locator('form').evaluateAll((forms) => forms.forEach((f) => { f.noValidate = true; }));
}

// axe-core runs in the page, so "JavaScript off" is the page as the server sent it: the WASM and
// its JavaScript are never fetched, and the forms post as plain HTML forms.
for (const js of [true, false]) {
  test.describe(`accessibility (JavaScript ${js ? 'on' : 'off'})`, () => {
    test('every page has no serious or critical axe violation, a skip link and a title of its own', async ({ page, browser }) => {
      test.slow();
      if (!js) await page.route('**/pkg/**', (route) => route.abort());
      const seen = new Map();
      const check = async (path, what = path) => {
        if (path) await page.goto(path);
        await ready(page, js);
        const title = await page.title();
        expect(title, `${what}: title`).toMatch(/ · FoodBridge$/);
        seen.set(what, title);
        await expect(page.locator('a.skip-link[href="#content"]'), what).toHaveCount(1);
        expect(await violations(page), what).toEqual([]);
      };

      // A visitor.
      for (const path of ['/', '/browse', '/login', '/register', '/register/business', '/register/client', '/no-such-page']) {
        await check(path);
      }
      // A refused form: each problem is shown and linked to its field.
      await page.goto('/register/client');
      await ready(page, js);
      await page.getByLabel('Email').fill('not-an-email');
      await noBrowserChecks(page);
      await page.getByRole('button', { name: 'Create my account' }).click();
      await expect(page.locator('.field-error').first()).toBeVisible();
      await check(null, 'refused registration');

      // A business: its dashboard, the listing form (also refused), its account.
      await registerBusiness(page, js);
      const name = uniqueName('Ndolé');
      await postListingUntil(page, { name, until: new Date(Date.now() + 3 * 3600_000) });
      for (const path of ['/business', '/listings/new', '/account']) await check(path);
      await page.goto('/listings/new');
      await ready(page, js);
      await noBrowserChecks(page);
      await page.getByRole('button', { name: 'Post the listing' }).click();
      await expect(page.locator('.field-error').first()).toBeVisible();
      await check(null, 'refused listing form');

      // A client: the listing's page, their claims.
      const context = await browser.newContext();
      const client = await context.newPage();
      await registerClient(client, true);
      const href = await client.getByTestId('listing-card').filter({ hasText: name }).locator('a').getAttribute('href');
      await context.close();
      await page.context().clearCookies();
      await registerClient(page, js);
      for (const path of ['/browse', href, '/claims']) await check(path);

      // Titles differ from page to page.
      const titles = [...seen.values()];
      expect(new Set(titles).size, titles.join(' | ')).toBeGreaterThan(8);
    });
  });
}
