import { expect } from '@playwright/test';

/** Waits until the WASM has taken over the server-rendered page. */
export async function hydrated(page) {
  await expect(page.locator('body')).toHaveAttribute('data-hydrated', 'true', { timeout: 15_000 });
}
