import { SyncStoppedError } from '../errors.js'

/**
 * AbortSignal helpers (STYLE.md practice 10). Every helper that registers a listener or a timer
 * hands back a `cleanup` to call in `finally`, so long-lived parent signals (a replicator's stop
 * signal) do not accumulate listeners, one per call, for the life of the process.
 */

/** A derived signal and the function that detaches it from its sources. */
export interface SignalHandle {
  readonly signal: AbortSignal
  /** Removes the listeners (and timer) this handle registered. Idempotent. */
  cleanup(): void
}

/** `setTimeout` treats delays above 2^31-1 ms (~24.8 days) as 1 ms; we clamp instead. */
const MAX_TIMER_MS = 2 ** 31 - 1

/**
 * A signal that aborts as soon as any of `signals` aborts, with that signal's `reason`.
 * `undefined` entries are skipped, so optional signals can be passed straight through.
 * If one is already aborted the result is aborted on return.
 *
 * We do not use `AbortSignal.any()`: on Node 20 it keeps every source signal reachable until the
 * result is collected, and our parents (stop signals) live as long as the process.
 */
export function linkSignals(...signals: (AbortSignal | undefined)[]): SignalHandle {
  const controller = new AbortController()
  const sources = signals.filter((s): s is AbortSignal => s !== undefined)
  const listeners: [AbortSignal, () => void][] = []
  const cleanup = (): void => {
    for (const [source, listener] of listeners.splice(0)) {
      source.removeEventListener('abort', listener)
    }
  }
  for (const source of sources) {
    if (source.aborted) {
      cleanup()
      controller.abort(source.reason)
      break
    }
    const listener = (): void => {
      cleanup()
      controller.abort(source.reason)
    }
    source.addEventListener('abort', listener, { once: true })
    listeners.push([source, listener])
  }
  return { signal: controller.signal, cleanup }
}

/**
 * A signal that aborts after `ms` milliseconds with a `TimeoutError` DOMException (like
 * `AbortSignal.timeout`), or earlier when `parent` aborts (with the parent's reason).
 * `ms` of `Infinity` means no deadline; `ms <= 0` aborts immediately. The timer is unref'd: a
 * deadline alone never keeps the process alive. Call `cleanup()` in `finally`.
 */
export function deadlineSignal(ms: number, parent?: AbortSignal): SignalHandle {
  const controller = new AbortController()
  const linked = linkSignals(parent, controller.signal)
  let timer: NodeJS.Timeout | undefined
  const cleanup = (): void => {
    if (timer !== undefined) clearTimeout(timer)
    timer = undefined
    linked.cleanup()
  }
  const expire = (): void => {
    timer = undefined
    controller.abort(new DOMException(`deadline of ${ms} ms exceeded`, 'TimeoutError'))
  }
  if (Number.isNaN(ms)) throw new RangeError('deadlineSignal: ms must be a number, got NaN')
  if (!linked.signal.aborted) {
    if (ms <= 0) expire()
    else if (ms !== Infinity) {
      timer = setTimeout(expire, Math.min(ms, MAX_TIMER_MS))
      timer.unref()
    }
  }
  return { signal: linked.signal, cleanup }
}

/**
 * True for cancellations: a {@link SyncStoppedError}, or any error named `AbortError` (DOM,
 * `fetch`, `node:timers/promises`, `AbortSignal.abort()` reasons). A `TimeoutError` (a deadline
 * elapsed) is NOT an abort: it is a failure the caller may retry.
 */
export function isAbortError(err: unknown): boolean {
  if (err instanceof SyncStoppedError) return true
  return (
    typeof err === 'object' && err !== null && (err as { name?: unknown }).name === 'AbortError'
  )
}

/** Throws a {@link SyncStoppedError} (cause: the signal's reason) if `signal` is aborted. */
export function throwIfAborted(signal: AbortSignal | undefined, what = 'operation'): void {
  if (signal?.aborted) throw new SyncStoppedError(`${what} aborted`, { cause: signal.reason })
}

/**
 * Resolves after `ms` milliseconds, or rejects with a {@link SyncStoppedError} (cause: the
 * signal's reason) as soon as `signal` aborts — immediately if it already has. The timer and the
 * listener are removed either way. The timer is not unref'd: a pending backoff wait is real work.
 */
export function abortableSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(new SyncStoppedError('sleep aborted', { cause: signal.reason }))
      return
    }
    const onAbort = (): void => {
      clearTimeout(timer)
      reject(new SyncStoppedError('sleep aborted', { cause: signal?.reason }))
    }
    const timer = setTimeout(
      () => {
        signal?.removeEventListener('abort', onAbort)
        resolve()
      },
      Math.min(Math.max(0, ms), MAX_TIMER_MS),
    )
    signal?.addEventListener('abort', onAbort, { once: true })
  })
}
