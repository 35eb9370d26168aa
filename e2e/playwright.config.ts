import { defineConfig } from '@playwright/test'

const CI = process.env.CI !== undefined && process.env.CI !== '' && process.env.CI !== 'false'

/**
 * The dashboard end to end, in Debian's Chromium (`apt install chromium`; Playwright never
 * downloads a browser here): `pnpm e2e` from the repository root. `global-setup.ts` builds the
 * dashboard if needed and starts three filers and the server; the specs share them, one test at a
 * time (a 2-core machine runs the server, the filers and the browser).
 */
export default defineConfig({
  testDir: './specs',
  outputDir: './test-results',
  globalSetup: './global-setup.ts',
  fullyParallel: false,
  workers: 1,
  forbidOnly: CI,
  retries: CI ? 1 : 0,
  timeout: 60_000,
  expect: { timeout: 15_000 },
  reporter: CI ? [['list'], ['html', { open: 'never' }]] : [['list']],
  use: {
    headless: true,
    viewport: { width: 1280, height: 800 },
    trace: 'on-first-retry',
    screenshot: 'only-on-failure',
    launchOptions: {
      executablePath: process.env.SEASYNC_E2E_CHROMIUM ?? '/usr/bin/chromium',
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
      ],
    },
  },
  projects: [{ name: 'chromium', use: { browserName: 'chromium' } }],
})
