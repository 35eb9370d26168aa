import { SyncError, SyncStoppedError, type SyncErrorCode } from '../errors.js'
import type { FilerClient } from '../filer/filer-client.js'
import {
  CHECKPOINT_VALUE_BYTES,
  checkpointKey,
  decodeCheckpoint,
  encodeCheckpoint,
  legacyCheckpointKey,
} from './checkpoint-key.js'
import type { CheckpointStore } from './checkpoint-store.js'

/** Options of {@link FilerKvCheckpointStore}. */
export interface FilerKvCheckpointStoreOptions {
  /** Client of the TARGET filer: checkpoints live in the sink's KV store (§4.1). */
  target: Pick<FilerClient, 'kvGet' | 'kvPut'>
  /** The source path (`-a.path` for A→B) exactly as configured; part of the key, verbatim. */
  sourcePath: string
  /** The SOURCE filer's signature (int32); part of the key. */
  sourceSignature: number
  /**
   * The target path (`-b.path` for A→B) exactly as configured; part of the key unless it is `/`
   * (upstream after 4.44, PR #10934). Default `/`: 4.44's key.
   */
  targetPath?: string
  /** Deadline of each KvGet / KvPut, milliseconds. Default: the client's unary default. */
  timeoutMs?: number
}

/**
 * The checkpoint of one direction X→Y in Y's KV store, with Go's key and value bytes (§4.1), so a
 * Go `weed filer.sync` and SeaSync can take over from each other without replay.
 */
export class FilerKvCheckpointStore implements CheckpointStore {
  /** The KV key: `sync.`[sourcePath][`=>`targetPath] ‖ source signature (4 bytes BE). */
  readonly key: Buffer
  /** 4.44's key without the target path, read when `key` holds nothing; undefined for `/`. */
  readonly legacyKey: Buffer | undefined
  private readonly target: Pick<FilerClient, 'kvGet' | 'kvPut'>
  private readonly timeoutMs: number | undefined

  constructor(options: FilerKvCheckpointStoreOptions) {
    this.target = options.target
    const targetPath = options.targetPath ?? '/'
    this.key = checkpointKey(options.sourcePath, options.sourceSignature, targetPath)
    this.legacyKey = legacyCheckpointKey(options.sourcePath, options.sourceSignature, targetPath)
    this.timeoutMs = options.timeoutMs
  }

  /**
   * KvGet on the target; shorter than 8 bytes (or missing) → `0n` (§4.1). When the key has no
   * value yet and a {@link legacyKey} exists, that one is read instead (PR #10934: a sync
   * upgraded from 4.44 resumes where it was); saves only ever write {@link key}.
   */
  async load(signal?: AbortSignal): Promise<bigint> {
    try {
      const options = { signal, timeoutMs: this.timeoutMs }
      const value = await this.target.kvGet(this.key, options)
      if (value.length < CHECKPOINT_VALUE_BYTES && this.legacyKey !== undefined) {
        return decodeCheckpoint(await this.target.kvGet(this.legacyKey, options))
      }
      return decodeCheckpoint(value)
    } catch (err) {
      throw wrap(err, 'SYNC_ERR_CHECKPOINT_READ', 'reading checkpoint')
    }
  }

  /** KvPut on the target; `tsNs <= 0n` is a no-op (Go never saves 0: §4.3, field notes §3 #11, #13). */
  async save(tsNs: bigint, signal?: AbortSignal): Promise<void> {
    if (tsNs <= 0n) return
    const value = encodeCheckpoint(tsNs)
    try {
      await this.target.kvPut(this.key, value, { signal, timeoutMs: this.timeoutMs })
    } catch (err) {
      throw wrap(err, 'SYNC_ERR_CHECKPOINT_WRITE', `writing checkpoint ${tsNs}`)
    }
  }
}

/** Stops stay stops; every other failure becomes the checkpoint code, keeping the cause. */
function wrap(err: unknown, code: SyncErrorCode, what: string): SyncError {
  if (err instanceof SyncStoppedError) return err
  const message = err instanceof Error ? err.message : String(err)
  // Both codes are retryable whatever the cause: Go retries a failed read with the whole subscribe
  // loop (§5.7) and a failed save at the next 3-s window (§4.3), forever.
  return new SyncError(code, `${what}: ${message}`, { cause: err })
}
