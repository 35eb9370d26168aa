/**
 * The sync-core error catalogue. Every failure the replicator reports is a {@link SyncError} with a
 * stable `code` (append-only: codes are part of the API and are documented in SPEC.md, which a
 * test checks), a `retryable` flag and the original error as `cause`. {@link toSyncError}
 * normalizes anything thrown; cancellation by our own signal is a {@link SyncStoppedError}, never
 * a failure.
 */

export const SyncErrorCodes = {
  /** Options failed validation; the message names the option. */
  SYNC_ERR_OPTIONS: { retryable: false },
  /** A filer could not be reached or answered with a transport-level error. */
  SYNC_ERR_UNAVAILABLE: { retryable: true },
  /** Signatures of the two filers are equal or zero: loop protection would not work. */
  SYNC_ERR_SIGNATURE: { retryable: false },
  /** Reading the checkpoint from the target's KV failed. */
  SYNC_ERR_CHECKPOINT_READ: { retryable: true },
  /** Writing the checkpoint to the target's KV failed. */
  SYNC_ERR_CHECKPOINT_WRITE: { retryable: true },
  /** The metadata subscription failed (other than by our own stop). */
  SYNC_ERR_SUBSCRIBE: { retryable: true },
  /** The entry does not exist (lookup on a filer). */
  SYNC_ERR_NOT_FOUND: { retryable: false },
  /** A filer refused a mutation (error field or error_code in its response). */
  SYNC_ERR_FILER_REFUSED: { retryable: false },
  /** A filer call failed with an error that a retry may cure (deadline, resource exhausted…). */
  SYNC_ERR_FILER_CALL: { retryable: true },
  /** Reading a chunk from the source failed (status, length, transport). */
  SYNC_ERR_CHUNK_READ: { retryable: true },
  /** Writing a chunk to the target failed (assign, upload). */
  SYNC_ERR_CHUNK_WRITE: { retryable: true },
  /** A chunk's byte count differs from `chunk.size` (never uploaded). */
  SYNC_ERR_CHUNK_SIZE: { retryable: true },
  /** Anything not classified above. */
  SYNC_ERR_INTERNAL: { retryable: false },
  /**
   * A conditional write found the target changed since it was looked up (HEAD WriteCondition:
   * CreateEntry `PRECONDITION_FAILED`, UpdateEntry gRPC FAILED_PRECONDITION). Look up again.
   */
  SYNC_ERR_PRECONDITION: { retryable: true },
} as const satisfies Record<string, { retryable: boolean }>

export type SyncErrorCode = keyof typeof SyncErrorCodes | 'SYNC_ERR_STOPPED'

export interface SyncErrorOptions {
  cause?: unknown
  /** Overrides the code's default. */
  retryable?: boolean
}

/** A classified replicator failure. */
export class SyncError extends Error {
  readonly code: SyncErrorCode
  readonly retryable: boolean

  constructor(code: SyncErrorCode, message: string, options: SyncErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause })
    this.name = 'SyncError'
    this.code = code
    this.retryable =
      options.retryable ?? (code === 'SYNC_ERR_STOPPED' ? false : SyncErrorCodes[code].retryable)
  }
}

/** The operation was cancelled by our own AbortSignal (stop, pause): not a failure. */
export class SyncStoppedError extends SyncError {
  constructor(message = 'stopped', options: SyncErrorOptions = {}) {
    super('SYNC_ERR_STOPPED', message, options)
    this.name = 'SyncStoppedError'
  }
}

/** Normalize anything thrown into a SyncError (SyncErrors pass through unchanged). */
export function toSyncError(
  err: unknown,
  fallback: SyncErrorCode = 'SYNC_ERR_INTERNAL',
): SyncError {
  if (err instanceof SyncError) return err
  if (err instanceof Error && err.name === 'AbortError')
    return new SyncStoppedError(err.message, { cause: err })
  const message = err instanceof Error ? err.message : String(err)
  return new SyncError(fallback, message, { cause: err })
}
