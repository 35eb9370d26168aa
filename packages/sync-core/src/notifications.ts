import type { SyncError } from './errors.js'
import type { ReplicatorState } from './replicator-state.js'

/** One event the replicator could not apply (yet). */
export interface FailedEvent {
  /** Stable id within this replicator run: `<tsNs>:<seq>`. */
  id: string
  tsNs: bigint
  /** The operation that failed: create, update, delete, move. */
  operation: string
  /** Source path of the event. */
  path: string
  error: SyncError
  attempts: number
  /** Next automatic retry, ms since epoch. */
  nextRetryAtMs: number
}

/** A file counts as large for {@link ReplicatorStatus.largeFiles} from this size: one 4 MiB chunk. */
export const LARGE_FILE_BYTES = 4 * 2 ** 20
/** At most this many files in {@link ReplicatorStatus.largeFiles}. */
export const LARGE_FILES_SHOWN = 10

/** A chunk copy in progress. */
export interface InFlightTransfer {
  sourceFid: string
  targetPath: string
  size: number
  state: 'waiting' | 'downloading' | 'uploading'
}

/** A large file whose chunks are being copied, and how far that got. */
export interface LargeFileTransfer {
  targetPath: string
  /** Bytes of its chunks to copy (only the new ones for an update). */
  bytes: number
  /** Bytes of those chunks copied so far (downloaded and uploaded). */
  bytesCopied: number
  startedAtMs: number
}

/** A snapshot of one direction, cheap to take; the server samples it for lag and history. */
export interface ReplicatorStatus {
  state: ReplicatorState
  /** All events up to here are applied (ns; 0 = none yet). */
  appliedNs: bigint
  /** Last checkpoint written to the target's KV (ns). */
  savedNs: bigint
  savedAtMs: number | undefined
  /** Newest source ts seen, from events, markers or idle heartbeats (ns). */
  sourceHeadNs: bigint
  /**
   * Local clock minus the source's, ms, estimated as the smallest (local receipt time − event or
   * heartbeat ts) seen lately: an item that arrives without delay shows exactly the offset, a late
   * one (back-pressure, catch-up) a larger value. Undefined before the first item. With it a
   * reader turns local time into the source's: `now − sourceClockOffsetMs`.
   */
  sourceClockOffsetMs: number | undefined
  /**
   * Source ts of the oldest event received and not yet applied (waiting for admission, running,
   * parked or failed), ns; 0 when none. Its age is the lag of what the target still lacks.
   */
  oldestPendingNs: bigint
  /** Events received and not yet applied. */
  backlog: number
  eventsApplied: number
  bytesCopied: number
  failures: number
  inFlight: InFlightTransfer[]
  /**
   * Files of at least {@link LARGE_FILE_BYTES} being copied, largest first, at most
   * {@link LARGE_FILES_SHOWN}.
   */
  largeFiles: LargeFileTransfer[]
  lastError: string | undefined
}

export type ReplicatorNotification =
  | { type: 'state'; state: ReplicatorState; error?: SyncError }
  | { type: 'checkpoint-saved'; tsNs: bigint }
  | { type: 'checkpoint-failed'; error: SyncError }
  | { type: 'failure'; failure: FailedEvent }
  | { type: 'recovered'; id: string }
  | { type: 'log'; level: 'info' | 'warn' | 'error'; message: string }

export type NotificationListener = (notification: ReplicatorNotification) => void

/**
 * Fan-out of notifications to listeners. Delivery is synchronous and a throwing listener is
 * isolated: status reporting can never block or break replication (STYLE practice 11).
 */
export class NotificationHub {
  private readonly listeners = new Set<NotificationListener>()

  on(listener: NotificationListener): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  emit(notification: ReplicatorNotification): void {
    for (const listener of this.listeners) {
      try {
        listener(notification)
      } catch {
        // A broken listener must not stop replication.
      }
    }
  }
}
