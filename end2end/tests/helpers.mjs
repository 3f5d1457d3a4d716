import { expect } from '@playwright/test';
import fs from 'node:fs';
import path from 'node:path';
import { mailDir } from '../playwright.config.mjs';

/**
 * For `test.afterEach` in every spec file: when a journey fails, prints every page it had open
 * (address, language, main content), since the pages of extra browser contexts are in no
 * trace; then closes them. The browser is the worker's: left open, a journey's pages kept their
 * live streams (or their attempts to reach a stopped replica) going through every later journey
 * of the worker, and showed in later failure reports as if they were the failing journey's.
 * (A hook registered here would attach only to the first file that imports this one.)
 */
export async function endJourney({ browser }, testInfo) {
  await printPages(browser, testInfo);
  await Promise.all(browser.contexts().map((context) => context.close()));
}

async function printPages(browser, testInfo) {
  if (testInfo.status === testInfo.expectedStatus) return;
  for (const context of browser.contexts()) {
    // The language cookie the browser holds: a page in a language nobody chose was seen.
    const cookies = await context.cookies().catch(() => []);
    const language = cookies.find((c) => c.name === 'i18n_pref_locale')?.value ?? 'none';
    for (const page of context.pages()) {
      const html = await page.content().catch((e) => `(unreadable: ${e.message})`);
      const lang = `${html.match(/<html[^>]*>/)?.[0] ?? ''}${html.match(/<body[^>]*>/)?.[0] ?? ''}`;
      const main = html.match(/<main[\s\S]*<\/main>/)?.[0] ?? html;
      console.log(`--- page ${page.url()}\n${lang}\n${main}\n`);
      // The failure report prints short text attachments (300 characters each) beside the
      // error, where a log's tail still shows them: the page's words, and what went wrong in it.
      const text = await page.locator('main').innerText({ timeout: 1_000 }).catch(() => '');
      await testInfo.attach(`page ${page.url()}`, {
        body: `${lang} (language cookie: ${language})\n${text.replace(/\s+/g, ' ')}`,
        contentType: 'text/plain',
      });
      const errors = [
        ...(await page.pageErrors().catch(() => [])).map((e) => e.message),
        ...(await page.consoleMessages().catch(() => []))
          .filter((m) => m.type() === 'error')
          .map((m) => m.text()),
      ];
      if (errors.length) {
        await testInfo.attach(`errors on ${page.url()}`, { body: errors.join('\n'), contentType: 'text/plain' });
      }
    }
  }
}

/** Waits until the WASM has taken over the server-rendered page. */
export async function hydrated(page) {
  await expect(page.locator('body')).toHaveAttribute('data-hydrated', 'true', { timeout: 15_000 });
}

/** Waits until the page is at exactly `path` (query string aside). */
export async function atPath(page, path) {
  await expect(page).toHaveURL((url) => url.pathname === path);
}

/** After a navigation: hydrated pages must finish hydrating before they are used. */
export async function ready(page, js) {
  await page.waitForLoadState('domcontentloaded');
  if (js) await hydrated(page);
}

let counter = 0;
/** An email nobody else uses, in this run or any other. */
export function uniqueEmail(who) {
  counter += 1;
  return `${who}-${Date.now()}-${process.pid}-${counter}@example.cm`;
}

/** A listing's name no other journey uses, even one started in the same second by another
 * worker (a name is looked for on pages that show other journeys' listings too). */
export function uniqueName(food) {
  counter += 1;
  return `${food} ${Date.now() % 1e7}${process.pid % 1000}${counter}`;
}

export const PASSWORD = 'mangue-plantain-2026';

export async function registerBusiness(page, js, { name = 'Boulangerie du Coin', email = uniqueEmail('bakery') } = {}) {
  await page.goto('/register/business');
  await ready(page, js);
  await page.getByLabel('Business name').fill(name);
  await page.getByLabel('Pickup location').fill('Rue Joss, Akwa, Douala');
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Phone').fill('6 77 12 34 56');
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Create my account' }).click();
  await atPath(page, '/business');
  return { name, email };
}

export async function registerClient(page, js, { name = 'Amina Njoya', email = uniqueEmail('client') } = {}) {
  await page.goto('/register/client');
  await ready(page, js);
  await page.getByLabel('Contact name').fill(name);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Phone').fill('699 00 00 00');
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Create my account' }).click();
  await atPath(page, '/browse');
  return { name, email };
}

export async function logIn(page, js, email, password = PASSWORD) {
  await page.goto('/login');
  await ready(page, js);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Log in' }).click();
}

export async function logOut(page, js) {
  await ready(page, js);
  await page.getByRole('button', { name: 'Log out' }).click();
  await expect(page.getByRole('link', { name: 'Log in' })).toBeVisible();
}

/** A JPEG photo drawn by the browser itself (a loaf on a board), `width` × `height`. */
export async function photo(page, width = 1600, height = 1200) {
  const dataUrl = await page.evaluate(([w, h]) => {
    const canvas = document.createElement('canvas');
    canvas.width = w;
    canvas.height = h;
    const g = canvas.getContext('2d');
    const sky = g.createLinearGradient(0, 0, 0, h);
    sky.addColorStop(0, '#f4e4c1');
    sky.addColorStop(1, '#b98b4e');
    g.fillStyle = sky;
    g.fillRect(0, 0, w, h);
    g.fillStyle = '#8a4b16';
    g.beginPath();
    g.ellipse(w / 2, h / 2, w / 3, h / 5, 0, 0, 2 * Math.PI);
    g.fill();
    return canvas.toDataURL('image/jpeg', 0.9);
  }, [width, height]);
  return { name: 'bread.jpg', mimeType: 'image/jpeg', buffer: Buffer.from(dataUrl.split(',')[1], 'base64') };
}

/** `YYYY-MM-DDTHH:MM` in Cameroon time (UTC+1), `hours` from now. */
export function siteTime(hours) {
  const t = new Date(Date.now() + hours * 3600_000 + 3600_000);
  return t.toISOString().slice(0, 16);
}

export async function postListing(page, js, { name = 'Pain complet', hours = 3, file } = {}) {
  await page.goto('/listings/new');
  await ready(page, js);
  await page.getByLabel('What food is it?').fill(name);
  await page.getByLabel('Quantity').fill('12');
  await page.getByLabel('Unit').selectOption('loaves');
  await page.getByLabel('Category').selectOption('bakery');
  await page.getByLabel('Vegan').check();
  await page.getByLabel('Description').fill('Baked this morning, still soft.');
  await page.getByLabel('Available until').fill(siteTime(hours));
  await page.getByLabel('Photo').setInputFiles(file ?? (await photo(page)));
  await page.getByRole('button', { name: 'Post the listing' }).click();
}

/**
 * Posts a listing through the `create_listing` endpoint, as the logged-in business of `page`,
 * with a deadline to the second (`until`, a `Date`), which the form's minute field cannot give.
 */
export async function postListingUntil(page, { name, until }) {
  const siteUntil = new Date(until.getTime() + 3600_000).toISOString().slice(0, 19);
  const response = await page.request.post('/api/create_listing', {
    multipart: {
      item_name: name,
      quantity: '4',
      unit: 'trays',
      category: 'prepared_meals',
      description: '',
      pickup_from: '',
      available_until: siteUntil,
      photo: await photo(page, 640, 480),
    },
    maxRedirects: 0,
  });
  expect(response.status(), await response.text()).toBeLessThan(400);
}

/** The header lines of an `.eml` file, folded lines joined. */
function headerLines(eml) {
  return eml.split('\r\n\r\n')[0].replace(/\r\n[ \t]+/g, ' ').split('\r\n');
}

/**
 * The email the server wrote to `address` (as an `.eml` file), once it has been sent; with
 * `subject`, the one with that subject (an address is often written to more than once).
 */
export async function emailTo(address, subject) {
  let found;
  await expect(async () => {
    const files = fs.existsSync(mailDir) ? fs.readdirSync(mailDir) : [];
    found = files
      .map((f) => fs.readFileSync(path.join(mailDir, f), 'utf8'))
      .find(
        (eml) =>
          headerLines(eml).some((line) => line.startsWith('To: ') && line.includes(`<${address}>`)) &&
          (subject === undefined || subjectOf(eml) === subject),
      );
    expect(found, `an email to ${address}${subject === undefined ? '' : ` about "${subject}"`}`).toBeTruthy();
  }).toPass({ timeout: 15_000 });
  return found;
}

/** An email's Subject, its MIME encoded-words (`=?utf-8?b?…?=`) decoded. */
export function subjectOf(eml) {
  const subject = headerLines(eml).find((line) => line.startsWith('Subject: ')).slice('Subject: '.length);
  return subject
    .replace(/\?=\s+=\?/g, '?==?')
    .replace(/=\?utf-8\?b\?([^?]*)\?=/gi, (_, b64) => Buffer.from(b64, 'base64').toString('utf8'));
}
