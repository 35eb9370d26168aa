import { filerCodec, type SubscribeMetadataResponseOutput } from '@seasync/proto'
import type { FilerStore } from '../store/filer-store.js'
import type { Entry } from './entry-form.js'

/** What one mutation records in the metadata log. */
export interface LogEvent {
  /** Parent directory of the old entry (of the new entry for creates). */
  directory: string
  oldEntry?: Entry | undefined
  newEntry?: Entry | undefined
  deleteChunks: boolean
  /** Parent directory of the new entry; set whenever `newEntry` is. */
  newParentPath?: string | undefined
  isFromOtherCluster: boolean
  /** The request's signatures; the filer's own is appended if absent. */
  signatures: readonly number[]
}

export type LoggedEvent = SubscribeMetadataResponseOutput & { ts_ns: string }

/**
 * The filer's metadata log: every mutation becomes one `SubscribeMetadataResponse` row keyed by a
 * strictly increasing ts_ns (HEAD: monotonic event timestamps per filer). Rows are written inside
 * the mutation's transaction; subscribers are woken after the group commit.
 */
export class MetaLog {
  private lastTsNs: bigint
  private committedNs: bigint
  private waiters = new Set<() => void>()

  constructor(
    private readonly store: FilerStore,
    private readonly signature: number,
  ) {
    this.lastTsNs = store.logHeadNs()
    this.committedNs = this.lastTsNs
    store.onCommit(() => {
      // Every ts handed out so far belongs to a committed group (or to a rolled-back savepoint,
      // which left no row): readers may now see up to here.
      if (this.committedNs !== this.lastTsNs) {
        this.committedNs = this.lastTsNs
        this.notify()
      }
    })
  }

  /** ns since epoch, strictly greater than every ts handed out before (also across restarts). */
  nextTsNs(): bigint {
    const now = nowNs()
    this.lastTsNs = now > this.lastTsNs ? now : this.lastTsNs + 1n
    return this.lastTsNs
  }

  /** The newest committed ts: subscribers read the log up to here, never an uncommitted row. */
  committedHeadNs(): bigint {
    return this.committedNs
  }

  /** Append one event; call inside the mutation (subscribers are woken after its commit). */
  append(event: LogEvent): LoggedEvent {
    const signatures = [...event.signatures]
    if (!signatures.includes(this.signature)) signatures.push(this.signature)
    const tsNs = this.nextTsNs()
    const response: LoggedEvent = {
      directory: event.directory,
      event_notification: {
        old_entry: event.oldEntry,
        new_entry: event.newEntry,
        delete_chunks: event.deleteChunks,
        new_parent_path: event.newEntry ? (event.newParentPath ?? event.directory) : '',
        is_from_other_cluster: event.isFromOtherCluster,
        signatures,
      },
      ts_ns: tsNs.toString(),
      events: [],
      log_file_refs: [],
    }
    this.store.appendLog(tsNs, filerCodec.encode('SubscribeMetadataResponse', response))
    return response
  }

  private notify(): void {
    const waiters = [...this.waiters]
    this.waiters.clear()
    for (const wake of waiters) wake()
  }

  /** Resolve on the next append, after `timeoutMs`, or when `signal` aborts, whichever is first. */
  waitForAppend(timeoutMs: number, signal: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      if (signal.aborted) return resolve()
      const done = (): void => {
        clearTimeout(timer)
        this.waiters.delete(done)
        signal.removeEventListener('abort', done)
        resolve()
      }
      const timer = setTimeout(done, timeoutMs)
      this.waiters.add(done)
      signal.addEventListener('abort', done, { once: true })
    })
  }
}

const startNs = BigInt(Date.now()) * 1_000_000n
const startHr = process.hrtime.bigint()

/** Wall-clock ns with sub-ms resolution (Date.now() anchored, hrtime-advanced). */
export function nowNs(): bigint {
  return startNs + (process.hrtime.bigint() - startHr)
}
