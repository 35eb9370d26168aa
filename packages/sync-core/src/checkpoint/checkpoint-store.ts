/**
 * Where one direction's checkpoint (the processed watermark, spec §4.3–§4.4) is kept. The
 * replicator loads it before every (re)subscribe and saves it periodically and on stop.
 */
export interface CheckpointStore {
  /**
   * The saved checkpoint in nanoseconds since the epoch; `0n` when none was saved (replay the
   * source's retained log from the start, §4.1). Rejects with `SYNC_ERR_CHECKPOINT_READ`, or
   * SyncStoppedError when `signal` aborts.
   */
  load(signal?: AbortSignal): Promise<bigint>
  /**
   * Save `tsNs` (nanoseconds since the epoch). `0n` (and below) is never written: Go never saves
   * a zero watermark (§4.3), which would rewind a later restart to the start of the log. Rejects
   * with `SYNC_ERR_CHECKPOINT_WRITE`, or SyncStoppedError when `signal` aborts.
   */
  save(tsNs: bigint, signal?: AbortSignal): Promise<void>
}
