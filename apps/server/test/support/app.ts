import { onTestFinished } from 'vitest'
import { buildApp, type AppOptions, type SeaSyncApp } from '../../src/app.js'
import { loadConfig, type Config } from '../../src/config.js'

/**
 * A valid configuration (defaults, data dir under /tmp never touched) with `overrides`. The demo
 * is off unless a test turns it on: it would add clusters, edges and filers to every app.
 */
export function testConfig(overrides: Partial<Config> = {}): Readonly<Config> {
  const base = loadConfig({ env: {}, argv: [], cwd: '/tmp/seasync-test-unused' })
  return Object.freeze({ ...base, demo: false, ...overrides })
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
