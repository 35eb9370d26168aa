/**
 * A direction's checkpoint where `weed filer.sync` keeps it: in the TARGET filer's KV under
 * `sync.<sourcePath>[=><targetPath>]` ‖ source signature (spec §4.1, upstream PR #10934,
 * sync-core's `FilerKvCheckpointStore`; 4.44's key is read while the new one is empty). Read
 * at any time; written only for a paused edge (the replication service checks), which then
 * resumes from it, like `-a.fromTsMs`.
 */
import { FilerClient, FilerKvCheckpointStore } from '@seasync/sync-core'
import type { DirectionSpec } from './edge-spec.js'

/** Deadline of each filer call, ms. */
export const CHECKPOINT_CALL_TIMEOUT_MS = 10_000

/** One direction's stored checkpoint. */
export interface StoredCheckpoint {
  /** The KV key (weed's bytes). */
  readonly key: Buffer
  /** ns since the epoch; 0 when none is stored. */
  readonly checkpointNs: bigint
}

/** Reads the checkpoint of `direction`. Rejects with a SyncError when a filer fails. */
export async function readCheckpoint(
  direction: DirectionSpec,
  signal: AbortSignal,
): Promise<StoredCheckpoint> {
  return withStore(direction, signal, async (store) => ({
    key: store.key,
    checkpointNs: await store.load(signal),
  }))
}

/** Writes `checkpointNs` (> 0) as the checkpoint of `direction`. */
export async function writeCheckpoint(
  direction: DirectionSpec,
  checkpointNs: bigint,
  signal: AbortSignal,
): Promise<StoredCheckpoint> {
  return withStore(direction, signal, async (store) => {
    await store.save(checkpointNs, signal)
    return { key: store.key, checkpointNs }
  })
}

async function withStore<T>(
  direction: DirectionSpec,
  signal: AbortSignal,
  use: (store: FilerKvCheckpointStore) => Promise<T>,
): Promise<T> {
  const source = new FilerClient(direction.options.sourceAddress, {
    unaryTimeoutMs: CHECKPOINT_CALL_TIMEOUT_MS,
    tls: direction.options.sourceTls,
  })
  const target = new FilerClient(direction.options.targetAddress, {
    unaryTimeoutMs: CHECKPOINT_CALL_TIMEOUT_MS,
    tls: direction.options.targetTls,
  })
  try {
    // The key names the SOURCE filer's signature.
    const { signature } = await source.getConfiguration({ signal })
    const store = new FilerKvCheckpointStore({
      target,
      sourcePath: direction.options.sourcePath,
      sourceSignature: signature ?? 0,
      targetPath: direction.options.targetPath,
    })
    return await use(store)
  } finally {
    source.close()
    target.close()
  }
}
