import { test, expect } from '@playwright/test';
import { atPath, ready, registerBusiness, registerClient, logIn, logOut, uniqueEmail, PASSWORD, endJourney } from './helpers.mjs';

test.afterEach(endJourney);

for (const js of [true, false]) {
  test.describe(`accounts (JavaScript ${js ? 'on' : 'off'})`, () => {
    test.use({ javaScriptEnabled: js });

    test('a business registers, logs out and logs back in', async ({ page }) => {
      const business = await registerBusiness(page, js);
      await expect(page.getByTestId('who')).toContainText(business.name);
      await expect(page.getByTestId('who')).toContainText('Business');
      await expect(page.getByTestId('account-details')).toContainText('+237677123456');
      await expect(page.getByTestId('account-details')).toContainText('Rue Joss, Akwa, Douala');

      await logOut(page, js);
      await expect(page.getByTestId('who')).toHaveCount(0);

      await logIn(page, js, business.email.toUpperCase());
      await atPath(page, '/business');
      await expect(page.getByTestId('who')).toContainText(business.name);
    });

    test('a client registers, lands on the food available and finds their account', async ({ page }) => {
      const client = await registerClient(page, js);
      await expect(page.getByTestId('who')).toContainText(client.name);
      await expect(page.getByTestId('who')).toContainText('Client');
      await expect(page.getByRole('heading', { level: 1 })).toHaveText('Food available now');
      await page.getByRole('link', { name: 'My account' }).click();
      await expect(page.getByTestId('account-details')).toContainText('+237699000000');
    });

    test('a wrong password is refused with one message, and the email stays', async ({ page }) => {
      const client = await registerClient(page, js);
      await logOut(page, js);
      await logIn(page, js, client.email, 'not-the-password');
      await expect(page.getByRole('alert')).toHaveText('Wrong email or password.');
      await expect(page.getByLabel('Email')).toHaveValue(client.email);
      // A plain post either way (the login form is no island): the password is typed again.
      await expect(page.getByLabel('Password')).toHaveValue('');

      await logIn(page, js, uniqueEmail('nobody'), PASSWORD);
      await expect(page.getByRole('alert')).toHaveText('Wrong email or password.');
    });

    test('a client is refused the business dashboard', async ({ page }) => {
      await registerClient(page, js);
      const response = await page.goto('/business');
      await ready(page, js);
      expect(response.status()).toBe(403);
      await expect(page.getByRole('alert')).toHaveText('This page is not available with your account.');
      await expect(page.getByTestId('account-details')).toHaveCount(0);
    });

    test('a visitor is sent to log in, then back to the page they wanted', async ({ page }) => {
      const business = await registerBusiness(page, js);
      await logOut(page, js);
      await page.goto('/business');
      await expect(page).toHaveURL(/\/login\?next=%2Fbusiness$/);
      await ready(page, js);
      await page.getByLabel('Email').fill(business.email);
      await page.getByLabel('Password').fill(PASSWORD);
      await page.getByRole('button', { name: 'Log in' }).click();
      await atPath(page, '/business');
      await expect(page.getByTestId('account-details')).toContainText(business.name);
    });

    test('a refused registration says what is wrong beside each field and keeps what was typed', async ({ page }) => {
      const taken = await registerClient(page, js);
      await logOut(page, js);

      await page.goto('/register/business');
      await ready(page, js);
      await page.getByLabel('Business name').fill('Chez Mama Ngono');
      await page.getByLabel('Pickup location').fill('Marché Mokolo, Yaoundé');
      await page.getByLabel('Email').fill(taken.email.toUpperCase());
      await page.getByLabel('Phone').fill('06 12 34 56 78');
      await page.getByLabel('Password').fill('1234567890');
      await page.getByRole('button', { name: 'Create my account' }).click();

      await expect(page.getByRole('alert')).toHaveText('Please correct the fields marked below.');
      await expect(page.locator('#field-email-error')).toHaveText('An account with this email already exists. Log in instead.');
      await expect(page.locator('#field-phone-error')).toHaveText('Numbers outside Cameroon must start with + and the country code.');
      await expect(page.locator('#field-password-error')).toHaveText('This password is too common: choose one that is harder to guess.');
      await expect(page.getByLabel('Business name')).toHaveValue('Chez Mama Ngono');
      await expect(page.getByLabel('Pickup location')).toHaveValue('Marché Mokolo, Yaoundé');
      await expect(page.getByLabel('Phone')).toHaveValue('06 12 34 56 78');
      await expect(page.getByLabel('Email')).toHaveAttribute('aria-invalid', 'true');
      await expect(page.getByTestId('who')).toHaveCount(0);
    });
  });
}

test('the forms are labelled in French too', async ({ page }) => {
  await page.goto('/lang/fr');
  await page.goto('/register/business');
  for (const label of ['Nom du commerce', 'Lieu de retrait', 'E-mail', 'Téléphone', 'Mot de passe']) {
    await expect(page.getByLabel(label)).toBeVisible();
  }
  await page.goto('/register/client');
  await expect(page.getByLabel('Nom du contact')).toBeVisible();
});
