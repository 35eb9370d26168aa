/**
 * Lag and state of one sync direction, as a pure function of what the runtime observed
 * (PRODUCT.md "Lag, the number on every edge"). No clock, no I/O: the runtime passes `nowMs`, the
 * current status and its recent observations, and stores the result as the next observation.
 *
 * **Lag** is `source head − max(applied watermark, caught-up floor)` in seconds, and 0 when
 * nothing is pending (backlog 0). The caught-up floor is the newest source head seen while
 * nothing was pending: after an idle hour the watermark still sits at the last event, so without
 * it the first new event would show an hour of lag for a moment. Events arriving later than the
 * floor are exactly the pending ones, so the floor never hides real lag.
 *
 * When the live replicator knows its oldest pending event and the source's clock (its offset
 * from ours, estimated from items that arrived without delay), lag is also the age of that oldest
 * pending event on the source's clock, `(now − offset) − oldest pending`, and the larger of the
 * two counts. This matters under back-pressure: the replicator then reads the stream only as fast
 * as it applies, so the head it has seen is itself old and head − watermark stays small while the
 * writes wait seconds (the bench's steady scenario: 0.2 s reported against 2 s real).
 *
 * **State**, the first rule that matches (thresholds in {@link LagThresholdDefaults}):
 *
 * | state            | when                                                                         |
 * | ---------------- | ---------------------------------------------------------------------------- |
 * | `paused`         | the edge is paused (lag still grows from the source probe)                   |
 * | `error`          | the replicator failed for good, or retries a subscription (backing off), or  |
 * |                  | holds failed events (they hold the watermark back)                          |
 * | `starting`       | not streaming yet since this (re)start                                       |
 * | `stalled`        | events are pending and the watermark has not moved for `stallAfterMs`;       |
 * |                  | or nothing is pending but a source that sends idle heartbeats has sent       |
 * |                  | nothing for `headStaleMs` (the stream is probably dead)                      |
 * | `falling-behind` | events are pending and the lag grew by more than `trendMinGrowthSeconds`     |
 * |                  | over the last `trendWindowMs` (at least 3 observations)                      |
 * | `catching-up`    | events are pending and the lag is flat or shrinking                          |
 * | `in-sync`        | nothing pending, no failures, and the head is fresh                          |
 *
 * A filer older than 4.28 sends no idle heartbeats, so its head only moves with events; an idle
 * direction on such a filer is `in-sync` however old its head (there is nothing else to go by).
 */

/** The states an edge direction is shown in. */
export const LAG_STATES = [
  'starting',
  'catching-up',
  'in-sync',
  'falling-behind',
  'stalled',
  'paused',
  'error',
] as const
export type LagState = (typeof LAG_STATES)[number]

/** Thresholds of {@link assessLag}; every duration in milliseconds. */
export interface LagThresholds {
  /** Pending events and a watermark unmoved this long: `stalled`. Default 60 s. */
  readonly stallAfterMs: number
  /**
   * Nothing pending, and a source known to send idle heartbeats (HEAD filers: at most every 5 s)
   * sent nothing this long: `stalled`. Default 30 s.
   */
  readonly headStaleMs: number
  /** The window over which lag growth makes `falling-behind`. Default 15 s. */
  readonly trendWindowMs: number
  /** Lag growth over the trend window that counts as falling behind, seconds. Default 1. */
  readonly trendMinGrowthSeconds: number
  /** Window of the events/s and bytes/s rates. Default 10 s. */
  readonly rateWindowMs: number
}

export const LagThresholdDefaults: Readonly<LagThresholds> = Object.freeze({
  stallAfterMs: 60_000,
  headStaleMs: 30_000,
  trendWindowMs: 15_000,
  trendMinGrowthSeconds: 1,
  rateWindowMs: 10_000,
})

/** How long observations must be kept for {@link assessLag} to see every window. */
export function historyWindowMs(thresholds: LagThresholds): number {
  return Math.max(
    thresholds.stallAfterMs,
    thresholds.headStaleMs,
    thresholds.trendWindowMs,
    thresholds.rateWindowMs,
  )
}

/** What the runtime knows of a direction right now (a replicator's or the paused probe's). */
export interface DirectionReading {
  /** The replicator's lifecycle state; `undefined` when no replicator runs (paused, stopped). */
  readonly replicatorState:
    | 'idle'
    | 'connecting'
    | 'streaming'
    | 'backing-off'
    | 'stopping'
    | 'stopped'
    | 'failed'
    | undefined
  /** The edge is paused. */
  readonly paused: boolean
  /** The replicator has streamed since it was (re)started. */
  readonly streamed: boolean
  /** All events up to here are applied, ns. */
  readonly appliedNs: bigint
  /** Newest source timestamp seen (events, markers, idle heartbeats), ns; 0 = none yet. */
  readonly headNs: bigint
  /** Events received (or, paused, waiting in the source log) and not applied. */
  readonly backlog: number
  /** Failed events waiting for a retry. */
  readonly failures: number
  /** Events applied, counted across restarts of the direction. */
  readonly eventsTotal: number
  /** Chunk bytes copied, counted across restarts of the direction. */
  readonly bytesTotal: number
  /** Newest source head seen while nothing was pending, ns ({@link nextCaughtUpNs}); 0 = none. */
  readonly caughtUpNs: bigint
  /** Source ts of the oldest pending event, ns; 0 or absent when unknown (paused: the probe). */
  readonly oldestPendingNs?: bigint
  /** The source's clock in local ms since the epoch (now − clock offset); absent when unknown. */
  readonly sourceNowMs?: number
  /** The source has sent an idle heartbeat ({@link showsHeartbeat}) since the direction started. */
  readonly heartbeats: boolean
}

/** One earlier observation, as the runtime kept it. */
export interface LagObservation {
  /** Local clock, ms since the epoch. */
  readonly atMs: number
  readonly appliedNs: bigint
  readonly headNs: bigint
  readonly backlog: number
  readonly eventsTotal: number
  readonly bytesTotal: number
  readonly lagSeconds: number
}

/** The result of {@link assessLag}. */
export interface LagAssessment {
  readonly state: LagState
  /** Head minus the applied watermark (or the caught-up floor), seconds; 0 when nothing pends. */
  readonly lagSeconds: number
  /** Events applied per second over the rate window. */
  readonly eventsPerSecond: number
  /** Chunk bytes copied per second over the rate window. */
  readonly bytesPerSecond: number
  /** Why this state, in a few words (for people; not stable). */
  readonly reason: string
}

const NS_PER_SECOND = 1e9

/** Lag of `reading` in seconds (see the module comment). */
export function lagSeconds(
  reading: Pick<
    DirectionReading,
    'appliedNs' | 'headNs' | 'backlog' | 'caughtUpNs' | 'oldestPendingNs' | 'sourceNowMs'
  >,
): number {
  if (reading.backlog <= 0) return 0
  const floor = reading.appliedNs > reading.caughtUpNs ? reading.appliedNs : reading.caughtUpNs
  const byHead = reading.headNs > floor ? Number(reading.headNs - floor) / NS_PER_SECOND : 0
  const oldest = reading.oldestPendingNs ?? 0n
  if (oldest <= 0n || reading.sourceNowMs === undefined) return byHead
  const byAge = (reading.sourceNowMs - Number(oldest / 1_000_000n)) / 1000
  return Math.max(byHead, byAge)
}

/** The caught-up floor after `reading`: its head when nothing is pending, else unchanged. */
export function nextCaughtUpNs(
  previous: bigint,
  reading: Pick<DirectionReading, 'headNs' | 'backlog' | 'failures'>,
): bigint {
  if (reading.backlog !== 0 || reading.failures !== 0) return previous
  return reading.headNs > previous ? reading.headNs : previous
}

/**
 * Whether `reading` proves the source sends idle heartbeats: nothing is pending, yet the head is
 * past the watermark, so something other than an event moved it.
 */
export function showsHeartbeat(
  reading: Pick<DirectionReading, 'headNs' | 'appliedNs' | 'backlog' | 'failures'>,
): boolean {
  return reading.backlog === 0 && reading.failures === 0 && reading.headNs > reading.appliedNs
}

/**
 * State, lag and rates of one direction. `history` holds earlier observations, oldest first,
 * covering at least {@link historyWindowMs} when the direction has run that long.
 */
export function assessLag(
  nowMs: number,
  reading: DirectionReading,
  history: readonly LagObservation[],
  thresholds: LagThresholds = LagThresholdDefaults,
): LagAssessment {
  const lag = lagSeconds(reading)
  const rates = ratesOf(nowMs, reading, history, thresholds.rateWindowMs)
  const result = (state: LagState, reason: string): LagAssessment => ({
    state,
    lagSeconds: lag,
    ...rates,
    reason,
  })

  if (reading.paused) return result('paused', 'the edge is paused')
  if (reading.replicatorState === 'failed') return result('error', 'the replicator failed')
  if (reading.replicatorState === 'backing-off') {
    return result('error', 'the subscription failed; retrying')
  }
  if (reading.failures > 0) {
    return result('error', `${reading.failures} failed event(s) hold the watermark`)
  }
  if (!reading.streamed || reading.replicatorState === undefined) {
    return result('starting', 'not streaming yet')
  }

  if (reading.backlog > 0) {
    const watermarkIdleMs = unchangedForMs(nowMs, history, (o) => o.appliedNs === reading.appliedNs)
    if (watermarkIdleMs >= thresholds.stallAfterMs) {
      return result(
        'stalled',
        `${reading.backlog} pending, watermark unmoved for ${Math.round(watermarkIdleMs / 1000)} s`,
      )
    }
    const growth = lagGrowth(nowMs, lag, history, thresholds.trendWindowMs)
    if (growth !== undefined && growth > thresholds.trendMinGrowthSeconds) {
      return result(
        'falling-behind',
        `lag grew ${growth.toFixed(1)} s in ${Math.round(thresholds.trendWindowMs / 1000)} s`,
      )
    }
    return result('catching-up', `${reading.backlog} pending`)
  }

  if (reading.heartbeats) {
    const headIdleMs = unchangedForMs(nowMs, history, (o) => o.headNs === reading.headNs)
    if (headIdleMs >= thresholds.headStaleMs) {
      return result(
        'stalled',
        `no event or heartbeat from the source for ${Math.round(headIdleMs / 1000)} s`,
      )
    }
  }
  return result('in-sync', 'nothing pending')
}

/**
 * How long `same` has held without a break, going back from now (the current reading is taken
 * to hold too): now minus the oldest observation of the unbroken run; 0 when the newest one
 * differs or there is none.
 */
function unchangedForMs(
  nowMs: number,
  history: readonly LagObservation[],
  same: (observation: LagObservation) => boolean,
): number {
  let since: number | undefined
  for (let i = history.length - 1; i >= 0; i--) {
    const observation = history[i]!
    if (!same(observation)) break
    since = observation.atMs
  }
  return since === undefined ? 0 : nowMs - since
}

/**
 * Lag growth over the trend window: the current lag minus the lag of the oldest observation
 * inside it; undefined with fewer than 2 observations in the window (3 with the current one),
 * when one of them had nothing pending, or when the window is not yet covered.
 */
function lagGrowth(
  nowMs: number,
  lag: number,
  history: readonly LagObservation[],
  windowMs: number,
): number | undefined {
  const inWindow = history.filter((o) => nowMs - o.atMs <= windowMs)
  const first = inWindow[0]
  if (first === undefined || inWindow.length < 2) return undefined
  if (inWindow.some((o) => o.backlog === 0)) return undefined
  // Half the window at least, so two observations a second apart do not make a trend.
  if (nowMs - first.atMs < windowMs / 2) return undefined
  return lag - first.lagSeconds
}

function ratesOf(
  nowMs: number,
  reading: DirectionReading,
  history: readonly LagObservation[],
  windowMs: number,
): { eventsPerSecond: number; bytesPerSecond: number } {
  const first = history.find((o) => nowMs - o.atMs <= windowMs)
  const seconds = first === undefined ? 0 : (nowMs - first.atMs) / 1000
  if (first === undefined || seconds <= 0) return { eventsPerSecond: 0, bytesPerSecond: 0 }
  // Counters only grow; a smaller value means the runtime lost its count: no rate then.
  const events = Math.max(0, reading.eventsTotal - first.eventsTotal)
  const bytes = Math.max(0, reading.bytesTotal - first.bytesTotal)
  return { eventsPerSecond: events / seconds, bytesPerSecond: bytes / seconds }
}
