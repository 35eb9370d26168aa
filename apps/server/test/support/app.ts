import { fileURLToPath } from 'node:url'
import { onTestFinished } from 'vitest'
import { buildApp, type AppOptions, type SeaSyncApp } from '../../src/app.js'
import { loadConfig, type Config } from '../../src/config.js'

/**
 * A built dashboard of one `index.html`: apps/web/dist may not be built when tests run, and the
 * server warns about a missing one (tests that check the log for warnings would see it).
 */
export const FIXTURE_WEB_DIR = fileURLToPath(new URL('../fixtures/web', import.meta.url))

/**
 * A valid configuration (defaults, data dir under /tmp never touched, the fixture dashboard) with
 * `overrides`. The demo is off unless a test turns it on: it would add clusters, edges and filers
 * to every app.
 */
export function testConfig(overrides: Partial<Config> = {}): Readonly<Config> {
  const base = loadConfig({ env: {}, argv: [], cwd: '/tmp/seasync-test-unused' })
  return Object.freeze({ ...base, demo: false, webDir: FIXTURE_WEB_DIR, ...overrides })
}

/** An app on an in-memory database, closed when the test ends. */
export function buildTestApp(
  overrides: Partial<Config> = {},
  options: AppOptions = {},
): SeaSyncApp {
  const app = buildApp(testConfig(overrides), { dbFile: ':memory:', ...options })
  onTestFinished(() => app.close())
  return app
}

/** Collects the log lines of an app built with `loggerOptions(level, log.write)`. */
export function logCapture(): { readonly write: (line: string) => void; text: () => string } {
  const lines: string[] = []
  return { write: (line) => void lines.push(line), text: () => lines.join('') }
}
