/**
 * One direction X→Y of `weed filer.sync` (spec §0): signatures of both filers → checkpoint from
 * Y's KV → SubscribeMetadata on X from it → each event planned, admitted under the per-path rules,
 * applied on Y → watermark → checkpoint saved to Y every few seconds and on stop.
 *
 * Differences from upstream, all from its HEAD fixes or the field notes: a failed event is retried
 * with backoff and holds the watermark (it is listed in {@link Replicator.failures}, where it can
 * be retried now or skipped) while giving its concurrency slot back, so only later events on its
 * paths wait (parked) and other paths go on; the checkpoint is saved on a timer, not only when events arrive; a
 * resubscribe never applies an event twice within one run.
 */
import { setMaxListeners } from 'node:events'
import { SyncError, SyncStoppedError, toSyncError } from './errors.js'
import { ChunkCopier } from './apply/chunk-copier.js'
import { EntryApplier } from './apply/entry-applier.js'
import { entryMtimeNs } from './apply/etag.js'
import { planEvent, type Plan } from './apply/scope.js'
import type { CheckpointStore } from './checkpoint/checkpoint-store.js'
import { FilerKvCheckpointStore } from './checkpoint/filer-kv-checkpoint-store.js'
import { httpTransport } from './filer/cluster-tls.js'
import { FilerClient } from './filer/filer-client.js'
import { parseFilerAddress } from './filer/filer-address.js'
import {
  LARGE_FILE_BYTES,
  LARGE_FILES_SHOWN,
  NotificationHub,
  type FailedEvent,
  type NotificationListener,
  type ReplicatorStatus,
} from './notifications.js'
import {
  validateOptions,
  type ReplicatorOptions,
  type ResolvedReplicatorOptions,
} from './options.js'
import { canTransition, type ReplicatorState } from './replicator-state.js'
import { jobForEvent } from './scheduler/job-kind.js'
import { PathScheduler, type Release } from './scheduler/path-scheduler.js'
import { Watermark, type WatermarkKey } from './scheduler/watermark.js'
import {
  EventSequencer,
  flattenMetadataResponse,
  type ChangeEvent,
  type MetadataItem,
} from './stream/metadata-event.js'
import { buildSubscribeRequest, newClientId } from './stream/subscribe-request.js'
import { abortableSleep } from './util/abort.js'
import { backoffDelayMs } from './util/backoff.js'
import { parentAndName } from './util/paths.js'

/** Reconnect waits after a stream error: upstream sleeps ~1.7–2.1 s; we add jitter and growth. */
const RESUBSCRIBE_BACKOFF = { initialMs: 1747, maxMs: 30_000, factor: 2, maxAttempts: undefined }
/** Retry waits of a failed event: 1 s growing to 2 min (upstream 4.31's chunk-copy cap). */
const EVENT_RETRY_BACKOFF = { initialMs: 1000, maxMs: 120_000, factor: 2, maxAttempts: undefined }
/**
 * After a transport failure (reset, EOF, timeout, refused) the peer is in trouble: wait 10 s,
 * 20 s, 40 s … 2 min plus up to 1 s of jitter, as upstream 4.31 does, instead of hammering it.
 */
function transportRetryDelayMs(attempt: number): number {
  return (
    Math.min(120_000, 10_000 * 2 ** Math.max(0, attempt - 1)) + Math.floor(Math.random() * 1000)
  )
}
/** How long stop() lets in-flight events finish before cancelling them. */
const DRAIN_TIMEOUT_MS = 10_000

/** The client epoch is process-wide per client id, strictly increasing per subscribe (§5.6). */
const epochs = new Map<number, number>()
function nextEpoch(clientId: number): number {
  const epoch = (epochs.get(clientId) ?? 0) + 1
  epochs.set(clientId, epoch)
  return epoch
}

/** What {@link Replicator.stop} leaves behind: the checkpoint now saved, or why the save failed. */
export interface StopResult {
  savedNs: bigint
  error?: SyncError
}

interface FailureRecord extends FailedEvent {
  wake: (() => void) | undefined
  skip: boolean
}

export class Replicator {
  readonly options: Readonly<ResolvedReplicatorOptions>
  private readonly source: FilerClient
  private readonly target: FilerClient
  private readonly clientId: number
  private readonly hub = new NotificationHub()
  private readonly scheduler: PathScheduler
  private readonly copier: ChunkCopier
  private readonly applier: EntryApplier
  private readonly sequencer = new EventSequencer()
  private readonly failureList = new Map<string, FailureRecord>()
  /** Stops reading the stream and admitting events; failed events stop waiting for retries. */
  private readonly streamAbort = new AbortController()
  /** Cancels work in progress (after the drain timeout of stop()). */
  private readonly workAbort = new AbortController()
  private state: ReplicatorState = 'idle'
  private running: Promise<void> | undefined
  private checkpoints: CheckpointStore | undefined
  private watermark: Watermark | undefined
  private readonly sourceHttp: string
  private readonly targetHttp: string
  private sourceSignature = 0
  private targetSignature = 0
  private lastAdmittedNs = 0n
  /** After a resubscribe: events at or below this ts were already taken in by this run. */
  private replayFloorNs = 0n
  private savedNs = 0n
  private savedAtMs: number | undefined
  private sourceHeadNs = 0n
  private readonly clockOffset = new WindowedMin(5 * 60_000)
  /** The event this loop is admitting right now (blocked in the scheduler); 0 when none. */
  private admittingNs = 0n
  private received = 0
  private applied = 0
  private bytesCopied = 0
  private lastError: string | undefined
  private saveTimer: NodeJS.Timeout | undefined
  private saving: Promise<void> = Promise.resolve()

  constructor(options: ReplicatorOptions) {
    // Every in-flight event and chunk request listens on these: more than 10 is normal.
    setMaxListeners(0, this.streamAbort.signal)
    setMaxListeners(0, this.workAbort.signal)
    this.options = validateOptions(options)
    const o = this.options
    this.clientId = o.clientId ?? newClientId()
    // Each side dials with its own cluster's TLS, gRPC and HTTP alike (field notes §3 item 56).
    this.source = new FilerClient(o.sourceAddress, { tls: o.sourceTls })
    this.target = new FilerClient(o.targetAddress, { tls: o.targetTls })
    this.sourceHttp = parseFilerAddress(o.sourceAddress).httpAddress
    this.targetHttp = parseFilerAddress(o.targetAddress).httpAddress
    this.scheduler = new PathScheduler(o.concurrency)
    this.copier = new ChunkCopier(this.source, this.target, {
      chunkConcurrency: o.chunkConcurrency,
      sourceHttp: httpTransport(o.sourceTls),
      targetHttp: httpTransport(o.targetTls),
      sourceFilerProxy: o.sourceFilerProxy
        ? parseFilerAddress(o.sourceAddress).httpAddress
        : undefined,
      targetFilerProxy: o.targetFilerProxy
        ? parseFilerAddress(o.targetAddress).httpAddress
        : undefined,
      ...o.placement,
    })
    this.applier = new EntryApplier(this.target, this.copier)
  }

  /** Start replicating in the background (progress and errors arrive as notifications). */
  start(): void {
    if (this.running) return
    this.running = this.run()
  }

  /**
   * Stop: no more events are read; in-flight events get a bounded time to finish, then are
   * cancelled; the checkpoint is saved; connections close. Safe to call more than once.
   */
  async stop({
    drainTimeoutMs = DRAIN_TIMEOUT_MS,
  }: { drainTimeoutMs?: number } = {}): Promise<StopResult> {
    if (this.state === 'stopped') return { savedNs: this.savedNs }
    if (this.state !== 'stopping') this.transition('stopping')
    this.streamAbort.abort()
    for (const failure of this.failureList.values()) failure.wake?.()
    const drained = this.scheduler.idle()
    const timeout = new Promise<'timeout'>((resolve) =>
      setTimeout(() => resolve('timeout'), drainTimeoutMs).unref(),
    )
    if ((await Promise.race([drained, timeout])) === 'timeout') this.workAbort.abort()
    await drained
    await this.running?.catch(() => undefined)
    clearInterval(this.saveTimer)
    await this.saving
    const error = await this.saveCheckpoint('on shutdown')
    this.source.close()
    this.target.close()
    this.transition('stopped')
    return error ? { savedNs: this.savedNs, error } : { savedNs: this.savedNs }
  }

  /** Receive notifications (state changes, checkpoint saves, failures, log lines). */
  on(listener: NotificationListener): () => void {
    return this.hub.on(listener)
  }

  status(): ReplicatorStatus {
    return {
      state: this.state,
      appliedNs: this.watermark?.value() ?? this.savedNs,
      savedNs: this.savedNs,
      savedAtMs: this.savedAtMs,
      sourceHeadNs: this.sourceHeadNs,
      sourceClockOffsetMs: this.clockOffset.value(),
      oldestPendingNs: this.oldestPendingNs(),
      backlog: this.received - this.applied,
      eventsApplied: this.applied,
      bytesCopied: this.bytesCopied,
      failures: this.failureList.size,
      inFlight: [...this.copier.transfers].map((t) => ({ ...t })),
      largeFiles: [...this.copier.files]
        .filter((f) => f.bytes >= LARGE_FILE_BYTES)
        .sort((x, y) => y.bytes - x.bytes)
        .slice(0, LARGE_FILES_SHOWN)
        .map((f) => ({ ...f })),
      lastError: this.lastError,
    }
  }

  /** The oldest event received and not applied: started in the watermark, or being admitted. */
  private oldestPendingNs(): bigint {
    const started = this.watermark?.oldestUnfinished()?.tsNs
    // The event being admitted is the newest received, so any started one is older.
    if (started !== undefined) return started
    return this.admittingNs
  }

  /** Events that failed and wait for their next retry, oldest first. */
  failures(): FailedEvent[] {
    return [...this.failureList.values()]
      .sort((a, b) => (a.tsNs < b.tsNs ? -1 : a.tsNs > b.tsNs ? 1 : 0))
      .map(({ wake: _w, skip: _s, ...f }) => f)
  }

  /** Retry a failed event now instead of at its next scheduled time. */
  retryFailure(id: string): boolean {
    const failure = this.failureList.get(id)
    failure?.wake?.()
    return failure !== undefined
  }

  /** Give up on a failed event: the watermark moves past it. The caller records why. */
  skipFailure(id: string): boolean {
    const failure = this.failureList.get(id)
    if (!failure) return false
    failure.skip = true
    failure.wake?.()
    return true
  }

  // ---- the subscribe loop ----------------------------------------------------------------------

  private async run(): Promise<void> {
    const signal = this.streamAbort.signal
    let attempt = 0
    while (!signal.aborted) {
      try {
        this.transition('connecting')
        await this.prepare(signal)
        const since = await this.checkpoints!.load(signal)
        this.watermark ??= new Watermark(since)
        if (this.savedNs === 0n) this.savedNs = since
        this.replayFloorNs = this.lastAdmittedNs
        const request = buildSubscribeRequest({
          sourceAddressRaw: this.options.sourceAddress,
          targetAddressRaw: this.options.targetAddress,
          sourcePath: this.options.sourcePath,
          sinceNs: since,
          targetSignature: this.targetSignature,
          clientId: this.clientId,
          clientEpoch: nextEpoch(this.clientId),
        })
        const stream = this.source.subscribeMetadata(request, { signal })
        this.transition('streaming')
        this.log(
          'info',
          `start sync ${this.sourceHttp}(${this.sourceSignature}) => ${this.targetHttp}(${this.targetSignature}) from ${formatNs(since)}`,
        )
        for await (const response of stream) {
          attempt = 0
          for (const item of flattenMetadataResponse(response, this.sequencer)) {
            await this.handle(item, signal)
          }
        }
        // Clean end of stream (replaced, caught up with id 0, until_ns): resubscribe at once.
      } catch (err) {
        if (signal.aborted) break
        const error = toSyncError(err, 'SYNC_ERR_SUBSCRIBE')
        this.lastError = error.message
        if (error.code === 'SYNC_ERR_SIGNATURE' || error.code === 'SYNC_ERR_OPTIONS') {
          this.transition('failed', error)
          this.log('error', error.message)
          return
        }
        attempt++
        this.transition('backing-off')
        this.log(
          'warn',
          `sync from ${this.options.sourceAddress} to ${this.options.targetAddress}: ${error.message}`,
        )
        await abortableSleep(backoffDelayMs(attempt, RESUBSCRIBE_BACKOFF), signal).catch(
          () => undefined,
        )
      }
    }
  }

  /** Signatures (once), the checkpoint store, `fromTsMs`, the save timer. */
  private async prepare(signal: AbortSignal): Promise<void> {
    if (this.checkpoints) return
    const [src, dst] = await Promise.all([
      this.source.getConfiguration({ signal }),
      this.target.getConfiguration({ signal }),
    ])
    const a = src.signature ?? 0
    const b = dst.signature ?? 0
    // Equal or zero signatures disable loop protection (cloned stores): refuse (spec §12.17).
    if (a === 0 || b === 0 || a === b) {
      throw new SyncError(
        'SYNC_ERR_SIGNATURE',
        `refusing to sync ${this.options.sourceAddress} (signature ${a}) to ${this.options.targetAddress} (signature ${b}): signatures must differ and be non-zero, or loop protection cannot work`,
      )
    }
    this.sourceSignature = a
    this.targetSignature = b
    const store = new FilerKvCheckpointStore({
      target: this.target,
      sourcePath: this.options.sourcePath,
      sourceSignature: a,
      // Post-4.44 key: two syncs from one source into one target keep apart (field notes #17).
      targetPath: this.options.targetPath,
    })
    if (this.options.fromTsMs > 0) {
      const ns = BigInt(Math.trunc(this.options.fromTsMs)) * 1_000_000n
      await store.save(ns, signal)
      this.log(
        'info',
        `setOffset from timestamp ms success! start offset: ${ns} from ${this.options.sourceAddress} to ${this.options.targetAddress}`,
      )
    }
    this.checkpoints = store
    this.saveTimer = setInterval(() => {
      this.saving = this.saving.then(async () => void (await this.saveCheckpoint()))
    }, this.options.checkpointIntervalMs)
    this.saveTimer.unref()
  }

  /** One stream item: heartbeats and markers only move the source head (never the checkpoint). */
  private async handle(item: MetadataItem, signal: AbortSignal): Promise<void> {
    if (item.tsNs > this.sourceHeadNs) this.sourceHeadNs = item.tsNs
    const nowMs = Date.now()
    this.clockOffset.add(nowMs - Number(item.tsNs / 1_000_000n), nowMs)
    if (item.type !== 'change') return
    // A resubscribe from the saved checkpoint re-sends events this run already took in. Within
    // one stream nothing is dropped by ts: two events may share one (keyed by (ts, seq), §4.4).
    if (item.tsNs <= this.replayFloorNs) return
    if (item.tsNs > this.lastAdmittedNs) this.lastAdmittedNs = item.tsNs
    if (this.options.logReceivedEvents) {
      this.log(
        'info',
        `received ${item.kind} ${item.oldKey ?? ''}${item.oldKey && item.newKey ? ' -> ' : ''}${item.newKey ?? ''} ts ${item.tsNs}`,
      )
    }
    this.received++
    const key: WatermarkKey = { tsNs: item.tsNs, seq: item.seq }
    const plan = this.plan(item)
    if (plan === undefined || plan.op === 'skip') {
      this.watermark!.start(key)
      this.watermark!.finish(key)
      this.applied++
      return
    }
    const job = jobForEvent({
      kind: item.kind,
      isDirectory: item.isDirectory,
      ...(item.oldKey === undefined ? {} : { oldPath: item.oldKey }),
      ...(item.newKey === undefined ? {} : { newPath: item.newKey }),
    })
    // Admission blocks this loop, so the stream is not read further: back-pressure (§4.4). An
    // event parked behind a failed one is taken in (and started in the watermark, which so never
    // passes it) and runs once what blocks it finishes or is skipped.
    this.admittingNs = item.tsNs
    const { runnable } = await this.scheduler.enqueue(job, signal).finally(() => {
      this.admittingNs = 0n
    })
    this.watermark!.start(key)
    void runnable.then((release) => this.runJob(item, plan, key, release))
  }

  /** What to do on the target; undefined for an event that already carries its signature. */
  private plan(change: ChangeEvent): Plan | undefined {
    // Redundant with the server-side filter on current filers (§3.4 filter 2).
    if (change.signatures.includes(this.targetSignature)) return undefined
    return planEvent(change, {
      sourcePath: this.options.sourcePath,
      targetPath: this.options.targetPath,
      excludePaths: this.options.excludePaths,
      doDeleteFiles: this.options.doDeleteFiles,
    })
  }

  // ---- one event -------------------------------------------------------------------------------

  private async runJob(
    change: ChangeEvent,
    plan: Plan,
    key: WatermarkKey,
    release: Release,
  ): Promise<void> {
    const id = `${key.tsNs}:${key.seq}`
    const signal = this.workAbort.signal
    try {
      for (let attempt = 1; ; attempt++) {
        try {
          const outcome = await this.applier.apply(plan, signal)
          this.bytesCopied += outcome.bytes
          this.done(key, id)
          return
        } catch (err) {
          if (signal.aborted || err instanceof SyncStoppedError) return // stays unfinished: replayed
          const error = toSyncError(err)
          if (await this.superseded(change, error)) {
            this.log(
              'info',
              `skip stale source ${change.newKey ?? change.oldKey ?? ''}: ${error.message}`,
            )
            this.done(key, id)
            return
          }
          const failure = this.recordFailure(id, key, change, plan, error, attempt)
          // Give the slot back while waiting, keep the paths: later events on them park.
          this.scheduler.markWaiting(release)
          const skipped = await this.waitForRetry(failure)
          if (skipped) {
            this.watermark!.skip(key)
            this.failureList.delete(id)
            this.applied++
            this.log('warn', `skipped failed event ${id} ${failure.operation} ${failure.path}`)
            return
          }
          if (this.streamAbort.signal.aborted) return // stopping: stays failed, replayed next run
          try {
            await this.scheduler.resume(release, this.streamAbort.signal)
          } catch {
            return // stopping while waiting for a slot: stays failed, replayed next run
          }
          this.watermark!.start(key)
        }
      }
    } finally {
      release()
    }
  }

  private done(key: WatermarkKey, id: string): void {
    this.watermark!.finish(key)
    this.applied++
    if (this.failureList.delete(id)) this.hub.emit({ type: 'recovered', id })
  }

  private recordFailure(
    id: string,
    key: WatermarkKey,
    change: ChangeEvent,
    plan: Plan,
    error: SyncError,
    attempt: number,
  ): FailureRecord {
    this.watermark!.fail(key)
    const delay =
      error.code === 'SYNC_ERR_UNAVAILABLE'
        ? transportRetryDelayMs(attempt)
        : backoffDelayMs(attempt, EVENT_RETRY_BACKOFF)
    const failure: FailureRecord = {
      id,
      tsNs: key.tsNs,
      operation: plan.op,
      path: change.newKey ?? change.oldKey ?? change.directory,
      error,
      attempts: attempt,
      nextRetryAtMs: Date.now() + delay,
      wake: undefined,
      skip: this.failureList.get(id)?.skip ?? false,
    }
    this.failureList.set(id, failure)
    this.lastError = error.message
    this.hub.emit({ type: 'failure', failure: { ...failure } })
    this.log('warn', `process ${plan.op} ${failure.path}: ${error.message} (attempt ${attempt})`)
    return failure
  }

  /** Sleep until the next retry, an explicit retry, a skip or stop. Resolves true on skip. */
  private async waitForRetry(failure: FailureRecord): Promise<boolean> {
    if (!failure.skip && !this.streamAbort.signal.aborted) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.max(0, failure.nextRetryAtMs - Date.now()))
        failure.wake = () => {
          clearTimeout(timer)
          resolve()
        }
      })
      failure.wake = undefined
    }
    return failure.skip
  }

  /**
   * HEAD's stale-source rule (§8.5, field notes §3 items 22, 28): a chunk that cannot be read is
   * not worth retrying when the source entry is gone or has a newer mtime: a later event carries
   * the truth.
   */
  private async superseded(change: ChangeEvent, error: SyncError): Promise<boolean> {
    if (error.code !== 'SYNC_ERR_CHUNK_READ' && error.code !== 'SYNC_ERR_CHUNK_SIZE') return false
    if (!change.newKey || !change.newEntry) return false
    try {
      const { parent, name } = parentAndName(change.newKey)
      const now = await this.source.lookupEntry(parent, name, { signal: this.workAbort.signal })
      return !now || entryMtimeNs(now) > entryMtimeNs(change.newEntry)
    } catch {
      return false
    }
  }

  // ---- checkpoint, state, log ------------------------------------------------------------------

  /** Save the watermark if it moved; resolves to the error when the save failed. */
  private async saveCheckpoint(why?: string): Promise<SyncError | undefined> {
    const value = this.watermark?.value() ?? 0n
    // Never save 0 or an unchanged value (field notes §3 items 11, 13).
    if (!this.checkpoints || value <= 0n || value === this.savedNs) return undefined
    try {
      await this.checkpoints.save(value)
      this.savedNs = value
      this.savedAtMs = Date.now()
      this.hub.emit({ type: 'checkpoint-saved', tsNs: value })
      if (why)
        this.log(
          'info',
          `saved checkpoint for ${this.options.sourceAddress}->${this.options.targetAddress} ${why}: ${formatNs(value)}`,
        )
      return undefined
    } catch (err) {
      // Upstream skips the save silently; we say so and try again at the next tick (§4.3).
      const error = toSyncError(err, 'SYNC_ERR_CHECKPOINT_WRITE')
      this.log(
        'warn',
        `failed to save checkpoint for ${this.options.sourceAddress}->${this.options.targetAddress}: ${error.message}`,
      )
      this.hub.emit({ type: 'checkpoint-failed', error })
      return error
    }
  }

  private transition(to: ReplicatorState, error?: SyncError): void {
    if (this.state === to || !canTransition(this.state, to)) return
    this.state = to
    this.hub.emit(error ? { type: 'state', state: to, error } : { type: 'state', state: to })
  }

  private log(level: 'info' | 'warn' | 'error', message: string): void {
    this.hub.emit({ type: 'log', level, message })
  }
}

function formatNs(ns: bigint): string {
  return ns === 0n
    ? 'the beginning (0)'
    : `${new Date(Number(ns / 1_000_000n)).toISOString()}(${ns})`
}

/**
 * The minimum of values added over roughly the last `windowMs` (two rotating buckets), so an old
 * minimum ages out when clocks are adjusted.
 */
class WindowedMin {
  private current: number | undefined
  private previous: number | undefined
  private bucketStartMs = 0

  constructor(private readonly windowMs: number) {}

  add(value: number, nowMs: number): void {
    if (nowMs - this.bucketStartMs >= this.windowMs) {
      this.previous = this.current
      this.current = undefined
      this.bucketStartMs = nowMs
    }
    if (this.current === undefined || value < this.current) this.current = value
  }

  value(): number | undefined {
    if (this.current === undefined) return this.previous
    if (this.previous === undefined) return this.current
    return Math.min(this.current, this.previous)
  }
}
