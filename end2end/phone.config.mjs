// The slow-phone measurement (bench/phone.sh), not a test of the suite: the release build, on
// a fresh SQLite database, in Chromium throttled to Slow 3G. It prints figures; it asserts only
// what must hold whatever the speed (the page becomes interactive, a repeat visit fetches none
// of the site's files again).
import { defineConfig } from '@playwright/test';
import base from './playwright.config.mjs';
import os from 'node:os';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..');
const targetDir = process.env.CARGO_TARGET_DIR ?? path.join(root, 'target');
const serverBin = process.env.FOODBRIDGE_SERVER_BIN ?? path.join(targetDir, 'release', 'server');
const dataDir = process.env.PHONE_DATA_DIR ?? path.join(os.tmpdir(), 'foodbridge-phone');
const port = Number(process.env.PHONE_PORT ?? 3200);
const baseURL = `http://127.0.0.1:${port}`;

export default defineConfig({
  ...base,
  testDir: './phone',
  timeout: 300_000,
  workers: 1,
  retries: 0,
  use: { ...base.use, baseURL },
  webServer: {
    ...base.webServer,
    command: serverBin,
    url: `${baseURL}/healthz`,
    env: {
      ...base.webServer.env,
      DATABASE_URL: `sqlite://${path.join(dataDir, 'phone.db')}?mode=rwc`,
      LISTEN_ADDR: `127.0.0.1:${port}`,
      MAIL_DIR: path.join(dataDir, 'mail'),
    },
  },
});
