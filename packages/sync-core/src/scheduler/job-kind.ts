/**
 * Classify one metadata event into the job the path scheduler admits: its {@link JobKind} and the
 * paths it occupies (filer-sync-protocol.md §4.4, "Job kinds" and "Paths a job occupies").
 * Pure: no I/O, no clock.
 */
import { SyncError } from '../errors.js'

/**
 * How a job takes part in the conflict rules (filer-sync-protocol.md §4.4):
 * - `file`: any event on a file; serializes with other jobs at the same path.
 * - `barrierDir`: directory create, delete or rename; a subtree barrier.
 * - `nonBarrierDir`: directory in-place attribute update (same parent, same name); does not block
 *   its subtree.
 */
export type JobKind = 'file' | 'barrierDir' | 'nonBarrierDir'

/** The four event shapes of filer-sync-protocol.md §6.1, as classified by the caller. */
export type EventShape = 'create' | 'delete' | 'update' | 'rename'

/**
 * An already-classified metadata event. Paths are full filer paths computed by the caller:
 * `oldPath = directory + '/' + old_entry.name`, `newPath = new_parent_path + '/' + new_entry.name`.
 * `isDirectory` is the entry's flag (the old entry for delete/rename, the new one otherwise).
 */
export interface ClassifiedEvent {
  readonly kind: EventShape
  readonly isDirectory: boolean
  /** Required for `delete` and `rename`. */
  readonly oldPath?: string
  /** Required for `create`, `update` and `rename`. */
  readonly newPath?: string
}

/** A job as the scheduler sees it: its kind and the canonical paths it occupies (1 or 2). */
export interface JobSpec {
  readonly kind: JobKind
  readonly paths: readonly string[]
}

/**
 * Canonical form of a filer path: leading `/`, no empty components, no trailing `/`; the root is
 * `/`. Callers join `directory + '/' + name`, which gives `//name` when the directory is the root
 * (Go's `FullPath.Child` special-cases that); canonicalizing here makes `//a`, `/a/` and `/a` the
 * same key in the conflict index.
 */
export function canonicalPath(path: string): string {
  const parts = path.split('/').filter((part) => part !== '')
  return '/' + parts.join('/')
}

/**
 * The job for one event (filer-sync-protocol.md §4.4): a file event is `file`; a directory
 * create/delete/rename is `barrierDir`; a directory in-place update is `nonBarrierDir`. Paths:
 * create → [new], delete → [old], update → [new], rename → [old, new].
 *
 * @throws {SyncError} `SYNC_ERR_INTERNAL` when a path the shape needs is missing (a caller bug).
 */
export function jobForEvent(event: ClassifiedEvent): JobSpec {
  switch (event.kind) {
    case 'create':
      return job(event.isDirectory ? 'barrierDir' : 'file', [need(event, 'newPath')])
    case 'delete':
      return job(event.isDirectory ? 'barrierDir' : 'file', [need(event, 'oldPath')])
    case 'update':
      // An attribute-only directory update does not reshape the namespace, so it must not
      // serialize the whole subtree (field notes §3 item 2, Go c2f5db3a0).
      return job(event.isDirectory ? 'nonBarrierDir' : 'file', [need(event, 'newPath')])
    case 'rename':
      // A rename reshapes both sides: it occupies the old and the new path (§4.4, §12 item 7).
      return job(event.isDirectory ? 'barrierDir' : 'file', [
        need(event, 'oldPath'),
        need(event, 'newPath'),
      ])
  }
}

function job(kind: JobKind, paths: string[]): JobSpec {
  return { kind, paths: paths.map(canonicalPath) }
}

function need(event: ClassifiedEvent, field: 'oldPath' | 'newPath'): string {
  const value = event[field]
  if (value === undefined || value === '') {
    throw new SyncError('SYNC_ERR_INTERNAL', `a ${event.kind} event needs ${field}`)
  }
  return value
}
