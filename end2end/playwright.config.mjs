// Journeys in Debian's Chromium against a real FoodBridge server on a fresh SQLite database.
// The server binary comes from `cargo leptos build`; scripts/test.sh sets the paths.
import { defineConfig } from '@playwright/test';
import os from 'node:os';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..');
const targetDir = process.env.CARGO_TARGET_DIR ?? path.join(root, 'target');
const serverBin = process.env.FOODBRIDGE_SERVER_BIN ?? path.join(targetDir, 'debug', 'server');
const dataDir = process.env.E2E_DATA_DIR ?? path.join(os.tmpdir(), 'foodbridge-e2e');
const port = Number(process.env.E2E_PORT ?? 3100);
export const baseURL = `http://127.0.0.1:${port}`;
/** Where the server writes its emails as `.eml` files (no SMTP_URL here). */
export const mailDir = path.join(dataDir, 'mail');

export default defineConfig({
  testDir: './tests',
  // CI runs two journeys at once on 2 cores beside the debug server: one that takes 7 s alone
  // was seen to take 30 s there.
  timeout: process.env.CI ? 60_000 : 30_000,
  expect: { timeout: 5_000 },
  fullyParallel: true,
  workers: process.env.CI ? 2 : undefined,
  forbidOnly: !!process.env.CI,
  // One retry under CI only, reported as "flaky", never hidden. The flake it was kept for (a
  // page without its claim button) was a page in another user's language, fixed in
  // `server/src/router.rs` (`run_isolated`).
  retries: process.env.CI ? 1 : 0,
  reporter: [['list']],
  use: {
    baseURL,
    browserName: 'chromium',
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    },
    trace: 'off',
  },
  webServer: {
    command: serverBin,
    cwd: root,
    url: `${baseURL}/healthz`,
    reuseExistingServer: false,
    timeout: 60_000,
    stdout: 'ignore',
    stderr: 'pipe',
    env: {
      DATABASE_URL: `sqlite://${path.join(dataDir, 'e2e.db')}?mode=rwc`,
      LISTEN_ADDR: `127.0.0.1:${port}`,
      LEPTOS_SITE_ROOT: path.join(root, 'target', 'site'),
      MAIL_DIR: mailDir,
      RUST_LOG: 'warn',
    },
  },
});
