/**
 * End-to-end tests in Chromium against console server mode (DESIGN.md "Tests"): a real node in a
 * temp data dir on free ports, the built renderer (`npm run build` runs first in `test:e2e`).
 * Uses the system Chromium (`/usr/bin/chromium` on Debian, `TB_CHROMIUM` to override); never
 * `playwright install`.
 */
import { defineConfig } from '@playwright/test';
import { findChromium } from './src/host/chromium.js';

export default defineConfig({
  testDir: 'e2e',
  testMatch: '*.spec.ts',
  // Two cores shared with the node under test: one browser at a time.
  workers: 1,
  fullyParallel: false,
  timeout: 90_000,
  expect: { timeout: 20_000 },
  retries: 0,
  reporter: [['list']],
  outputDir: 'test-results',
  use: {
    browserName: 'chromium',
    viewport: { width: 1280, height: 800 },
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
    launchOptions: {
      executablePath: findChromium() ?? '/usr/bin/chromium',
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    },
  },
});
