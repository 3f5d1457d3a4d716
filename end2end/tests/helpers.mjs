import { expect } from '@playwright/test';

/** Waits until the WASM has taken over the server-rendered page. */
export async function hydrated(page) {
  await expect(page.locator('body')).toHaveAttribute('data-hydrated', 'true', { timeout: 15_000 });
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
  await expect(page).toHaveURL(/\/business$/);
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
  await expect(page).toHaveURL(/\/account$/);
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
