/**
 * The per-event routing of filer.sync (spec §6.2 steps 2–8, Go `genProcessFunction`) with HEAD
 * semantics, as a pure planner: given a classified change and the direction's paths, decide which
 * single target operation (if any) replays it. The executor (apply-event) carries the plan out.
 */
import type { EntryOutput } from '@seasync/proto'
import type { ChangeEvent } from '../stream/metadata-event.js'
import { cleanJoin, isEqualOrUnder } from '../util/paths.js'

/** The direction's scope settings (flags `-a.path`, `-b.path`, `-a.excludePaths`, `-b.doDeleteFiles`). */
export interface PlanOptions {
  /** Watched source directory, e.g. `/data` (`/` = everything). */
  sourcePath: string
  /** Target directory that mirrors `sourcePath`, e.g. `/backup/data`. */
  targetPath: string
  /** Source directories whose events are ignored (comma-split flag, untrimmed; `''` excludes nothing). */
  excludePaths: readonly string[]
  /** `false` = create-only backup: never delete, update-in-place or move on the target. */
  doDeleteFiles: boolean
}

/** Why an event is not replayed. */
export type SkipReason =
  /** §6.2 step 2 / §12.16: the event's directory is inside an S3 multipart staging dir. */
  | 'multipartUpload'
  /** §6.2 steps 3, 5, 6, 8: neither side (or not the side that matters) is under `sourcePath`. */
  | 'outOfScope'
  /** §6.2 steps 3–4: the only in-scope side is in an excluded directory. */
  | 'excluded'
  /** §6.2 steps 5, 7 with `doDeleteFiles` false: the replay would delete on the target. */
  | 'deletesDisabled'
  /** An entry name is `''`, `.` or `..`: its key would resolve to (or above) a directory. */
  | 'invalidName'
  /** A delete of, or a write onto, the watched root itself: it would replace the target root (§12.6). */
  | 'watchedRoot'

/** Which branch produced a create. */
export type CreateCause =
  /** §6.2 step 6: a create event. */
  | 'created'
  /** §6.2 step 4 → 6: a rename whose old side is in an excluded directory (§12.3). */
  | 'fromExcluded'
  /** §6.2 step 8: a rename from outside `sourcePath` into it (field notes §3 items 35–36). */
  | 'movedIn'
  /** §6.2 step 7 [HEAD]: a rename with `doDeleteFiles` false; the old copy is kept. */
  | 'renameWithoutDelete'
  /** §6.2 step 7 [HEAD]: the watched root itself was renamed; never delete the target root. */
  | 'watchedRootMoved'
  /** §6.2 step 7: an in-place update with `doDeleteFiles` false (no chunk deletion, §12 item 39). */
  | 'updateWithoutDelete'

/** Which branch produced a delete. */
export type DeleteCause =
  /** §6.2 step 5: a delete event. */
  | 'deleted'
  /** §6.2 step 7: a rename to outside `sourcePath` (§12.2). */
  | 'movedOut'
  /** §6.2 step 4 → 5: a rename into an excluded directory. */
  | 'intoExcluded'

/** Nothing to do on the target. */
export interface SkipPlan {
  readonly op: 'skip'
  readonly reason: SkipReason
}

/** Sink `CreateEntry(targetKey, entry, signatures)` (spec §7.1: lookup, skip rules, chunk copy). */
export interface CreatePlan {
  readonly op: 'create'
  readonly cause: CreateCause
  readonly targetKey: string
  readonly entry: EntryOutput
  readonly signatures: readonly number[]
}

/** Sink `DeleteEntry(targetKey, isDirectory, deleteData, signatures)` (spec §7.3, recursive). */
export interface DeletePlan {
  readonly op: 'delete'
  readonly cause: DeleteCause
  readonly targetKey: string
  readonly isDirectory: boolean
  /** `is_delete_data`: the event's `delete_chunks` (false for renames, so data is kept). */
  readonly deleteData: boolean
  readonly signatures: readonly number[]
}

/**
 * In-place update, spec §6.2 step 7 / §7.2: `UpdateEntry(oldTargetKey, oldEntry, newTargetParent,
 * newEntry, deleteChunks, signatures)`. When the old target entry is not found the executor falls
 * back to `DeleteEntry(oldTargetKey, isDirectory, deleteData=false)` and THEN
 * `CreateEntry(newTargetKey, newEntry)`, in that order (§12.5; field notes §3 item 38).
 */
export interface UpdatePlan {
  readonly op: 'update'
  readonly oldTargetKey: string
  readonly newTargetParent: string
  /** Equals `oldTargetKey` (same directory and name); the fallback create's key. */
  readonly newTargetKey: string
  readonly oldEntry: EntryOutput
  readonly newEntry: EntryOutput
  readonly isDirectory: boolean
  readonly deleteChunks: boolean
  readonly signatures: readonly number[]
}

/**
 * [HEAD ≥4.33] rename within scope, spec §6.2 step 7 / §7.4: `AtomicRenameEntry(oldTargetKey →
 * newTargetKey)`; if that fails and the old key is definitely missing, `CreateEntry(newTargetKey,
 * newEntry)` (field notes §3 items 32–33).
 */
export interface MovePlan {
  readonly op: 'move'
  readonly oldTargetKey: string
  readonly newTargetKey: string
  readonly newEntry: EntryOutput
  readonly isDirectory: boolean
  readonly signatures: readonly number[]
}

/** The single target operation that replays one change. */
export type Plan = SkipPlan | CreatePlan | DeletePlan | UpdatePlan | MovePlan

/** `path` without trailing slashes (`/` for the root; `''` stays `''`). */
function trimSlashes(path: string): string {
  const trimmed = path.replace(/\/+$/, '')
  return trimmed === '' && path !== '' ? '/' : trimmed
}

/**
 * Map a source key to its target key (spec §6.3, Go `destKey`): strip `sourcePath` (normalized to
 * end in exactly one `/`; a key equal to `sourcePath` has an empty remainder) and clean-join the
 * rest onto `targetPath`. `:` is kept (field notes §3 item 45: only 4.23 Windows builds strip it).
 * A key outside `sourcePath` maps as if `sourcePath` were `/` (as Go does); the planner never asks.
 *
 * `targetKey('/data/x/y.txt', '/data', '/backup/data')` → `/backup/data/x/y.txt`.
 */
export function targetKey(sourceKey: string, sourcePath: string, targetPath: string): string {
  const root = sourcePath.replace(/\/+$/, '')
  const base = `${root}/`
  let relative: string
  if (sourceKey.startsWith(base)) relative = sourceKey.slice(base.length)
  else if (sourceKey === root) relative = ''
  else relative = sourceKey.replace(/^\/+/, '')
  return cleanJoin(targetPath, relative)
}

/**
 * Map a target path back to the source path it replicates (spec §8.7, used by the stale-source
 * check); `undefined` when the path is outside `targetRoot` (no check possible). Both roots are
 * normalized (trailing `/` stripped, empty → `/`).
 */
export function targetPathToSourcePath(
  targetPath: string,
  targetRoot: string,
  sourceRoot: string,
): string | undefined {
  const tRoot = trimSlashes(targetRoot) || '/'
  const sRoot = trimSlashes(sourceRoot) || '/'
  let relative: string
  if (tRoot === '/') relative = targetPath.replace(/^\/+/, '')
  else if (targetPath === tRoot) relative = ''
  else if (targetPath.startsWith(`${tRoot}/`)) relative = targetPath.slice(tRoot.length + 1)
  else return undefined
  return cleanJoin(sRoot, relative)
}

/** Spec §6.2 step 2 (Go `isMultipartUploadDir(dir + "/")`): `/buckets/…/.uploads/…`. */
function isMultipartUploadDir(dirWithSlash: string): boolean {
  return dirWithSlash.startsWith('/buckets/') && dirWithSlash.includes('/.uploads/')
}

/** Spec §6.2 step 3 (Go `matchesExcludePath`): equal-or-under by components; `''` matches nothing. */
function isExcluded(dir: string, excludePaths: readonly string[]): boolean {
  return excludePaths.some((exclude) => isEqualOrUnder(dir, exclude))
}

function hasInvalidName(entry: EntryOutput | undefined): boolean {
  if (entry === undefined) return false
  const name = entry.name ?? ''
  return name === '' || name === '.' || name === '..'
}

function skip(reason: SkipReason): SkipPlan {
  return { op: 'skip', reason }
}

/**
 * Decide how to replay `change` on the target (spec §6.2 steps 2–8, HEAD behaviour). The steps, in
 * order:
 * 2. events whose `directory + "/"` is under `/buckets/…/.uploads/` are dropped (§12.16);
 * 3. scope: the old side counts when `directory` is equal-or-under `sourcePath` and not excluded,
 *    the new side when the new entry exists and its directory is likewise; neither → skip.
 *    Excludes are matched on DIRECTORIES, so the excluded directory's own entry (whose parent is
 *    not excluded) is still created/deleted;
 * 4. per side: an excluded old side is dropped (→ create), an excluded new side too (→ delete);
 * 5. delete: needs `doDeleteFiles` and `oldKey` in scope;
 * 6. create: needs `newKey` in scope;
 * 7. both keys in scope: rename → move (or create-only without deletes or when the watched root
 *    itself moved, §12.6); in-place update → update (create-only without deletes). Old key in
 *    scope, new key out → delete (with `doDeleteFiles`);
 * 8. old key out, new key in → create.
 *
 * Deliberate additions to Go: entries named `''`/`.`/`..` are skipped (their keys would resolve to
 * a directory such as the target root); a "rename" whose old and new keys are identical (legacy
 * event with empty `new_parent_path`, §6.1) is replayed as the in-place update it is rather than
 * a self-move; nothing is ever created, moved or updated ONTO the watched root (only malformed
 * events try); the watched-root comparison ignores a trailing `/` on `sourcePath`.
 */
export function planEvent(change: ChangeEvent, options: PlanOptions): Plan {
  const { sourcePath, targetPath, excludePaths, doDeleteFiles } = options
  const { directory, newParentPath: targetDir, signatures } = change

  // Step 2: S3 multipart staging. Only the OLD/primary directory is checked, so a rename out of
  // `.uploads` is dropped too (the completed object arrives as its own event).
  if (isMultipartUploadDir(`${directory}/`)) return skip('multipartUpload')
  if (hasInvalidName(change.oldEntry) || hasInvalidName(change.newEntry)) {
    return skip('invalidName')
  }

  // Step 3: scope by directory, on both sides, so renames across the boundary are kept (#8854).
  const oldDirUnder = isEqualOrUnder(directory, sourcePath)
  const oldDirExcluded = isExcluded(directory, excludePaths)
  const newDirUnder = change.newEntry !== undefined && isEqualOrUnder(targetDir, sourcePath)
  const newDirExcluded = isExcluded(targetDir, excludePaths)
  const oldDirInScope = oldDirUnder && !oldDirExcluded
  const newDirInScope = newDirUnder && !newDirExcluded
  if (!oldDirInScope && !newDirInScope) {
    const excluded = (oldDirUnder && oldDirExcluded) || (newDirUnder && newDirExcluded)
    return skip(excluded ? 'excluded' : 'outOfScope')
  }

  // Step 4: per-side exclusion turns a rename across an exclude boundary into a create or delete.
  // (Both sides excluded cannot get here: step 3 already needs one side in scope and unexcluded.)
  const oldEntry = oldDirExcluded ? undefined : change.oldEntry
  const newEntry = newDirExcluded ? undefined : change.newEntry
  const oldKey = oldEntry && change.oldKey
  const newKey = newEntry && change.newKey
  const inScope = (key: string | undefined): key is string =>
    key !== undefined && isEqualOrUnder(key, sourcePath)
  const isWatchedRoot = (key: string) => trimSlashes(key) === trimSlashes(sourcePath)
  const toTarget = (key: string) => targetKey(key, sourcePath, targetPath)

  // The watched root itself is never a replay destination: a create/move/update onto it would
  // replace the whole target tree (only malformed events get here; step 3 needs the parent in
  // scope, and the root's parent is outside it).
  if (newKey !== undefined && isWatchedRoot(newKey)) return skip('watchedRoot')

  const deletePlan = (key: string, entry: EntryOutput, cause: DeleteCause): Plan => {
    if (!doDeleteFiles) return skip('deletesDisabled')
    if (isWatchedRoot(key)) return skip('watchedRoot')
    return {
      op: 'delete',
      cause,
      targetKey: toTarget(key),
      isDirectory: entry.is_directory === true,
      deleteData: change.deleteChunks,
      signatures,
    }
  }
  const createPlan = (key: string, entry: EntryOutput, cause: CreateCause): Plan => ({
    op: 'create',
    cause,
    targetKey: toTarget(key),
    entry,
    signatures,
  })

  // Step 5: delete (a delete event, or a rename whose new side is excluded).
  if (oldEntry && oldKey !== undefined && !newEntry) {
    if (!doDeleteFiles) return skip('deletesDisabled')
    if (!inScope(oldKey)) return skip('outOfScope')
    return deletePlan(oldKey, oldEntry, change.newEntry === undefined ? 'deleted' : 'intoExcluded')
  }

  // Step 6: create (a create event, or a rename whose old side is excluded).
  if (newEntry && newKey !== undefined && !oldEntry) {
    if (!inScope(newKey)) return skip('outOfScope')
    return createPlan(newKey, newEntry, change.kind === 'create' ? 'created' : 'fromExcluded')
  }

  // A change always has at least one entry (markers never become changes); stay total anyway.
  if (!oldEntry || oldKey === undefined || !newEntry || newKey === undefined) {
    return skip('outOfScope')
  }

  // Step 8: old key outside, new key inside → create; both outside → nothing.
  if (!inScope(oldKey)) {
    return inScope(newKey) ? createPlan(newKey, newEntry, 'movedIn') : skip('outOfScope')
  }

  // Step 7, new key outside (e.g. `/foo/f` → `/foobar/f`, §12.2): delete the old copy.
  if (!inScope(newKey)) return deletePlan(oldKey, oldEntry, 'movedOut')

  // Step 7, both keys inside. [HEAD ≥4.33] renames are separated out first.
  if (change.kind === 'rename' && oldKey !== newKey) {
    // §12.6: the watched root's old key maps to the target root; never move (or delete) it.
    if (isWatchedRoot(oldKey)) return createPlan(newKey, newEntry, 'watchedRootMoved')
    if (!doDeleteFiles) return createPlan(newKey, newEntry, 'renameWithoutDelete')
    return {
      op: 'move',
      oldTargetKey: toTarget(oldKey),
      newTargetKey: toTarget(newKey),
      newEntry,
      isDirectory: oldEntry.is_directory === true,
      signatures,
    }
  }

  // In-place update: never delete-then-recreate the same key (§12.5). Without deletes only the
  // create leg runs, so no chunks are dropped from the target entry (field notes §3 item 39).
  if (!doDeleteFiles) return createPlan(newKey, newEntry, 'updateWithoutDelete')
  return {
    op: 'update',
    oldTargetKey: toTarget(oldKey),
    newTargetParent: toTarget(targetDir),
    newTargetKey: toTarget(newKey),
    oldEntry,
    newEntry,
    isDirectory: oldEntry.is_directory === true,
    deleteChunks: change.deleteChunks,
    signatures,
  }
}
