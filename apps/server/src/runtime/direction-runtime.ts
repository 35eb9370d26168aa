/**
 * One direction X→Y of an edge at run time: a sync-core {@link Replicator} while the edge runs, a
 * {@link SourceProbe} while it is paused, and what the lag assessment needs between the two:
 * counters that survive restarts, the caught-up floor, whether the source sends heartbeats, and
 * the recent observations (`src/runtime/lag-state.ts`).
 *
 * Replication never waits for any of this: the replicator's notifications are handled
 * synchronously and cheaply, and status is read from `status()` snapshots (STYLE.md §11).
 */
import {
  Replicator,
  type FailedEvent,
  type ReplicatorNotification,
  type ReplicatorStatus,
  type StopResult,
} from '@seasync/sync-core'
import type { FastifyBaseLogger } from 'fastify'
import type { DirectionStatus } from '../schemas/runtime.js'
import type { DirectionSpec } from './edge-spec.js'
import {
  assessLag,
  historyWindowMs,
  nextCaughtUpNs,
  showsHeartbeat,
  type DirectionReading,
  type LagObservation,
  type LagThresholds,
} from './lag-state.js'
import { SourceProbe } from './source-probe.js'

/** What every direction of the server shares. */
export interface DirectionRuntimeOptions {
  /** The edge's client id: both directions of an edge share one (spec §5.1). */
  readonly clientId: number
  /** Checkpoint save period; undefined: sync-core's default (3 s). */
  readonly checkpointIntervalMs: number | undefined
  /** Follow the source while paused, so lag and backlog stay live. */
  readonly probeWhilePaused: boolean
  readonly thresholds: LagThresholds
  readonly log: FastifyBaseLogger
}

const NS_PER_MS = 1_000_000n

export class DirectionRuntime {
  private replicator: Replicator | undefined
  private probe: SourceProbe | undefined
  private paused = false
  /** Set when the replicator could not even be built (bad options). */
  private startError: string | undefined
  private streamed = false
  /** Counters of the replicators that ran before the current one. */
  private eventsBase = 0
  private bytesBase = 0
  /** The last status of the previous replicator (shown while paused). */
  private last: ReplicatorStatus | undefined
  private caughtUpNs = 0n
  private heartbeats = false
  private history: LagObservation[] = []

  constructor(
    readonly spec: DirectionSpec,
    private readonly options: DirectionRuntimeOptions,
  ) {}

  /** Runs the replicator (stopping the probe first). */
  async run(): Promise<void> {
    await this.stopProbe()
    this.paused = false
    if (this.replicator !== undefined) return
    this.streamed = false
    this.startError = undefined
    try {
      this.replicator = new Replicator({
        ...this.spec.options,
        excludePaths: [...this.spec.options.excludePaths],
        placement: { ...this.spec.options.placement },
        clientId: this.options.clientId,
        ...(this.options.checkpointIntervalMs === undefined
          ? {}
          : { checkpointIntervalMs: this.options.checkpointIntervalMs }),
      })
    } catch (error) {
      this.startError = error instanceof Error ? error.message : String(error)
      this.options.log.error({ err: error }, 'cannot start the direction')
      return
    }
    this.replicator.on((notification) => this.notified(notification))
    this.replicator.start()
  }

  /** Stops the replicator (drain, final checkpoint save) and, if asked, starts the probe. */
  async pause(): Promise<StopResult | undefined> {
    this.paused = true
    const result = await this.stopReplicator()
    if (this.options.probeWhilePaused && this.probe === undefined) {
      this.probe = new SourceProbe(this.spec, this.last?.savedNs ?? 0n)
      this.probe.start()
    }
    return result
  }

  /** Stops whatever runs; the direction is then gone. */
  async stop(): Promise<StopResult | undefined> {
    const [result] = await Promise.all([this.stopReplicator(), this.stopProbe()])
    return result
  }

  /**
   * After the checkpoint was set by hand (paused only): forget what was measured against the old
   * one and let the probe read the new one.
   */
  async checkpointChanged(checkpointNs: bigint): Promise<void> {
    this.history = []
    this.caughtUpNs = 0n
    if (this.last !== undefined)
      this.last = { ...this.last, appliedNs: checkpointNs, savedNs: checkpointNs }
    if (this.probe !== undefined) {
      await this.stopProbe()
      this.probe = new SourceProbe(this.spec, checkpointNs)
      this.probe.start()
    }
  }

  get running(): boolean {
    return this.replicator !== undefined
  }

  /** Failed events of the running replicator (none while paused). */
  failures(): FailedEvent[] {
    return this.replicator?.failures() ?? []
  }

  retryFailure(id: string): boolean {
    return this.replicator?.retryFailure(id) ?? false
  }

  skipFailure(id: string): boolean {
    return this.replicator?.skipFailure(id) ?? false
  }

  /** The status now, without recording it. */
  status(nowMs: number): DirectionStatus {
    return this.assess(nowMs, this.reading(nowMs)).status
  }

  /** The status now, recorded as an observation (the runtime calls this about once a second). */
  observe(nowMs: number): DirectionStatus {
    const reading = this.reading(nowMs)
    const { status, lagSeconds } = this.assess(nowMs, reading)
    if (showsHeartbeat(reading.lag)) this.heartbeats = true
    this.caughtUpNs = nextCaughtUpNs(this.caughtUpNs, reading.lag)
    this.history.push({
      atMs: nowMs,
      appliedNs: reading.lag.appliedNs,
      headNs: reading.lag.headNs,
      backlog: reading.lag.backlog,
      eventsTotal: reading.lag.eventsTotal,
      bytesTotal: reading.lag.bytesTotal,
      lagSeconds,
    })
    // Keep one window, plus one observation before it (the start of an unbroken run).
    const keepFrom = nowMs - historyWindowMs(this.options.thresholds)
    const firstKept = this.history.findIndex((o) => o.atMs >= keepFrom)
    if (firstKept > 1) this.history.splice(0, firstKept - 1)
    return status
  }

  // ---- internals -------------------------------------------------------------------------------

  private notified(notification: ReplicatorNotification): void {
    const log = this.options.log
    switch (notification.type) {
      case 'state':
        if (notification.state === 'streaming') this.streamed = true
        if (notification.state === 'failed') {
          log.error({ err: notification.error }, 'direction failed')
        }
        break
      case 'log':
        log[notification.level](notification.message)
        break
      case 'checkpoint-failed':
        log.warn({ err: notification.error }, 'checkpoint save failed')
        break
      default:
        break
    }
  }

  private async stopReplicator(): Promise<StopResult | undefined> {
    const replicator = this.replicator
    if (replicator === undefined) return undefined
    const result = await replicator.stop()
    const final = replicator.status()
    this.eventsBase += final.eventsApplied
    this.bytesBase += final.bytesCopied
    this.last = final
    // Only now: status() must keep reading the stopping replicator until it is done.
    this.replicator = undefined
    if (result.error !== undefined) {
      this.options.log.warn({ err: result.error }, 'final checkpoint save failed')
    }
    return result
  }

  private async stopProbe(): Promise<void> {
    const probe = this.probe
    this.probe = undefined
    await probe?.stop()
  }

  private reading(nowMs: number): { lag: DirectionReading; status: ReplicatorStatus | undefined } {
    const live = this.replicator?.status()
    if (live !== undefined) {
      return {
        status: live,
        lag: {
          replicatorState: this.startError === undefined ? live.state : 'failed',
          paused: this.paused,
          streamed: this.streamed,
          appliedNs: live.appliedNs,
          headNs: live.sourceHeadNs,
          backlog: live.backlog,
          failures: live.failures,
          eventsTotal: this.eventsBase + live.eventsApplied,
          bytesTotal: this.bytesBase + live.bytesCopied,
          caughtUpNs: this.caughtUpNs,
          heartbeats: this.heartbeats,
          oldestPendingNs: live.oldestPendingNs,
          ...(live.sourceClockOffsetMs !== undefined && {
            sourceNowMs: nowMs - live.sourceClockOffsetMs,
          }),
        },
      }
    }
    const probe = this.probe?.reading()
    const applied = probe?.checkpointNs ?? this.last?.appliedNs ?? 0n
    const head = probe?.headNs ?? 0n
    return {
      status: undefined,
      lag: {
        replicatorState: this.startError === undefined ? undefined : 'failed',
        paused: this.paused,
        streamed: false,
        appliedNs: applied,
        headNs: head > (this.last?.sourceHeadNs ?? 0n) ? head : (this.last?.sourceHeadNs ?? 0n),
        backlog: probe?.pending ?? 0,
        failures: 0,
        eventsTotal: this.eventsBase,
        bytesTotal: this.bytesBase,
        caughtUpNs: this.caughtUpNs,
        heartbeats: this.heartbeats,
      },
    }
  }

  private assess(
    nowMs: number,
    { lag, status }: ReturnType<DirectionRuntime['reading']>,
  ): { status: DirectionStatus; lagSeconds: number } {
    const assessment = assessLag(nowMs, lag, this.history, this.options.thresholds)
    const savedNs =
      status?.savedNs ?? this.probe?.reading().checkpointNs ?? this.last?.savedNs ?? 0n
    const savedAtMs = status?.savedAtMs ?? this.last?.savedAtMs
    const spec = this.spec
    const lastError =
      this.startError ??
      status?.lastError ??
      (this.paused ? this.probe?.reading().lastError : undefined)
    return {
      lagSeconds: assessment.lagSeconds,
      status: {
        direction: spec.name,
        sourceCluster: spec.sourceCluster,
        targetCluster: spec.targetCluster,
        sourceFiler: spec.labels.sourceFiler,
        targetFiler: spec.labels.targetFiler,
        sourcePath: spec.options.sourcePath,
        targetPath: spec.options.targetPath,
        state: assessment.state,
        reason: this.startError ?? assessment.reason,
        replicatorState: status?.state ?? null,
        lagSeconds: assessment.lagSeconds,
        appliedNs: lag.appliedNs.toString(),
        appliedAt: nsToIso(lag.appliedNs),
        savedNs: savedNs.toString(),
        savedAt: savedAtMs === undefined ? null : new Date(savedAtMs).toISOString(),
        checkpointAgeSeconds:
          savedAtMs === undefined ? null : Math.max(0, nowMs - savedAtMs) / 1000,
        sourceHeadNs: lag.headNs.toString(),
        backlog: lag.backlog,
        eventsPerSecond: assessment.eventsPerSecond,
        bytesPerSecond: assessment.bytesPerSecond,
        eventsApplied: lag.eventsTotal,
        bytesCopied: lag.bytesTotal,
        failures: lag.failures,
        inFlight: status?.inFlight.map((t) => ({ ...t })) ?? [],
        largeFiles:
          status?.largeFiles.map(({ startedAtMs, ...f }) => ({
            ...f,
            startedAt: new Date(startedAtMs).toISOString(),
          })) ?? [],
        lastError: lastError ?? null,
      },
    }
  }
}

/** A positive ns timestamp as an ISO time; null for 0 (none). */
export function nsToIso(ns: bigint): string | null {
  if (ns <= 0n) return null
  const ms = Number(ns / NS_PER_MS)
  const date = new Date(ms)
  return Number.isNaN(date.getTime()) ? null : date.toISOString()
}
