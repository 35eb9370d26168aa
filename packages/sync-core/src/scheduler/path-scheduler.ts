/**
 * Admission control for metadata jobs (filer-sync-protocol.md §4.4, Go `MetadataProcessor`
 * `AddSyncJob`): at most `concurrency` jobs run at once, and a job runs only when it conflicts
 * with no job that occupies its paths ({@link conflicts}). The stream reader awaits
 * {@link PathScheduler.enqueue} before pulling the next event, so a blocked job stops the stream
 * and back-pressure reaches the source filer (STYLE.md practice 11).
 *
 * A job goes through these states:
 * - **waiting**: in the FIFO of `enqueue` calls not yet taken in. Strictly FIFO: a blocked head
 *   blocks every later call (and so the stream).
 * - **running**: holds one of the `concurrency` slots and occupies its paths.
 * - **held**: a failed job waiting for its retry ({@link PathScheduler.markWaiting}): it gives its
 *   slot back but keeps occupying its paths, so per-path order holds. {@link PathScheduler.resume}
 *   takes a slot again (before any parked or waiting job) for the retry.
 * - **parked**: taken in (the stream reads on) but not yet runnable, because it conflicts with a
 *   held job or with an earlier parked one. Parked jobs occupy their paths for conflict purposes,
 *   so a later conflicting job parks too (per-path order, directory barriers included), while a
 *   later non-conflicting one runs. Parked jobs run in arrival order as soon as they conflict with
 *   no running, held or earlier parked job and a slot is free; they take free slots before the
 *   FIFO head does. The head parks whenever it conflicts with a held or parked job, even if it
 *   also conflicts with a running one (it could not run earlier anyway).
 *
 * At most `maxParked` ({@link MAX_PARKED} by default) jobs are parked: past it, a head that would
 * park stays in the FIFO and blocks it, as before (back-pressure, never unbounded memory).
 */
import { SyncError, SyncStoppedError } from '../errors.js'
import { canonicalPath, type JobSpec } from './job-kind.js'
import { ActiveJobs, conflicts } from './path-conflicts.js'

/** Frees a job's slot (if it holds one) and its paths and wakes waiters. Idempotent. */
export type Release = () => void

/** What {@link PathScheduler.enqueue} resolves to once the job is taken in (running or parked). */
export interface Enqueued {
  /** Resolves when the job may run (never rejects). Call the release exactly when it ends. */
  readonly runnable: Promise<Release>
}

/** Largest accepted concurrency (upstream `-concurrency` replaces larger values by 32). */
export const MAX_CONCURRENCY = 1024

/** Default bound on parked jobs (jobs taken in behind a failed one); past it admission blocks. */
export const MAX_PARKED = 10_000

export interface PathSchedulerOptions {
  /** Bound on parked jobs, a positive integer; default {@link MAX_PARKED}. */
  maxParked?: number
}

type State = 'parked' | 'running' | 'held' | 'resuming' | 'done'

interface Entry {
  readonly job: JobSpec
  state: State
}

interface Waiter {
  readonly job: JobSpec
  readonly resolve: (enqueued: Enqueued) => void
  readonly cleanup: () => void
}

interface Parked {
  readonly entry: Entry
  readonly resolve: (release: Release) => void
}

interface Resumer {
  readonly entry: Entry
  readonly resolve: () => void
  readonly reject: (error: unknown) => void
  readonly cleanup: () => void
}

/** The concurrency limit plus the per-path conflict rules, in FIFO order. */
export class PathScheduler {
  /** Maximum number of jobs running at once (integer, 1..1024). */
  readonly concurrency: number
  /** Maximum number of parked jobs. */
  readonly maxParked: number
  /** Jobs holding a slot. */
  readonly #running = new ActiveJobs()
  /** Failed jobs waiting for a retry: no slot, but their paths. */
  readonly #held = new ActiveJobs()
  /** Parked jobs, indexed for conflict checks. */
  readonly #parkedIndex = new ActiveJobs()
  #parked: Parked[] = []
  readonly #waiters: Waiter[] = []
  readonly #resumers: Resumer[] = []
  readonly #entries = new WeakMap<Release, Entry>()
  #idleWaiters: (() => void)[] = []

  /**
   * @param concurrency Maximum number of jobs running at once: an integer from 1 to 1024.
   * @throws {SyncError} `SYNC_ERR_OPTIONS` otherwise. Upstream replaces < 0 and > 1024 by 32 and
   *   deadlocks on 0 (filer-sync-protocol.md §4.4); we refuse both rather than guess. Also when
   *   `maxParked` is not a positive integer.
   */
  constructor(concurrency: number, options: PathSchedulerOptions = {}) {
    if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > MAX_CONCURRENCY) {
      throw new SyncError(
        'SYNC_ERR_OPTIONS',
        `concurrency must be an integer from 1 to ${MAX_CONCURRENCY}, got ${String(concurrency)}`,
      )
    }
    const maxParked = options.maxParked ?? MAX_PARKED
    if (!Number.isInteger(maxParked) || maxParked < 1) {
      throw new SyncError(
        'SYNC_ERR_OPTIONS',
        `maxParked must be a positive integer, got ${String(maxParked)}`,
      )
    }
    this.concurrency = concurrency
    this.maxParked = maxParked
  }

  /** Number of running jobs (holding a slot). */
  get activeCount(): number {
    return this.#running.size
  }

  /** Number of failed jobs waiting for a retry, or in `resume` for a slot (no slot, paths kept). */
  get heldCount(): number {
    return this.#held.size
  }

  /** Number of jobs taken in but not yet runnable. */
  get parkedCount(): number {
    return this.#parked.length
  }

  /** Number of `enqueue`/`admit` calls not yet taken in. */
  get waitingCount(): number {
    return this.#waiters.length
  }

  /**
   * Take `job` in, in FIFO order: resolves once it runs or is parked (see the file header), so the
   * caller may read the next event. Its `runnable` resolves when it may run; the caller must then
   * call the {@link Release} exactly once when the job ends, whatever its outcome.
   *
   * @param signal Aborting it before the job is taken in rejects with {@link SyncStoppedError} and
   *   removes the call; an already aborted signal rejects without taking it in. It does not affect
   *   a job already taken in.
   */
  enqueue(job: JobSpec, signal?: AbortSignal): Promise<Enqueued> {
    if (signal?.aborted === true) return Promise.reject(stopped(signal, 'admission'))
    // Snapshot the job so the caller mutating it later cannot unbalance the index.
    const snapshot: JobSpec = { kind: job.kind, paths: job.paths.map(canonicalPath) }
    return new Promise<Enqueued>((resolve, reject) => {
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

  /** {@link PathScheduler.enqueue}, then wait until the job may run. */
  async admit(job: JobSpec, signal?: AbortSignal): Promise<Release> {
    const { runnable } = await this.enqueue(job, signal)
    return runnable
  }

  /**
   * The running job of `release` failed and waits for its retry: give its slot back, keep its
   * paths. Later conflicting jobs park behind it. No-op once released.
   *
   * @throws {SyncError} `SYNC_ERR_INTERNAL` when the job is not running (a caller bug).
   */
  markWaiting(release: Release): void {
    const entry = this.#entry(release)
    if (entry.state === 'done') return
    if (entry.state !== 'running') {
      throw new SyncError('SYNC_ERR_INTERNAL', `markWaiting on a ${entry.state} job`)
    }
    this.#running.remove(entry.job)
    this.#held.add(entry.job)
    entry.state = 'held'
    this.#pump()
  }

  /**
   * Take a slot again for the retry of a job passed to {@link PathScheduler.markWaiting}: resolves
   * when one is free; resuming jobs come before parked and waiting ones, oldest first.
   *
   * @param signal Aborting it rejects with {@link SyncStoppedError}; the job stays held.
   * @throws {SyncError} `SYNC_ERR_INTERNAL` (rejected) when the job is not held.
   */
  resume(release: Release, signal?: AbortSignal): Promise<void> {
    const entry = this.#entry(release)
    if (entry.state !== 'held') {
      return Promise.reject(new SyncError('SYNC_ERR_INTERNAL', `resume on a ${entry.state} job`))
    }
    if (signal?.aborted === true) return Promise.reject(stopped(signal, 'resume'))
    return new Promise<void>((resolve, reject) => {
      const onAbort = (): void => {
        const index = this.#resumers.indexOf(resumer)
        if (index === -1) return
        this.#resumers.splice(index, 1)
        entry.state = 'held'
        reject(stopped(signal, 'resume'))
      }
      const cleanup = (): void => signal?.removeEventListener('abort', onAbort)
      const resumer: Resumer = { entry, resolve, reject, cleanup }
      signal?.addEventListener('abort', onAbort, { once: true })
      entry.state = 'resuming'
      this.#resumers.push(resumer)
      this.#pump()
    })
  }

  /**
   * Resolve when no job is running, held or parked (drain on stop). Jobs still waiting are taken in
   * as slots free up, so this resolves only once those have been released too.
   *
   * @param signal Aborting it rejects with {@link SyncStoppedError}.
   */
  idle(signal?: AbortSignal): Promise<void> {
    if (this.#isIdle()) return Promise.resolve()
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

  #isIdle(): boolean {
    return this.#running.size + this.#held.size + this.#parked.length === 0
  }

  #hasSlot(): boolean {
    return this.#running.size < this.concurrency
  }

  #entry(release: Release): Entry {
    const entry = this.#entries.get(release)
    if (entry === undefined) throw new SyncError('SYNC_ERR_INTERNAL', 'unknown release')
    return entry
  }

  /** Resumers first, then parked jobs in order, then the FIFO head while it can be taken in. */
  #pump(): void {
    while (this.#resumers.length > 0 && this.#hasSlot()) {
      const resumer = this.#resumers.shift()!
      resumer.cleanup()
      this.#held.remove(resumer.entry.job)
      this.#running.add(resumer.entry.job)
      resumer.entry.state = 'running'
      resumer.resolve()
    }
    if (this.#parked.length > 0 && this.#hasSlot()) this.#runParked()
    for (;;) {
      const head = this.#waiters[0]
      if (head === undefined) break
      const entry: Entry = { job: head.job, state: 'parked' }
      if (conflicts(this.#held, head.job) || conflicts(this.#parkedIndex, head.job)) {
        if (this.#parked.length >= this.maxParked) break
        this.#waiters.shift()
        head.cleanup()
        this.#parkedIndex.add(head.job)
        const runnable = new Promise<Release>((resolve) => this.#parked.push({ entry, resolve }))
        head.resolve({ runnable })
        continue
      }
      if (!this.#hasSlot() || conflicts(this.#running, head.job)) break
      this.#waiters.shift()
      head.cleanup()
      // Register synchronously, before anyone else can be checked against the running set.
      this.#running.add(head.job)
      entry.state = 'running'
      head.resolve({ runnable: Promise.resolve(this.#releaser(entry)) })
    }
    if (this.#isIdle() && this.#idleWaiters.length > 0) {
      const idle = this.#idleWaiters
      this.#idleWaiters = []
      for (const resolve of idle) resolve()
    }
  }

  /** Run parked jobs, in order, that conflict with nothing running, held or parked before them. */
  #runParked(): void {
    const earlier = new ActiveJobs()
    const kept: Parked[] = []
    let i = 0
    for (; i < this.#parked.length && this.#hasSlot(); i++) {
      const parked = this.#parked[i]!
      const job = parked.entry.job
      if (conflicts(earlier, job) || conflicts(this.#held, job) || conflicts(this.#running, job)) {
        earlier.add(job)
        kept.push(parked)
        continue
      }
      this.#parkedIndex.remove(job)
      this.#running.add(job)
      parked.entry.state = 'running'
      parked.resolve(this.#releaser(parked.entry))
    }
    if (kept.length < i) this.#parked = kept.concat(this.#parked.slice(i))
  }

  #releaser(entry: Entry): Release {
    const release: Release = () => {
      switch (entry.state) {
        case 'done':
        case 'parked':
          return
        case 'running':
          this.#running.remove(entry.job)
          break
        case 'resuming': {
          const index = this.#resumers.findIndex((r) => r.entry === entry)
          const [resumer] = this.#resumers.splice(index, 1)
          resumer?.cleanup()
          resumer?.reject(new SyncStoppedError('path scheduler: released while resuming'))
          this.#held.remove(entry.job)
          break
        }
        case 'held':
          this.#held.remove(entry.job)
          break
      }
      entry.state = 'done'
      this.#pump()
    }
    this.#entries.set(release, entry)
    return release
  }
}

function stopped(signal: AbortSignal | undefined, what: string): SyncStoppedError {
  const reason: unknown = signal?.reason
  return new SyncStoppedError(`path scheduler: ${what} aborted`, { cause: reason })
}
