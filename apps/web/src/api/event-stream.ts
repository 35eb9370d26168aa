/**
 * Reads `GET /api/v1/events` with `fetch()` (so the bearer token goes along; EventSource cannot
 * send headers) and keeps it open: on an error or the end of the stream it reconnects after an
 * exponential backoff with full jitter (STYLE.md §12), reset once a connection delivered an
 * event. A 401 does not spin: it marks the token as required and waits for a new token.
 */
import { API_BASE, authHeaders, toApiError } from './http'
import { SseParser, type SseMessage } from './sse-parser'
import { subscribeToken } from './token'

/** Where the stream stands, for the shell's live indicator. */
export type StreamState =
  | { readonly kind: 'connecting'; readonly failures: number }
  | { readonly kind: 'open' }
  | { readonly kind: 'waiting'; readonly failures: number; readonly retryInMs: number }
  | { readonly kind: 'unauthorized' }

/** Reconnect delays, ms: full jitter over `min(capMs, baseMs · 2^failures)`. */
export const StreamBackoffDefaults = Object.freeze({ baseMs: 1000, capMs: 30_000 })

export interface EventStreamOptions {
  readonly onMessage: (message: SseMessage) => void
  readonly onState: (state: StreamState) => void
  readonly signal: AbortSignal
  /** Defaults to the global `fetch`; tests pass their own. */
  readonly fetch?: typeof fetch
  readonly backoff?: { readonly baseMs: number; readonly capMs: number }
  /** Defaults to `Math.random`. */
  readonly random?: () => number
}

/** The delay before reconnect number `failures` (1-based). */
export function reconnectDelayMs(
  failures: number,
  backoff: { readonly baseMs: number; readonly capMs: number },
  random: () => number,
): number {
  const ceiling = Math.min(backoff.capMs, backoff.baseMs * 2 ** Math.max(0, failures - 1))
  // Never 0: a server that closes at once must not be hammered.
  return Math.max(250, Math.round(random() * ceiling))
}

/** Runs until `signal` aborts; never rejects. */
export async function runEventStream(options: EventStreamOptions): Promise<void> {
  const doFetch = options.fetch ?? globalThis.fetch.bind(globalThis)
  const backoff = options.backoff ?? StreamBackoffDefaults
  const random = options.random ?? Math.random
  const { signal } = options
  let failures = 0
  while (!signal.aborted) {
    options.onState({ kind: 'connecting', failures })
    let delivered = false
    try {
      const response = await doFetch(`${API_BASE}/events`, {
        headers: { accept: 'text/event-stream', ...authHeaders() },
        signal,
        cache: 'no-store',
      })
      if (response.status === 401) {
        toApiError(401, undefined)
        options.onState({ kind: 'unauthorized' })
        await untilTokenChanges(signal)
        failures = 0
        continue
      }
      if (!response.ok || response.body === null) throw new Error(`HTTP ${response.status}`)
      options.onState({ kind: 'open' })
      const parser = new SseParser()
      const reader = response.body.pipeThrough(new TextDecoderStream()).getReader()
      try {
        for (;;) {
          const { done, value } = await reader.read()
          if (done) break
          for (const message of parser.push(value)) {
            delivered = true
            options.onMessage(message)
          }
        }
      } finally {
        reader.releaseLock()
      }
    } catch {
      if (signal.aborted) return
    }
    failures = delivered ? 1 : failures + 1
    const retryInMs = reconnectDelayMs(failures, backoff, random)
    options.onState({ kind: 'waiting', failures, retryInMs })
    await sleep(retryInMs, signal)
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer)
      signal.removeEventListener('abort', done)
      resolve()
    }
    const timer = setTimeout(done, ms)
    signal.addEventListener('abort', done, { once: true })
  })
}

function untilTokenChanges(signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      unsubscribe()
      signal.removeEventListener('abort', done)
      resolve()
    }
    const unsubscribe = subscribeToken(done)
    signal.addEventListener('abort', done, { once: true })
  })
}
