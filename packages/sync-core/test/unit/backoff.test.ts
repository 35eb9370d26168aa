import fc from 'fast-check'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { SyncError, SyncStoppedError } from '../../src/errors.js'
import { abortableSleep, deadlineSignal, isAbortError, linkSignals } from '../../src/util/abort.js'
import {
  attemptsExhausted,
  BackoffDefaults,
  backoffDelayMs,
  validateBackoffOptions,
} from '../../src/util/backoff.js'

/** A `random` that returns just below 1: the delay equals the ceiling minus rounding. */
const top = (): number => 1 - Number.EPSILON
const half = (): number => 0.5

describe('BackoffDefaults', () => {
  it('are 1 s initial, 2 min cap, factor 2, forever; frozen', () => {
    expect(BackoffDefaults).toEqual({
      initialMs: 1000,
      maxMs: 120_000,
      factor: 2,
      maxAttempts: undefined,
    })
    expect(Object.isFrozen(BackoffDefaults)).toBe(true)
  })
})

describe('backoffDelayMs (full jitter with a cap)', () => {
  it('ceilings grow 1 s, 2 s, 4 s … and stop at 120 s', () => {
    const ceilings = [1, 2, 3, 4, 5, 6, 7, 8, 9, 20].map((n) => backoffDelayMs(n, {}, top))
    expect(ceilings).toEqual([999, 1999, 3999, 7999, 15999, 31999, 63999, 119999, 119999, 119999])
  })

  it('draws uniformly below the ceiling (random × ceiling, floored)', () => {
    expect(backoffDelayMs(1, {}, () => 0)).toBe(0)
    expect(backoffDelayMs(1, {}, half)).toBe(500)
    expect(backoffDelayMs(3, {}, half)).toBe(2000)
    expect(backoffDelayMs(3, { initialMs: 100, factor: 3 }, half)).toBe(450)
  })

  it('treats attempt < 1 as the first attempt and survives huge attempts', () => {
    expect(backoffDelayMs(0, {}, half)).toBe(500)
    expect(backoffDelayMs(-3, {}, half)).toBe(500)
    expect(backoffDelayMs(10_000, {}, half)).toBe(60_000)
    expect(backoffDelayMs(10_000, { initialMs: 0, maxMs: 0 }, half)).toBe(0)
  })

  it('ignores explicitly undefined fields (defaults apply)', () => {
    expect(backoffDelayMs(2, { initialMs: undefined, factor: undefined }, half)).toBe(1000)
  })

  it('always returns an integer in [0, min(maxMs, initialMs × factor^(n-1))) (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 200 }),
        fc.integer({ min: 0, max: 10_000 }),
        fc.integer({ min: 0, max: 1_000_000 }),
        fc.double({ min: 1, max: 5, noNaN: true }),
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        (attempt, initialMs, extra, factor, r) => {
          const maxMs = initialMs + extra
          const delay = backoffDelayMs(attempt, { initialMs, maxMs, factor }, () => r)
          const ceiling = Math.min(maxMs, initialMs * factor ** (attempt - 1))
          expect(Number.isInteger(delay)).toBe(true)
          expect(delay).toBeGreaterThanOrEqual(0)
          expect(delay).toBeLessThanOrEqual(ceiling)
          if (ceiling > 0) expect(delay).toBeLessThan(ceiling)
        },
      ),
    )
  })
})

describe('attemptsExhausted', () => {
  it('never with the default (retry forever)', () => {
    expect(attemptsExhausted(1_000_000)).toBe(false)
  })

  it('after maxAttempts failed attempts', () => {
    expect(attemptsExhausted(2, { maxAttempts: 3 })).toBe(false)
    expect(attemptsExhausted(3, { maxAttempts: 3 })).toBe(true)
  })
})

describe('validateBackoffOptions', () => {
  it('merges defaults and freezes', () => {
    const o = validateBackoffOptions({ maxAttempts: 5 })
    expect(o).toEqual({ ...BackoffDefaults, maxAttempts: 5 })
    expect(Object.isFrozen(o)).toBe(true)
  })

  it.each([
    [{ initialMs: -1 }, 'initialMs'],
    [{ initialMs: Number.NaN }, 'initialMs'],
    [{ maxMs: 10 }, 'maxMs'],
    [{ factor: 0.5 }, 'factor'],
    [{ maxAttempts: 0 }, 'maxAttempts'],
    [{ maxAttempts: 1.5 }, 'maxAttempts'],
  ])('rejects %j naming %s', (options, field) => {
    expect(() => validateBackoffOptions(options)).toThrow(SyncError)
    expect(() => validateBackoffOptions(options)).toThrow(`backoff.${field}`)
  })
})

// The abort helpers that every backoff wait goes through (src/util/abort.ts).
describe('abort helpers', () => {
  afterEach(() => {
    vi.useRealTimers()
  })

  it('abortableSleep resolves after ms and leaves no timer behind', async () => {
    vi.useFakeTimers()
    const signal = new AbortController().signal
    const sleep = abortableSleep(1000, signal)
    expect(vi.getTimerCount()).toBe(1)
    await vi.advanceTimersByTimeAsync(1000)
    await expect(sleep).resolves.toBeUndefined()
    expect(vi.getTimerCount()).toBe(0)
  })

  it('abortableSleep rejects with SyncStoppedError on abort and clears its timer', async () => {
    vi.useFakeTimers()
    const controller = new AbortController()
    const sleep = abortableSleep(60_000, controller.signal)
    const reason = new Error('stop requested')
    controller.abort(reason)
    const err: unknown = await sleep.catch((e: unknown) => e)
    expect(err).toBeInstanceOf(SyncStoppedError)
    expect((err as SyncStoppedError).cause).toBe(reason)
    expect(vi.getTimerCount()).toBe(0)
  })

  it('abortableSleep rejects at once when the signal is already aborted', async () => {
    await expect(abortableSleep(60_000, AbortSignal.abort())).rejects.toBeInstanceOf(
      SyncStoppedError,
    )
  })

  it('linkSignals aborts with the first source’s reason and cleanup detaches it', () => {
    const a = new AbortController()
    const b = new AbortController()
    const linked = linkSignals(a.signal, undefined, b.signal)
    b.abort('b-reason')
    expect(linked.signal.aborted).toBe(true)
    expect(linked.signal.reason).toBe('b-reason')

    const c = new AbortController()
    const other = linkSignals(c.signal)
    other.cleanup()
    c.abort()
    expect(other.signal.aborted).toBe(false)
    expect(linkSignals(AbortSignal.abort('x')).signal.reason).toBe('x')
  })

  it('deadlineSignal aborts with a TimeoutError after ms, or with the parent’s reason', () => {
    vi.useFakeTimers()
    const d = deadlineSignal(500)
    vi.advanceTimersByTime(499)
    expect(d.signal.aborted).toBe(false)
    vi.advanceTimersByTime(1)
    expect(d.signal.aborted).toBe(true)
    expect((d.signal.reason as DOMException).name).toBe('TimeoutError')
    expect(isAbortError(d.signal.reason)).toBe(false)

    const parent = new AbortController()
    const p = deadlineSignal(500, parent.signal)
    parent.abort('parent')
    expect(p.signal.reason).toBe('parent')
    p.cleanup()
    expect(vi.getTimerCount()).toBe(0)

    const cleaned = deadlineSignal(500)
    cleaned.cleanup()
    expect(vi.getTimerCount()).toBe(0)
    expect(deadlineSignal(0).signal.aborted).toBe(true)
    expect(deadlineSignal(Infinity).signal.aborted).toBe(false)
  })

  it('isAbortError recognizes SyncStoppedError and AbortError names only', () => {
    expect(isAbortError(new SyncStoppedError())).toBe(true)
    expect(isAbortError(new DOMException('x', 'AbortError'))).toBe(true)
    expect(isAbortError(new SyncError('SYNC_ERR_INTERNAL', 'x'))).toBe(false)
    expect(isAbortError('AbortError')).toBe(false)
  })
})
