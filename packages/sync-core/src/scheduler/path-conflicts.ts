/**
 * The conflict rules that decide whether a job may run beside the active ones
 * (filer-sync-protocol.md §4.4, §12 item 7), and {@link ActiveJobs}, the index that answers them
 * in O(depth of the path) instead of O(active jobs).
 *
 * Paths are compared by component (`/a` is an ancestor of `/a/b`, not of `/ab`) and `/` is the
 * ancestor of every other path.
 */
import { SyncError } from '../errors.js'
import { canonicalPath, type JobKind, type JobSpec } from './job-kind.js'

/** What {@link conflicts} reads: per-path counts of active jobs. Counts are occupied paths. */
export interface ActiveJobsView {
  /** Active jobs of `kind` occupying exactly `path` (canonical). */
  countAt(path: string, kind: JobKind): number
  /** Occupied paths of active jobs of any kind strictly below `path` (canonical). */
  countBelow(path: string): number
}

/**
 * The index of active jobs: per-path counts by kind, plus, for every directory, the number of
 * occupied paths strictly below it (maintained for each proper ancestor on add/remove). Both
 * updates and queries cost O(depth).
 */
export class ActiveJobs implements ActiveJobsView {
  readonly #at: Record<JobKind, Map<string, number>> = {
    file: new Map(),
    barrierDir: new Map(),
    nonBarrierDir: new Map(),
  }
  readonly #below = new Map<string, number>()
  #size = 0

  /** Number of active jobs (not paths). */
  get size(): number {
    return this.#size
  }

  /** Record `job` as active. Its paths are canonicalized. */
  add(job: JobSpec): void {
    for (const path of job.paths) {
      const p = canonicalPath(path)
      bump(this.#at[job.kind], p, 1)
      for (const ancestor of properAncestors(p)) bump(this.#below, ancestor, 1)
    }
    this.#size++
  }

  /**
   * Forget `job`, previously passed to {@link ActiveJobs.add}.
   *
   * @throws {SyncError} `SYNC_ERR_INTERNAL` when the job is not active (a caller bug).
   */
  remove(job: JobSpec): void {
    const paths = job.paths.map(canonicalPath)
    for (const p of paths) {
      if ((this.#at[job.kind].get(p) ?? 0) < 1) {
        throw new SyncError('SYNC_ERR_INTERNAL', `no active ${job.kind} job at ${p}`)
      }
    }
    for (const p of paths) {
      bump(this.#at[job.kind], p, -1)
      for (const ancestor of properAncestors(p)) bump(this.#below, ancestor, -1)
    }
    this.#size--
  }

  countAt(path: string, kind: JobKind): number {
    return this.#at[kind].get(path) ?? 0
  }

  countBelow(path: string): number {
    return this.#below.get(path) ?? 0
  }

  /**
   * Number of paths with a non-zero count, over all maps (0 when empty).
   * @internal For tests: checks that removal cleans the index up (Go `TestIndexCleanup`).
   */
  get indexedPathCount(): number {
    let n = this.#below.size
    for (const map of Object.values(this.#at)) n += map.size
    return n
  }
}

/**
 * Whether `incoming` must wait for the jobs in `active`: true when any path it occupies conflicts
 * (filer-sync-protocol.md §4.4 rules 1–5). The relation is symmetric between two jobs, so
 * "no two active jobs conflict" is well defined.
 */
export function conflicts(active: ActiveJobsView, incoming: JobSpec): boolean {
  return incoming.paths.some((path) => pathConflicts(active, canonicalPath(path), incoming.kind))
}

function pathConflicts(active: ActiveJobsView, p: string, kind: JobKind): boolean {
  // Rule 1: a barrierDir in flight at p serializes every job at p (create/delete of the same
  // directory must never overlap, field notes §3 item 3).
  if (active.countAt(p, 'barrierDir') > 0) return true
  // Rule 2: a create/delete/rename at p waits for an attribute update in flight at p. Two
  // nonBarrierDir updates at p never conflict: attribute bumps are last-writer-wins.
  if (kind === 'barrierDir' && active.countAt(p, 'nonBarrierDir') > 0) return true
  // Rule 3: a file in flight at p blocks files and barrierDirs at p (a file→dir promotion is a
  // barrier), but not a nonBarrierDir.
  if (kind !== 'nonBarrierDir' && active.countAt(p, 'file') > 0) return true
  // Rule 4: a barrierDir waits for its whole subtree to drain, whatever the descendants' kinds
  // (nonBarrierDir included, field notes §3 item 2).
  if (kind === 'barrierDir' && active.countBelow(p) > 0) return true
  // Rule 5: a barrierDir on a proper ancestor blocks everything under it. Only barrierDirs count:
  // a nonBarrierDir never blocks its descendants.
  for (const ancestor of properAncestors(p)) {
    if (active.countAt(ancestor, 'barrierDir') > 0) return true
  }
  return false
}

/** Proper ancestors of a canonical path, root first: `/a/b` → `/`, `/a`; `/` → none. */
function* properAncestors(p: string): Generator<string> {
  if (p === '/') return
  yield '/'
  let slash = p.indexOf('/', 1)
  while (slash !== -1) {
    yield p.slice(0, slash)
    slash = p.indexOf('/', slash + 1)
  }
}

function bump(map: Map<string, number>, key: string, delta: 1 | -1): void {
  const next = (map.get(key) ?? 0) + delta
  // Delete at zero so the index stays as small as the active set (Go `TestIndexCleanup`).
  if (next === 0) map.delete(key)
  else map.set(key, next)
}
