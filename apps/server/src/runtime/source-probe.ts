/**
 * The source probe of a PAUSED direction: it keeps the lag honest while nothing replicates. It
 * reads the direction's checkpoint from the target filer's KV, then follows the source's metadata
 * log from there, read-only, counting the events that would be replicated (under the source path,
 * not excluded, not already carrying the target's signature: the filer filters those) and taking
 * the newest timestamp seen, idle heartbeats included, as the source head. So a paused edge with
 * writes waiting shows a backlog and a lag that grows, and a paused idle edge shows lag 0.
 *
 * It applies nothing and writes nothing. It uses its own client id, so it never replaces a
 * replicator's subscription (spec §5.6). Renames count once; excludes are checked on the event's
 * keys only, so the count is close to, not exactly, what the replicator would apply.
 */
import { randomInt } from 'node:crypto'
import {
  FilerClient,
  FilerKvCheckpointStore,
  isEqualOrUnder,
  toSyncError,
} from '@seasync/sync-core'
import type { DirectionSpec } from './edge-spec.js'

/** Wait between attempts when the source or target cannot be reached, ms. */
const RETRY_MS = 2000
/** Deadline of the unary calls (signatures, checkpoint), ms. */
const CALL_TIMEOUT_MS = 10_000

type SubscribeRequest = Parameters<FilerClient['subscribeMetadata']>[0]

/** What the probe has seen. */
export interface ProbeReading {
  /** The checkpoint read from the target (the paused direction's watermark), ns; 0 = none. */
  readonly checkpointNs: bigint
  /** Newest source timestamp seen, ns; 0 = none yet. */
  readonly headNs: bigint
  /** Events after the checkpoint that the direction would replicate. */
  readonly pending: number
  /** The last error, until the next successful subscribe. */
  readonly lastError: string | undefined
}

export class SourceProbe {
  private readonly abort = new AbortController()
  private readonly source: FilerClient
  private readonly target: FilerClient
  private readonly clientId = randomInt(1, 0x7fff_ffff)
  private epoch = 0
  private running: Promise<void> | undefined
  private checkpointNs: bigint
  private headNs = 0n
  private pending = 0
  private lastError: string | undefined

  /**
   * @param spec the paused direction
   * @param knownCheckpointNs the checkpoint as last known (shown until the probe has read it)
   */
  constructor(
    private readonly spec: DirectionSpec,
    knownCheckpointNs: bigint,
  ) {
    this.checkpointNs = knownCheckpointNs
    this.source = new FilerClient(spec.options.sourceAddress, { tls: spec.options.sourceTls })
    this.target = new FilerClient(spec.options.targetAddress, { tls: spec.options.targetTls })
  }

  start(): void {
    this.running ??= this.run()
  }

  /** Stops following the source and closes the connections. Idempotent. */
  async stop(): Promise<void> {
    this.abort.abort()
    await this.running
    this.source.close()
    this.target.close()
  }

  reading(): ProbeReading {
    return {
      checkpointNs: this.checkpointNs,
      headNs: this.headNs,
      pending: this.pending,
      lastError: this.lastError,
    }
  }

  private async run(): Promise<void> {
    const { signal } = this.abort
    const options = this.spec.options
    while (!signal.aborted) {
      try {
        const [source, target] = await Promise.all([
          this.source.getConfiguration({ signal, timeoutMs: CALL_TIMEOUT_MS }),
          this.target.getConfiguration({ signal, timeoutMs: CALL_TIMEOUT_MS }),
        ])
        const store = new FilerKvCheckpointStore({
          target: this.target,
          sourcePath: options.sourcePath,
          sourceSignature: source.signature ?? 0,
          targetPath: options.targetPath,
          timeoutMs: CALL_TIMEOUT_MS,
        })
        const since = await store.load(signal)
        // Counted afresh from the checkpoint on every subscribe.
        this.checkpointNs = since
        this.pending = 0
        this.epoch++
        const request: SubscribeRequest = {
          client_name: `seasyncProbe_${options.sourceAddress}_To_${options.targetAddress}`,
          path_prefix: options.sourcePath.endsWith('/')
            ? options.sourcePath
            : `${options.sourcePath}/`,
          since_ns: since.toString(),
          signature: target.signature ?? 0,
          path_prefixes: [],
          client_id: this.clientId,
          until_ns: '0',
          client_epoch: this.epoch,
          directories: [],
          client_supports_batching: false,
          client_supports_metadata_chunks: false,
          client_supports_idle_heartbeat: true,
        }
        for await (const response of this.source.subscribeMetadata(request, { signal })) {
          this.lastError = undefined
          const ts = BigInt(response.ts_ns ?? '0')
          if (ts > this.headNs) this.headNs = ts
          const notification = response.event_notification
          const entry = notification?.new_entry ?? notification?.old_entry
          // No entry: an idle heartbeat or a progress marker, a freshness signal only.
          if (notification === undefined || entry === undefined) continue
          const directory =
            notification.new_entry !== undefined && notification.new_parent_path
              ? notification.new_parent_path
              : (response.directory ?? '/')
          const path = `${directory.endsWith('/') ? directory : `${directory}/`}${entry.name ?? ''}`
          if (!isEqualOrUnder(path, options.sourcePath)) continue
          if (options.excludePaths.some((excluded) => isEqualOrUnder(path, excluded))) continue
          this.pending++
        }
      } catch (error) {
        if (signal.aborted) break
        this.lastError = toSyncError(error).message
      }
      await sleep(RETRY_MS, signal)
    }
  }
}

/** Resolves after `ms` or as soon as `signal` aborts; never rejects. */
function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve()
    const done = (): void => {
      clearTimeout(timer)
      signal.removeEventListener('abort', done)
      resolve()
    }
    const timer = setTimeout(done, ms)
    signal.addEventListener('abort', done, { once: true })
  })
}
