/**
 * What the global setup started, handed to the test workers through environment variables (a
 * worker inherits the runner's environment as it was after `globalSetup`).
 */
import type { FilersReadyLine } from './filers-process.js'

const ENV = {
  baseUrl: 'SEASYNC_E2E_BASE_URL',
  filers: 'SEASYNC_E2E_FILERS',
  dir: 'SEASYNC_E2E_DIR',
} as const

export interface E2eEnv {
  /** The server under test, e.g. `http://127.0.0.1:41234`. */
  readonly baseUrl: string
  /** Filers A, B and C. */
  readonly filers: FilersReadyLine['filers']
  /** The run's temporary directory (server state, filer data, logs). */
  readonly dir: string
}

export function publishE2eEnv(env: E2eEnv): void {
  process.env[ENV.baseUrl] = env.baseUrl
  process.env[ENV.filers] = JSON.stringify(env.filers)
  process.env[ENV.dir] = env.dir
}

export function e2eEnv(): E2eEnv {
  const baseUrl = process.env[ENV.baseUrl]
  const filers = process.env[ENV.filers]
  const dir = process.env[ENV.dir]
  if (baseUrl === undefined || filers === undefined || dir === undefined) {
    throw new Error('the e2e global setup did not run: start the tests with `pnpm e2e`')
  }
  return { baseUrl, filers: JSON.parse(filers) as FilersReadyLine['filers'], dir }
}
