/**
 * Paced writers and lag bookkeeping for the live scenarios (steady state, many edges,
 * active-active).
 */
import { percentile } from './report.js'

/** Calls `write(i)` `ratePerSecond` times a second for `seconds` (catching up after a slow tick). */
export async function paced(
  ratePerSecond: number,
  seconds: number,
  write: (i: number) => Promise<void>,
): Promise<{ issued: number; failed: number; lastAckMs: number; firstError?: string }> {
  const start = performance.now()
  const total = Math.round(ratePerSecond * seconds)
  let issued = 0
  let failed = 0
  let firstError: string | undefined
  let lastAckMs = start
  const inFlight = new Set<Promise<void>>()
  while (issued < total) {
    const due = Math.min(
      total,
      Math.floor(((performance.now() - start) / 1000) * ratePerSecond) + 1,
    )
    while (issued < due) {
      const p = write(issued++).then(
        () => void (lastAckMs = Math.max(lastAckMs, performance.now())),
        (err: unknown) => {
          failed++
          firstError ??= err instanceof Error ? err.message : String(err)
        },
      )
      inFlight.add(p)
      void p.finally(() => inFlight.delete(p))
    }
    await new Promise((r) => setTimeout(r, 5))
  }
  await Promise.all(inFlight)
  return firstError === undefined
    ? { issued, failed, lastAckMs }
    : { issued, failed, lastAckMs, firstError }
}

/** One write: acknowledged on the source at `ackMs`, first seen on the target at `seenMs`. */
export interface Arrival {
  ackMs: number
  seenMs: number | undefined
}

/** Lag percentiles of arrived writes, ms. */
export function lagStats(arrivals: readonly Arrival[]): {
  count: number
  missing: number
  p50: number
  p99: number
  max: number
} {
  const lags = arrivals
    .filter((a) => a.seenMs !== undefined)
    .map((a) => Math.max(0, a.seenMs! - a.ackMs))
  return {
    count: lags.length,
    missing: arrivals.length - lags.length,
    p50: round1(percentile(lags, 50)),
    p99: round1(percentile(lags, 99)),
    max: round1(percentile(lags, 100)),
  }
}

/**
 * The lag measured at `atMs`: the age of the oldest write acknowledged by then and not yet seen
 * on the target, 0 when none is pending.
 */
export function measuredLagMs(arrivals: readonly Arrival[], atMs: number): number {
  let oldest = Number.POSITIVE_INFINITY
  for (const a of arrivals) {
    if (a.ackMs <= atMs && (a.seenMs === undefined || a.seenMs > atMs) && a.ackMs < oldest) {
      oldest = a.ackMs
    }
  }
  return oldest === Number.POSITIVE_INFINITY ? 0 : atMs - oldest
}

export function round1(n: number): number {
  return Math.round(n * 10) / 10
}

/**
 * The worst lag of the writes acknowledged in each `bucketMs` window since `startMs` (arrived
 * writes only): shows whether a high p99 is a few stalls or a steady backlog.
 */
export function lagTimeline(
  arrivals: readonly Arrival[],
  startMs: number,
  bucketMs = 1000,
): number[] {
  const out: number[] = []
  for (const a of arrivals) {
    if (a.seenMs === undefined || Number.isNaN(a.ackMs)) continue
    const i = Math.max(0, Math.floor((a.ackMs - startMs) / bucketMs))
    while (out.length <= i) out.push(0)
    out[i] = Math.max(out[i]!, Math.round(a.seenMs - a.ackMs))
  }
  return out
}
