import { SyncError } from '../errors.js'

/**
 * The one retry policy (STYLE.md practice 12): exponential backoff with FULL jitter and a cap.
 *
 * After the n-th consecutive failed attempt (n = 1, 2, …) the wait is drawn uniformly from
 * `[0, min(maxMs, initialMs × factor^(n-1)))`. Full jitter (AWS Architecture Blog, "Exponential
 * Backoff And Jitter") spreads reconnecting clients out, so many replicators whose filer comes
 * back at once do not hammer it in lockstep. With the defaults the ceilings are 1 s, 2 s, 4 s, …
 * 64 s, then 120 s for every later attempt.
 *
 * Go's filer.sync sleeps a fixed 1747 ms / 2147 ms between subscribe attempts (spec §5.7) and
 * retries jobs 5 times at most in 4.23 (§4.4); this policy replaces both, per the design.
 */
export interface BackoffOptions {
  /** Ceiling of the first wait, milliseconds. Default 1000. */
  initialMs: number
  /** Cap on every wait, milliseconds. Default 120 000 (2 min, Go 4.31's chunk-copy cap). */
  maxMs: number
  /** Growth of the ceiling per failed attempt (≥ 1). Default 2. */
  factor: number
  /** Attempts in total (the first try included) before giving up; `undefined` = forever. */
  maxAttempts: number | undefined
}

/** Defaults of {@link BackoffOptions}: 1 s doubling to 2 min, retrying forever. */
export const BackoffDefaults: Readonly<BackoffOptions> = Object.freeze({
  initialMs: 1000,
  maxMs: 120_000,
  factor: 2,
  maxAttempts: undefined,
})

/**
 * Check backoff options once (STYLE.md practice 6); throws `SyncError('SYNC_ERR_OPTIONS')` naming
 * the offending field. Returns the merged, frozen options.
 */
export function validateBackoffOptions(
  options: Partial<BackoffOptions> = {},
): Readonly<BackoffOptions> {
  const merged = withDefaults(options)
  const fail = (field: string, rule: string, value: unknown): never => {
    throw new SyncError(
      'SYNC_ERR_OPTIONS',
      `backoff.${field} must be ${rule}, got ${String(value)}`,
    )
  }
  if (!Number.isFinite(merged.initialMs) || merged.initialMs < 0) {
    fail('initialMs', 'a finite number ≥ 0', merged.initialMs)
  }
  if (!Number.isFinite(merged.maxMs) || merged.maxMs < merged.initialMs) {
    fail('maxMs', 'a finite number ≥ initialMs', merged.maxMs)
  }
  if (!Number.isFinite(merged.factor) || merged.factor < 1) {
    fail('factor', 'a finite number ≥ 1', merged.factor)
  }
  if (
    merged.maxAttempts !== undefined &&
    (!Number.isInteger(merged.maxAttempts) || merged.maxAttempts < 1)
  ) {
    fail('maxAttempts', 'an integer ≥ 1 or undefined', merged.maxAttempts)
  }
  return Object.freeze(merged)
}

/**
 * The wait before retrying after `attempt` consecutive failures (1 = the first try failed),
 * in whole milliseconds: `floor(random() × min(maxMs, initialMs × factor^(attempt-1)))`.
 * `attempt` below 1 is treated as 1. `random` must return a number in `[0, 1)`; it is a
 * parameter so tests can pin the jitter. Does not check `maxAttempts`: see
 * {@link attemptsExhausted}.
 */
export function backoffDelayMs(
  attempt: number,
  options: Partial<BackoffOptions> = BackoffDefaults,
  random: () => number = Math.random,
): number {
  const { initialMs, maxMs, factor } = withDefaults(options)
  const exponent = Math.max(0, Math.floor(attempt) - 1)
  const raw = initialMs * factor ** exponent
  // initialMs = 0 with a huge exponent gives 0 × Infinity = NaN: no wait at all then.
  const ceiling = Number.isNaN(raw) ? 0 : Math.min(maxMs, raw)
  return Math.floor(random() * ceiling)
}

/** True when `attempt` failed attempts have used up `maxAttempts` (never, when it is undefined). */
export function attemptsExhausted(
  attempt: number,
  options: Partial<BackoffOptions> = BackoffDefaults,
): boolean {
  const { maxAttempts } = withDefaults(options)
  return maxAttempts !== undefined && attempt >= maxAttempts
}

/** Defaults for absent or `undefined` fields (a plain spread would let `undefined` override). */
function withDefaults(options: Partial<BackoffOptions>): BackoffOptions {
  return {
    initialMs: options.initialMs ?? BackoffDefaults.initialMs,
    maxMs: options.maxMs ?? BackoffDefaults.maxMs,
    factor: options.factor ?? BackoffDefaults.factor,
    maxAttempts: options.maxAttempts ?? BackoffDefaults.maxAttempts,
  }
}
