/**
 * The tests' fixtures (STYLE.md §15): the server and filers the global setup started, an API client
 * that starts every test from an empty topology, the page object, and `shot()` for the screenshots
 * of the main views kept with the test results.
 */
import { join } from 'node:path'
import { test as base, expect, type Page } from '@playwright/test'
import { DashboardPage } from './pages/dashboard-page.js'
import { SeaSyncApi } from './support/api.js'
import { e2eEnv, type E2eEnv } from './support/e2e-env.js'

export interface Fixtures {
  /** Filers A, B and C: addresses for the forms, HTTP addresses to write and read files. */
  filers: E2eEnv['filers']
  /** The API of the server under test; the topology is empty when the test starts. */
  api: SeaSyncApi
  /** The dashboard of the server under test (not opened yet: `dashboard.open()`). */
  dashboard: DashboardPage
  /**
   * Saves a full-page screenshot as `test-results/screenshots/<name>.png` (stable names, so the
   * main views are easy to find) and attaches it to the test's report.
   */
  shot: (name: string, page?: Page) => Promise<void>
}

export const test = base.extend<Fixtures, { e2e: E2eEnv }>({
  // Playwright reads a fixture's dependencies from its first parameter's pattern: `{}` is none.
  // eslint-disable-next-line no-empty-pattern
  e2e: [async ({}, use) => use(e2eEnv()), { scope: 'worker' }],
  baseURL: async ({ e2e }, use) => use(e2e.baseUrl),
  api: async ({ e2e }, use) => {
    const api = new SeaSyncApi(e2e.baseUrl)
    await api.reset()
    await use(api)
  },
  filers: async ({ e2e }, use) => use(e2e.filers),
  dashboard: async ({ page }, use) => use(new DashboardPage(page)),
  shot: async ({ page }, use, testInfo) => {
    await use(async (name, target = page) => {
      const path = join(testInfo.project.outputDir, 'screenshots', `${name}.png`)
      await target.screenshot({ path, fullPage: true })
      await testInfo.attach(name, { path, contentType: 'image/png' })
    })
  },
})

export { expect }
