/**
 * Admission control for metadata jobs (filer-sync-protocol.md §4.4, Go `MetadataProcessor`
 * `AddSyncJob`): at most `concurrency` jobs run at once, and a job runs only when it conflicts
 * with no active job ({@link conflicts}). Admission is strictly FIFO: the stream reader awaits
 * {@link PathScheduler.admit} before pulling the next event, so a blocked job stops the stream
 * and back-pressure reaches the source filer (STYLE.md practice 11).
 */
import { SyncError, SyncStoppedError } from '../errors.js'
import { canonicalPath, type JobSpec } from './job-kind.js'
import { ActiveJobs, conflicts } from './path-conflicts.js'

/** Frees an admitted job's slot and paths and wakes waiters. Idempotent. */
export type Release = () => void

/** Largest accepted concurrency (upstream `-concurrency` replaces larger values by 32). */
export const MAX_CONCURRENCY = 1024

interface Waiter {
  readonly job: JobSpec
  readonly resolve: (release: Release) => void
  readonly cleanup: () => void
}

/** The concurrency limit plus the per-path conflict rules, in FIFO order. */
export class PathScheduler {
  /** Maximum number of jobs active at once (integer, 1..1024). */
  readonly concurrency: number
  readonly #active = new ActiveJobs()
  readonly #waiters: Waiter[] = []
  #idleWaiters: (() => void)[] = []

  /**
   * @param concurrency Maximum number of jobs active at once: an integer from 1 to 1024.
   * @throws {SyncError} `SYNC_ERR_OPTIONS` otherwise. Upstream replaces < 0 and > 1024 by 32 and
   *   deadlocks on 0 (filer-sync-protocol.md §4.4); we refuse both rather than guess.
   */
  constructor(concurrency: number) {
    if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > MAX_CONCURRENCY) {
      throw new SyncError(
        'SYNC_ERR_OPTIONS',
        `concurrency must be an integer from 1 to ${MAX_CONCURRENCY}, got ${String(concurrency)}`,
      )
    }
    this.concurrency = concurrency
  }

  /** Number of admitted jobs not yet released. */
  get activeCount(): number {
    return this.#active.size
  }

  /** Number of `admit` calls still waiting for their turn. */
  get waitingCount(): number {
    return this.#waiters.length
  }

  /**
   * Resolve once `job` may run: fewer than `concurrency` jobs are active, it conflicts with none of
   * them, and every earlier waiter has been admitted (a blocked job blocks later ones, as upstream
   * does by blocking its stream reader). The caller must call the returned {@link Release} exactly
   * when the job ends, whatever its outcome.
   *
   * @param signal Aborting it rejects with {@link SyncStoppedError} and removes the waiter; an
   *   already aborted signal rejects without admitting.
   */
  admit(job: JobSpec, signal?: AbortSignal): Promise<Release> {
    if (signal?.aborted === true) return Promise.reject(stopped(signal, 'admission'))
    // Snapshot the job so the caller mutating it later cannot unbalance the index.
    const snapshot: JobSpec = { kind: job.kind, paths: job.paths.map(canonicalPath) }
    return new Promise<Release>((resolve, reject) => {
      const onAbort = (): void => {
        const index = this.#waiters.indexOf(waiter)
        if (index === -1) return
        this.#waiters.splice(index, 1)
        cleanup()
        reject(stopped(signal, 'admission'))
        // The removed waiter may have been the head blocking runnable ones behind it.
        this.#pump()
      }
      const cleanup = (): void => signal?.removeEventListener('abort', onAbort)
      const waiter: Waiter = { job: snapshot, resolve, cleanup }
      signal?.addEventListener('abort', onAbort, { once: true })
      this.#waiters.push(waiter)
      this.#pump()
    })
  }

  /**
   * Resolve when no job is active (drain on stop). Jobs still waiting are admitted as slots free
   * up, so this resolves only once those have been released too.
   *
   * @param signal Aborting it rejects with {@link SyncStoppedError}.
   */
  idle(signal?: AbortSignal): Promise<void> {
    if (this.#active.size === 0) return Promise.resolve()
    if (signal?.aborted === true) return Promise.reject(stopped(signal, 'idle wait'))
    return new Promise<void>((resolve, reject) => {
      const onIdle = (): void => {
        signal?.removeEventListener('abort', onAbort)
        resolve()
      }
      const onAbort = (): void => {
        this.#idleWaiters = this.#idleWaiters.filter((w) => w !== onIdle)
        reject(stopped(signal, 'idle wait'))
      }
      signal?.addEventListener('abort', onAbort, { once: true })
      this.#idleWaiters.push(onIdle)
    })
  }

  /** Admit waiters from the head while the head is runnable. */
  #pump(): void {
    for (;;) {
      const head = this.#waiters[0]
      if (head === undefined) break
      if (this.#active.size >= this.concurrency || conflicts(this.#active, head.job)) break
      this.#waiters.shift()
      head.cleanup()
      // Register synchronously, before anyone else can be checked against the active set.
      this.#active.add(head.job)
      head.resolve(this.#releaser(head.job))
    }
    if (this.#active.size === 0 && this.#idleWaiters.length > 0) {
      const idle = this.#idleWaiters
      this.#idleWaiters = []
      for (const resolve of idle) resolve()
    }
  }

  #releaser(job: JobSpec): Release {
    let released = false
    return () => {
      if (released) return
      released = true
      this.#active.remove(job)
      this.#pump()
    }
  }
}

function stopped(signal: AbortSignal | undefined, what: string): SyncStoppedError {
  const reason: unknown = signal?.reason
  return new SyncStoppedError(`path scheduler: ${what} aborted`, { cause: reason })
}
