import * as grpc from '@grpc/grpc-js'
import {
  filerCodec,
  type SubscribeMetadataRequestOutput,
  type SubscribeMetadataResponse,
  type SubscribeMetadataResponseOutput,
} from '@seasync/proto'
import type { MetaLog } from '../filer/meta-log.js'
import { nowNs } from '../filer/meta-log.js'
import type { FilerStore } from '../store/filer-store.js'
import { joinPath } from '../filer/paths.js'

/** Tunables of the subscription server; defaults are SeaweedFS's. */
export interface SubscribeSettings {
  /** Idle heartbeat period for subscribers that ask for it (HEAD ≥4.28: at most every 5 s). */
  heartbeatIntervalMs: number
  /** A message older than this at the head of the queue triggers batching (SeaweedFS: 2 min). */
  batchAgeMs: number
  /** Responses per batch at most (SeaweedFS: 256). */
  batchSize: number
  /** Filtered events after which a progress marker is sent (SeaweedFS: more than 1000). */
  markerEvery: number
}

export const SubscribeDefaults: Readonly<SubscribeSettings> = Object.freeze({
  heartbeatIntervalMs: 5000,
  batchAgeMs: 120_000,
  batchSize: 256,
  markerEvery: 1000,
})

const SYSTEM_LOG_PREFIX = '/topics/.system/log'
const PAGE_ROWS = 1024

type Call = grpc.ServerWritableStream<SubscribeMetadataRequestOutput, SubscribeMetadataResponse>

/**
 * Tracks `client_id → epoch` (spec §5.6): a subscribe with an unknown id or a higher epoch
 * registers and replaces the older stream, which ends cleanly at its next wait point; the same or a
 * lower epoch is refused.
 */
export class SubscriberRegistry {
  private readonly epochs = new Map<number, number>()

  register(key: number, epoch: number): boolean {
    const known = this.epochs.get(key)
    if (known !== undefined && epoch <= known) return false
    this.epochs.set(key, epoch)
    return true
  }

  isCurrent(key: number, epoch: number): boolean {
    return this.epochs.get(key) === epoch
  }

  release(key: number, epoch: number): void {
    if (this.epochs.get(key) === epoch) this.epochs.delete(key)
  }
}

export interface SubscribeContext {
  store: FilerStore
  log: MetaLog
  signature: number
  registry: SubscriberRegistry
  settings: SubscribeSettings
}

/**
 * Serve one `SubscribeMetadata` / `SubscribeLocalMetadata` stream (spec §5): replay the log
 * strictly after `since_ns`, then follow live; filter by request signature, system-log path and
 * prefixes; progress markers, batching, heartbeats, `until_ns` and client-id rules; writes wait for
 * `drain` so a slow client slows this loop instead of growing a buffer.
 */
export async function serveSubscription(
  call: Call,
  ctx: SubscribeContext,
  local: boolean,
): Promise<void> {
  const req = call.request
  const clientId = req.client_id ?? 0
  const epoch = req.client_epoch ?? 0
  const clientName = req.client_name ?? ''
  // The local variant negates the id internally, so the two kinds never collide (spec §5.6).
  const key = local ? -clientId : clientId
  if (clientId !== 0 && !ctx.registry.register(key, epoch)) {
    const details = local
      ? `duplicated local subscription detected for client ${clientName} clientId:${clientId}`
      : `duplicated subscription detected for client ${clientName} id ${clientId}`
    call.emit('error', { code: grpc.status.UNKNOWN, details })
    return
  }
  const abort = new AbortController()
  const onCancel = (): void => abort.abort()
  call.on('cancelled', onCancel)
  call.on('close', onCancel)
  try {
    await streamEvents(
      call,
      ctx,
      req,
      abort.signal,
      () => clientId !== 0 && ctx.registry.isCurrent(key, epoch),
    )
    if (!abort.signal.aborted) call.end()
  } catch (err) {
    if (!abort.signal.aborted) {
      call.emit('error', {
        code: grpc.status.UNKNOWN,
        details: err instanceof Error ? err.message : String(err),
      })
    }
  } finally {
    if (clientId !== 0) ctx.registry.release(key, epoch)
    call.off('cancelled', onCancel)
    call.off('close', onCancel)
  }
}

async function streamEvents(
  call: Call,
  ctx: SubscribeContext,
  req: SubscribeMetadataRequestOutput,
  signal: AbortSignal,
  stillSubscribed: () => boolean,
): Promise<void> {
  const requestSignature = req.signature ?? 0
  const untilNs = BigInt(req.until_ns ?? 0)
  const batching = req.client_supports_batching === true
  const heartbeats = req.client_supports_idle_heartbeat === true
  const matches = pathMatcher(req)
  const { settings } = ctx
  let sinceNs = BigInt(req.since_ns ?? 0)
  let examined = 0
  let batch: SubscribeMetadataResponse[] = []
  let lastSendMs = Date.now()

  const send = async (message: SubscribeMetadataResponse): Promise<void> => {
    if (signal.aborted) return
    lastSendMs = Date.now()
    if (!call.write(message)) await drained(call, signal)
  }
  const flush = async (): Promise<void> => {
    if (batch.length === 0) return
    const [head, ...rest] = batch
    batch = []
    await send({ ...head, events: rest })
  }
  /** Queue one outgoing message: batched when it is old and the client accepts batches (§5.5). */
  const emit = async (message: SubscribeMetadataResponse, tsNs: bigint): Promise<void> => {
    const old = nowNs() - tsNs > BigInt(settings.batchAgeMs) * 1_000_000n
    if (batching && old) {
      batch.push(message)
      if (batch.length >= settings.batchSize) await flush()
      return
    }
    await flush()
    await send(message)
  }

  while (!signal.aborted) {
    const headNs = ctx.log.committedHeadNs()
    const rows = ctx.store.readLog(sinceNs, headNs, PAGE_ROWS)
    for (const row of rows) {
      if (signal.aborted) return
      if (untilNs > 0n && row.tsNs > untilNs) {
        await flush()
        return
      }
      sinceNs = row.tsNs
      const event = filerCodec.decode<SubscribeMetadataResponseOutput>(
        'SubscribeMetadataResponse',
        row.data,
      )
      if (isDeliverable(event, requestSignature, ctx.signature, matches)) {
        examined = 0
        await emit(event, row.tsNs)
        continue
      }
      // Filtered events still count toward the progress marker (spec §5.4).
      examined++
      if (examined > settings.markerEvery) {
        examined = 0
        await emit({ directory: '', event_notification: {}, ts_ns: row.tsNs.toString() }, row.tsNs)
      }
    }
    await flush()
    if (rows.length === PAGE_ROWS) continue
    // Caught up. A stream that is no longer the registered one (or has client id 0) ends here.
    if (!stillSubscribed()) return
    if (untilNs > 0n && nowNs() > untilNs) return
    const heartbeatDueMs = lastSendMs + settings.heartbeatIntervalMs - Date.now()
    if (heartbeats && heartbeatDueMs <= 0) {
      // Idle heartbeat: only ts_ns, no event_notification; a freshness signal, never a checkpoint.
      // Due when nothing at all was sent for a period, even if filtered events kept arriving.
      await send({ ts_ns: nowNs().toString() })
      continue
    }
    // A commit while this loop was waiting for `drain` woke nobody: read again instead of sleeping
    // until the next commit or heartbeat (a lost wake-up is seconds of lag at a low write rate).
    if (ctx.log.committedHeadNs() !== headNs) continue
    await ctx.log.waitForAppend(heartbeats ? heartbeatDueMs : 60_000, signal)
  }
}

type PathMatcher = (dir: string, name: string) => boolean

/** Prefix / prefixes / exact-directories matching of spec §5.3 step 4. */
function pathMatcher(req: SubscribeMetadataRequestOutput): PathMatcher {
  const prefix = req.path_prefix ?? ''
  const prefixes = req.path_prefixes.filter((p) => p !== '')
  const directories = new Set(req.directories)
  return (dir, name) => {
    const full = joinPath(dir, name)
    if (full.startsWith(prefix)) return true
    if (prefixes.some((p) => full.startsWith(p))) return true
    return directories.has(dir)
  }
}

/** Server-side filtering of spec §5.3, in its order. Appends the serving filer's signature. */
function isDeliverable(
  event: SubscribeMetadataResponseOutput,
  requestSignature: number,
  ownSignature: number,
  matches: PathMatcher,
): boolean {
  const n = event.event_notification
  if (!n) return false
  if (requestSignature !== 0 && n.signatures.includes(requestSignature)) return false
  if (!n.signatures.includes(ownSignature)) n.signatures.push(ownSignature)
  const dir = event.directory ?? ''
  const oldName = (n.old_entry ?? n.new_entry)?.name ?? ''
  if (joinPath(dir, oldName).startsWith(SYSTEM_LOG_PREFIX)) return false
  if (matches(dir, oldName)) return true
  if (n.new_entry) {
    const newDir = n.new_parent_path || dir
    return matches(newDir, n.new_entry.name ?? '')
  }
  return false
}

function drained(call: Call, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      call.off('drain', done)
      signal.removeEventListener('abort', done)
      resolve()
    }
    call.on('drain', done)
    signal.addEventListener('abort', done, { once: true })
  })
}
