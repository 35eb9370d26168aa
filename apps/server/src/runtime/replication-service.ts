/**
 * The edge runtimes of the server, kept in step with the stored topology: started together,
 * reconciled one edge at a time on every committed change (`app.topologyEvents`), stopped together
 * within a bounded time. Also what the runtime routes call (pause, resume, checkpoints, failures,
 * history) and the lag sampler that fills `edge_samples`.
 *
 * Operations on one edge run one after another (a queue per edge id), so a pause never races a
 * re-configuration; different edges never wait for each other. Every topology change touches only
 * the edges it names (and, for a changed cluster, the edges on it).
 */
import type Database from 'better-sqlite3'
import { SyncError, type FailedEvent } from '@seasync/sync-core'
import type { FastifyBaseLogger } from 'fastify'
import { ApiError } from '../errors.js'
import type { TopologyChange, TopologyEvents } from '../plugins/topology-events.js'
import { AuditRepository } from '../repositories/audit-repository.js'
import type {
  CheckpointInfo,
  EdgeStatus,
  FailureInfo,
  HistoryResponse,
} from '../schemas/runtime.js'
import { readCheckpoint, writeCheckpoint } from './checkpoints.js'
import { nsToIso, type DirectionRuntime } from './direction-runtime.js'
import { EdgeRuntime, type EdgeRuntimeOptions } from './edge-runtime.js'
import {
  EdgeSpecError,
  EdgeSpecReader,
  type DirectionName,
  type DirectionSpec,
  type SyncOffsetLabels,
} from './edge-spec.js'
import {
  DownsampleDefaults,
  HistoryStore,
  type DownsampleTier,
  type SampleRow,
} from './history-store.js'
import { LagThresholdDefaults, type LagThresholds } from './lag-state.js'

/** Settings of the replication runtime; every duration in milliseconds. */
export interface ReplicationOptions {
  /** Checkpoint save period of every replicator. Default: sync-core's (3000). */
  readonly checkpointIntervalMs?: number
  /** How often each direction's status is observed for the lag trend. Default 1000. */
  readonly observeIntervalMs?: number
  /** How often a history sample is stored per direction. Default 5000. */
  readonly sampleIntervalMs?: number
  /** How often old samples are thinned and expired. Default 60 000. */
  readonly compactIntervalMs?: number
  /** Longest close (drain + checkpoint saves) before giving up. Default 8000 (< the 10 s grace). */
  readonly closeTimeoutMs?: number
  /** Follow the source of paused edges so their backlog and lag stay live. Default true. */
  readonly probeWhilePaused?: boolean
  /** Lag state thresholds (`src/runtime/lag-state.ts`). */
  readonly thresholds?: Partial<LagThresholds>
  /** Down-sampling tiers of the history. Default {@link DownsampleDefaults}. */
  readonly downsample?: readonly DownsampleTier[]
}

export const ReplicationDefaults = Object.freeze({
  observeIntervalMs: 1000,
  sampleIntervalMs: 5000,
  compactIntervalMs: 60_000,
  closeTimeoutMs: 8000,
  probeWhilePaused: true,
})

/** The most samples one history response carries. */
export const HISTORY_LIMIT = 10_000
const HOUR_MS = 60 * 60_000

/** One running direction as `/metrics` reports it. */
export interface DirectionMetrics {
  readonly edgeId: string
  readonly labels: SyncOffsetLabels
  readonly status: EdgeStatus['directions'][number]
}

export interface ReplicationServiceDeps {
  readonly db: Database.Database
  readonly events: TopologyEvents
  readonly log: FastifyBaseLogger
  /** Days of history kept (`config.historyRetentionDays`). */
  readonly historyRetentionDays: number
}

export class ReplicationService {
  private readonly runtimes = new Map<string, EdgeRuntime>()
  private readonly queues = new Map<string, Promise<unknown>>()
  private readonly reader: EdgeSpecReader
  private readonly history: HistoryStore
  private readonly audit: AuditRepository
  private readonly pausedStatement: Database.Statement<[string], { paused: number }>
  private readonly setPausedStatement: Database.Statement<[number, number, string]>
  private readonly runtimeOptions: EdgeRuntimeOptions
  private readonly settings: Required<
    Omit<ReplicationOptions, 'checkpointIntervalMs' | 'thresholds'>
  >
  private readonly timers: NodeJS.Timeout[] = []
  private closing = false

  constructor(
    private readonly deps: ReplicationServiceDeps,
    options: ReplicationOptions = {},
  ) {
    const { db, log } = deps
    this.reader = new EdgeSpecReader(db)
    this.history = new HistoryStore(db)
    this.audit = new AuditRepository(db)
    this.pausedStatement = db.prepare('SELECT paused FROM edges WHERE id = ?')
    this.setPausedStatement = db.prepare('UPDATE edges SET paused = ?, updated_at = ? WHERE id = ?')
    this.settings = {
      ...ReplicationDefaults,
      downsample: DownsampleDefaults,
      ...definedOnly(options),
    }
    this.runtimeOptions = {
      checkpointIntervalMs: options.checkpointIntervalMs,
      probeWhilePaused: this.settings.probeWhilePaused,
      thresholds: { ...LagThresholdDefaults, ...definedOnly(options.thresholds ?? {}) },
      log,
    }
  }

  /** Starts every stored edge (paused ones paused) and the sampler. */
  async start(): Promise<void> {
    // Listen first, then read: a change committed in between is reconciled twice, never missed.
    this.deps.events.on('changed', this.onChange)
    // One edge that cannot start must not keep the others (or the server) from starting.
    await Promise.all(
      this.reader.ids().map((id) =>
        this.enqueue(id, () => this.reconcile(id)).catch((error: unknown) => {
          this.deps.log.error({ err: error, edge: id }, 'edge start failed')
        }),
      ),
    )
    this.every(this.settings.observeIntervalMs, () => this.observeAll())
    this.every(this.settings.sampleIntervalMs, () => this.sample())
    this.every(this.settings.compactIntervalMs, () => this.compact())
    this.compact()
  }

  /**
   * Stops every edge, each direction draining and saving its checkpoint, within
   * `closeTimeoutMs`; what has not finished by then is logged and left behind.
   */
  async close(): Promise<void> {
    this.closing = true
    this.deps.events.off('changed', this.onChange)
    for (const timer of this.timers.splice(0)) clearInterval(timer)
    const log = this.deps.log
    const stops = [...this.runtimes].map(([id, runtime]) =>
      this.enqueue(id, async () => {
        const results = await runtime.stop()
        for (const [direction, result] of Object.entries(results)) {
          if (result === undefined) continue
          log.info(
            { edge: id, direction, savedNs: result.savedNs.toString(), err: result.error },
            'direction stopped',
          )
        }
      }),
    )
    this.runtimes.clear()
    let timer: NodeJS.Timeout | undefined
    const timeout = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), this.settings.closeTimeoutMs)
    })
    try {
      const outcome = await Promise.race([Promise.allSettled(stops), timeout])
      if (outcome === 'timeout') {
        log.warn(
          { timeoutMs: this.settings.closeTimeoutMs },
          'replication did not stop in time: some checkpoints may not be saved',
        )
      }
    } finally {
      clearTimeout(timer)
    }
  }

  // ---- status ----------------------------------------------------------------------------------

  /** The edge's live status; undefined when no such edge runs. */
  status(edgeId: string): EdgeStatus | undefined {
    return this.runtimes.get(edgeId)?.status(Date.now())
  }

  /** Every edge's live status, by id. */
  statusAll(): EdgeStatus[] {
    const now = Date.now()
    return [...this.runtimes.values()]
      .map((runtime) => runtime.status(now))
      .sort((a, b) => (a.edgeId < b.edgeId ? -1 : a.edgeId > b.edgeId ? 1 : 0))
  }

  /** Every direction with its metric labels and live status. */
  directionMetrics(): DirectionMetrics[] {
    const now = Date.now()
    const out: DirectionMetrics[] = []
    for (const [edgeId, runtime] of this.runtimes) {
      for (const direction of runtime.directionRuntimes) {
        out.push({ edgeId, labels: direction.spec.labels, status: direction.status(now) })
      }
    }
    return out
  }

  // ---- pause and resume ------------------------------------------------------------------------

  /** Pauses the edge (stored, so it stays paused over restarts). Resolves with its status. */
  pause(edgeId: string, actor: string): Promise<EdgeStatus> {
    return this.setPaused(edgeId, true, actor)
  }

  resume(edgeId: string, actor: string): Promise<EdgeStatus> {
    return this.setPaused(edgeId, false, actor)
  }

  private async setPaused(edgeId: string, paused: boolean, actor: string): Promise<EdgeStatus> {
    const changed = await this.enqueue(edgeId, async () => {
      const changed = this.deps.db.transaction(() => {
        const row = this.pausedStatement.get(edgeId)
        if (row === undefined) throw edgeNotFound(edgeId)
        if (row.paused === (paused ? 1 : 0)) return false
        const now = Date.now()
        this.setPausedStatement.run(paused ? 1 : 0, now, edgeId)
        this.audit.append({
          tsMs: now,
          actor,
          action: paused ? 'edge.pause' : 'edge.resume',
          details: { edgeId },
        })
        return true
      })()
      await this.reconcile(edgeId)
      return changed
    })
    // For the event stream and any other listener; our own reconcile then finds nothing to do.
    if (changed) this.deps.events.notify({ edgesUpdated: [edgeId] })
    return this.requireStatus(edgeId)
  }

  // ---- checkpoints -----------------------------------------------------------------------------

  /** Each direction's checkpoint as stored in its target filer. */
  async checkpoints(edgeId: string, signal: AbortSignal): Promise<CheckpointInfo[]> {
    const runtime = this.require(edgeId)
    return Promise.all(
      runtime.directionRuntimes.map(async ({ spec }) => {
        const stored = await filerCall(() => readCheckpoint(spec, signal))
        return checkpointInfo(spec, stored.key, stored.checkpointNs)
      }),
    )
  }

  /**
   * Sets one direction's checkpoint to `fromTsMs` (`-a.fromTsMs`); the edge must be paused (409
   * `EDGE_NOT_PAUSED`), so no replicator overwrites it. Resuming replays from there.
   */
  setCheckpoint(
    edgeId: string,
    direction: DirectionName,
    fromTsMs: number,
    actor: string,
    signal: AbortSignal,
  ): Promise<CheckpointInfo> {
    return this.enqueue(edgeId, async () => {
      const runtime = this.require(edgeId)
      if (!runtime.paused) {
        throw new ApiError(
          409,
          'EDGE_NOT_PAUSED',
          `Edge ${edgeId} is running: pause it before setting a checkpoint`,
        )
      }
      const target = this.requireDirection(runtime, direction)
      const checkpointNs = BigInt(fromTsMs) * 1_000_000n
      const stored = await filerCall(() => writeCheckpoint(target.spec, checkpointNs, signal))
      await target.checkpointChanged(checkpointNs)
      this.audit.append({
        tsMs: Date.now(),
        actor,
        action: 'edge.checkpoint.set',
        details: { edgeId, direction, fromTsMs, checkpointNs: checkpointNs.toString() },
      })
      return checkpointInfo(target.spec, stored.key, stored.checkpointNs)
    })
  }

  // ---- failures --------------------------------------------------------------------------------

  /** Failed events of every running direction, oldest first per direction. */
  failures(edgeId: string): FailureInfo[] {
    const runtime = this.require(edgeId)
    return runtime.directionRuntimes.flatMap((d) =>
      d.failures().map((failure) => failureInfo(d.spec.name, failure)),
    )
  }

  /** Retries one failure now (404 `FAILURE_NOT_FOUND` when unknown), or all; returns the count. */
  retry(edgeId: string, failureId?: string): number {
    const runtime = this.require(edgeId)
    if (failureId !== undefined) {
      const { direction, id } = this.requireFailure(runtime, edgeId, failureId)
      return direction.retryFailure(id) ? 1 : 0
    }
    let count = 0
    for (const direction of runtime.directionRuntimes) {
      for (const failure of direction.failures()) {
        if (direction.retryFailure(failure.id)) count++
      }
    }
    return count
  }

  /**
   * Skips one failure: the watermark moves past it and the event is never applied. Recorded in
   * the audit log with what was skipped.
   */
  skip(edgeId: string, failureId: string, actor: string): number {
    const runtime = this.require(edgeId)
    const { direction, id, failure } = this.requireFailure(runtime, edgeId, failureId)
    if (!direction.skipFailure(id)) throw failureNotFound(edgeId, failureId)
    const info = failureInfo(direction.spec.name, failure)
    this.audit.append({
      tsMs: Date.now(),
      actor,
      action: 'edge.failure.skip',
      details: {
        edgeId,
        direction: info.direction,
        failureId: info.id,
        tsNs: info.tsNs,
        operation: info.operation,
        path: info.path,
        code: info.code,
        message: info.message,
      },
    })
    return 1
  }

  // ---- history ---------------------------------------------------------------------------------

  /** Stored samples of the edge in `[fromMs, toMs]` (default: the last hour). */
  historyOf(edgeId: string, fromMs?: number, toMs?: number): HistoryResponse {
    this.require(edgeId)
    const to = toMs ?? Date.now()
    const from = fromMs ?? to - HOUR_MS
    if (from > to) {
      throw new ApiError(400, 'BAD_REQUEST', 'Invalid request: from must not be after to')
    }
    const rows = this.history.query(edgeId, from, to, HISTORY_LIMIT + 1)
    return {
      edgeId,
      from: new Date(from).toISOString(),
      to: new Date(to).toISOString(),
      samples: rows.slice(0, HISTORY_LIMIT).map((row) => ({
        direction: row.direction,
        at: new Date(row.tsMs).toISOString(),
        atMs: row.tsMs,
        state: row.state,
        lagSeconds: row.lagMs === null ? null : row.lagMs / 1000,
        appliedNs: row.appliedNs,
        sourceHeadNs: row.headNs,
        backlog: row.backlog,
        eventsPerSecond: row.eventsPerSecond,
        bytesPerSecond: row.bytesPerSecond,
      })),
      truncated: rows.length > HISTORY_LIMIT,
    }
  }

  // ---- internals -------------------------------------------------------------------------------

  private readonly onChange = (change: TopologyChange): void => {
    if (this.closing) return
    const ids = new Set([...change.edgesAdded, ...change.edgesUpdated, ...change.edgesRemoved])
    // A cluster's new address or filer proxy changes the replicators of the edges on it.
    for (const clusterId of change.clustersUpdated) {
      for (const id of this.reader.edgesOfCluster(clusterId)) ids.add(id)
    }
    for (const id of ids) {
      this.enqueue(id, () => this.reconcile(id)).catch((error: unknown) => {
        this.deps.log.error({ err: error, edge: id }, 'edge reconcile failed')
      })
    }
  }

  /** Brings the edge's runtime to what is stored now. */
  private async reconcile(edgeId: string): Promise<void> {
    if (this.closing) return
    let spec
    try {
      spec = this.reader.read(edgeId)
    } catch (error) {
      if (!(error instanceof EdgeSpecError)) throw error
      spec = { problem: error.message }
    }
    const current = this.runtimes.get(edgeId)
    if (spec === undefined) {
      if (current === undefined) return
      this.runtimes.delete(edgeId)
      await current.stop()
      this.deps.log.info({ edge: edgeId }, 'edge removed')
      return
    }
    if (current !== undefined) return current.apply(spec)
    const runtime =
      'problem' in spec
        ? EdgeRuntime.broken(edgeId, spec.problem, this.runtimeOptions)
        : EdgeRuntime.of(spec, this.runtimeOptions)
    this.runtimes.set(edgeId, runtime)
    await runtime.start()
  }

  /** Runs `operation` after every earlier operation on the same edge. */
  private enqueue<T>(edgeId: string, operation: () => Promise<T>): Promise<T> {
    const previous = this.queues.get(edgeId) ?? Promise.resolve()
    const next = previous.then(operation, operation)
    const tail = next.catch(() => undefined)
    this.queues.set(edgeId, tail)
    void tail.then(() => {
      if (this.queues.get(edgeId) === tail) this.queues.delete(edgeId)
    })
    return next
  }

  private observeAll(): void {
    const now = Date.now()
    for (const runtime of this.runtimes.values()) runtime.observe(now)
  }

  private sample(): void {
    const now = Date.now()
    const rows: SampleRow[] = []
    for (const status of this.statusAll()) {
      for (const d of status.directions) {
        rows.push({
          edgeId: status.edgeId,
          direction: d.direction,
          tsMs: now,
          lagMs: Math.round(d.lagSeconds * 1000),
          appliedNs: d.appliedNs,
          headNs: d.sourceHeadNs,
          backlog: d.backlog,
          eventsPerSecond: d.eventsPerSecond,
          bytesPerSecond: d.bytesPerSecond,
          state: d.state,
        })
      }
    }
    this.history.write(rows)
  }

  private compact(): void {
    const deleted = this.history.compact(
      Date.now(),
      this.deps.historyRetentionDays,
      this.settings.downsample,
    )
    if (deleted > 0) this.deps.log.debug({ deleted }, 'lag history compacted')
  }

  /** A timer that logs (never throws) and never keeps the process alive. */
  private every(ms: number, task: () => void): void {
    const timer = setInterval(() => {
      try {
        task()
      } catch (error) {
        this.deps.log.error({ err: error }, 'replication timer task failed')
      }
    }, ms)
    timer.unref()
    this.timers.push(timer)
  }

  private require(edgeId: string): EdgeRuntime {
    const runtime = this.runtimes.get(edgeId)
    if (runtime === undefined) throw edgeNotFound(edgeId)
    return runtime
  }

  private requireStatus(edgeId: string): EdgeStatus {
    const status = this.status(edgeId)
    if (status === undefined) throw edgeNotFound(edgeId)
    return status
  }

  private requireDirection(runtime: EdgeRuntime, name: DirectionName): DirectionRuntime {
    const direction = runtime.direction(name)
    if (direction === undefined) {
      throw new ApiError(400, 'BAD_REQUEST', `Edge ${runtime.id} has no direction ${name}`)
    }
    return direction
  }

  private requireFailure(
    runtime: EdgeRuntime,
    edgeId: string,
    failureId: string,
  ): { direction: DirectionRuntime; id: string; failure: FailedEvent } {
    const separator = failureId.indexOf(':')
    const name = failureId.slice(0, separator)
    const id = failureId.slice(separator + 1)
    const direction =
      separator > 0 && (name === 'a-b' || name === 'b-a') ? runtime.direction(name) : undefined
    const failure = direction?.failures().find((f) => f.id === id)
    if (direction === undefined || failure === undefined) throw failureNotFound(edgeId, failureId)
    return { direction, id, failure }
  }
}

function edgeNotFound(edgeId: string): ApiError {
  return new ApiError(404, 'NOT_FOUND', `No edge ${edgeId}`)
}

function failureNotFound(edgeId: string, failureId: string): ApiError {
  return new ApiError(
    404,
    'FAILURE_NOT_FOUND',
    `Edge ${edgeId} has no failed event ${failureId} (it may have been retried successfully)`,
  )
}

/** A filer call on behalf of a request: filer failures become 503 `FILER_UNAVAILABLE`. */
async function filerCall<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call()
  } catch (error) {
    if (error instanceof SyncError) {
      throw new ApiError(
        503,
        'FILER_UNAVAILABLE',
        error.message,
        { syncCode: error.code },
        {
          cause: error,
        },
      )
    }
    throw error
  }
}

function checkpointInfo(spec: DirectionSpec, key: Buffer, checkpointNs: bigint): CheckpointInfo {
  return {
    direction: spec.name,
    sourceFiler: spec.labels.sourceFiler,
    targetFiler: spec.labels.targetFiler,
    sourcePath: spec.options.sourcePath,
    key: key.toString('hex'),
    checkpointNs: checkpointNs.toString(),
    checkpointAt: nsToIso(checkpointNs),
  }
}

function failureInfo(direction: DirectionName, failure: FailedEvent): FailureInfo {
  return {
    id: `${direction}:${failure.id}`,
    direction,
    tsNs: failure.tsNs.toString(),
    operation: failure.operation,
    path: failure.path,
    code: failure.error.code,
    message: failure.error.message,
    attempts: failure.attempts,
    nextRetryAt: new Date(failure.nextRetryAtMs).toISOString(),
  }
}

/** `object` without its `undefined` properties (so spreading it keeps defaults). */
function definedOnly<T extends object>(object: T): Partial<T> {
  return Object.fromEntries(
    Object.entries(object).filter(([, value]) => value !== undefined),
  ) as Partial<T>
}
