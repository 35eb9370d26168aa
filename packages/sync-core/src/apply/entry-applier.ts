/**
 * Applies a planned event to the target filer (spec §7, with the HEAD fixes of §11): create with
 * skip rules at ns precision, in-place update that copies only new chunks, delete, and renames
 * with AtomicRenameEntry plus its create fallback. Every write sets `is_from_other_cluster` and
 * forwards the event's signatures verbatim (loop prevention, spec §3.3).
 */
import type {
  EntryOutput,
  FileChunk,
  FileChunkOutput,
  FuseAttributesOutput,
  WriteCondition,
} from '@seasync/proto'
import { SyncError } from '../errors.js'
import type { FilerClient } from '../filer/filer-client.js'
import { chunkFileId, sourceFileId } from '../stream/metadata-event.js'
import { parentAndName } from '../util/paths.js'
import { RecentSet } from '../util/recent-set.js'
import type { ChunkCopier } from './chunk-copier.js'
import { entryETag, entryFileSize, entryMtimeNs } from './etag.js'
import type { DeletePlan, MovePlan, Plan, UpdatePlan } from './scope.js'

/** What applying one plan did, for counters and logs. */
export interface ApplyOutcome {
  /** True when the target already held the change (nothing written). */
  skipped: boolean
  /** Chunk bytes copied. */
  bytes: number
}

type Target = Pick<
  FilerClient,
  'lookupEntry' | 'createEntry' | 'updateEntry' | 'deleteEntry' | 'atomicRenameEntry'
>

/**
 * How often one event looks the target up and decides again after its conditional write found
 * the target changed in between (SYNC_ERR_PRECONDITION). Past this the error goes to the event's
 * retry with backoff, like any retryable failure.
 */
export const MAX_CONDITION_ATTEMPTS = 5

/** How many directories this applier created are remembered as {@link EntryApplier} fresh. */
export const FRESH_DIRECTORIES = 10_000

/** Test seams. @internal */
export interface EntryApplierHooks {
  /** Runs after the target was looked up and a write decided, just before that write is sent. */
  beforeWrite?: (targetPath: string) => Promise<void> | void
}

export class EntryApplier {
  /**
   * Directories this applier created on the target itself (an exclusive create that succeeded:
   * nothing was there, so the directory started empty). A file created in one is, almost always,
   * not on the target yet: catch-up and new directories filling up. Only a hint: a file create
   * that trusts it still writes with `o_excl`, so a wrong guess costs a round trip, never data.
   */
  private readonly freshDirectories = new RecentSet(FRESH_DIRECTORIES)

  constructor(
    private readonly target: Target,
    private readonly copier: Pick<ChunkCopier, 'replicate'> &
      Partial<Pick<ChunkCopier, 'targetChunksExist'>>,
    private readonly hooks: EntryApplierHooks = {},
  ) {}

  apply(plan: Plan, signal: AbortSignal): Promise<ApplyOutcome> {
    switch (plan.op) {
      case 'skip':
        return Promise.resolve({ skipped: true, bytes: 0 })
      case 'create':
        return this.decidingAgain(() =>
          this.create(plan.targetKey, plan.entry, plan.signatures, signal),
        )
      case 'delete':
        this.freshDirectories.delete(plan.targetKey)
        return this.delete(plan, signal)
      case 'update':
        return this.decidingAgain(() => this.update(plan, signal))
      case 'move':
        this.freshDirectories.delete(plan.oldTargetKey)
        return this.move(plan, signal)
    }
  }

  /**
   * Run a lookup-decide-write attempt; when its write was refused because the target changed
   * after the lookup (a local write landed in between, bench active-active), run it again: the
   * new lookup sees that write and the skip rules (keepsDestination) usually keep it. Bounded by
   * {@link MAX_CONDITION_ATTEMPTS}.
   */
  private async decidingAgain(attempt: () => Promise<ApplyOutcome>): Promise<ApplyOutcome> {
    for (let n = 1; ; n++) {
      try {
        return await attempt()
      } catch (err) {
        const changed = err instanceof SyncError && err.code === 'SYNC_ERR_PRECONDITION'
        if (!changed || n >= MAX_CONDITION_ATTEMPTS) throw err
      }
    }
  }

  /**
   * CreateEntry with HEAD's skip rules (§11 4.31–4.36): a strictly newer destination that is not
   * shorter is left alone (never roll back); an identical one (same ETag and size, or chunks
   * already replicated from these very source chunks) is left alone; a directory that exists gets
   * its attributes refreshed (4.23 never did, §12.14); anything else is (over)written.
   */
  async create(
    key: string,
    source: EntryOutput,
    signatures: readonly number[],
    signal: AbortSignal,
  ): Promise<ApplyOutcome> {
    const { parent, name } = parentAndName(key)
    // Nothing to copy (directories, inline and empty files): try an exclusive create first. When
    // the target has no entry there, which is the catch-up case, that is the whole job in one call
    // instead of a LookupDirectoryEntry that fails NOT_FOUND and a CreateEntry. Any refusal (the
    // entry exists, or anything else) falls back to the lookup and the skip rules below, so the
    // outcome is the same as without it.
    if (source.chunks.length === 0) {
      if (await this.createExclusive(parent, name, source, [], signatures, signal)) {
        if (source.is_directory) this.freshDirectories.add(key)
        return { skipped: false, bytes: 0 }
      }
    }
    // Files with chunks look the target up first: a create that then finds the entry there would
    // have copied its chunks for nothing (and left them orphaned). Except in a directory this
    // applier created, where the file is almost surely new: copy, then create exclusively. If
    // something is there after all, decide below as usual, reusing the chunks just copied.
    let copied: FileChunk[] | undefined
    if (source.chunks.length > 0 && this.freshDirectories.has(parent)) {
      copied = await this.copier.replicate(source.chunks, key, signal)
      await this.hooks.beforeWrite?.(key)
      if (await this.createExclusive(parent, name, source, copied, signatures, signal)) {
        return { skipped: false, bytes: chunkBytes(source.chunks) }
      }
      // Not fresh after all (or gone and made again by someone else): stop guessing there.
      this.freshDirectories.delete(parent)
    }
    const existing = await this.target.lookupEntry(parent, name, { signal })
    // Absent is_directory means false (Go clients leave it out; events carry an explicit false).
    if (existing && Boolean(existing.is_directory) === Boolean(source.is_directory)) {
      const newer = entryMtimeNs(existing) > entryMtimeNs(source)
      if (source.is_directory) {
        if (newer || sameAttributes(existing, source)) return { skipped: true, bytes: 0 }
        await this.hooks.beforeWrite?.(key)
        await this.target.updateEntry(
          {
            directory: parent,
            entry: { ...existing, attributes: source.attributes, extended: source.extended },
            is_from_other_cluster: true,
            signatures: [...signatures],
            condition: stillAsLookedUp(existing),
          },
          { signal },
        )
        return { skipped: false, bytes: 0 }
      }
      // A skip here leaves chunks copied on a wrong fresh-directory guess orphaned on the target,
      // as a refused upstream write does; the guess is wrong only when something else wrote there.
      const truncated = entryFileSize(existing) < entryFileSize(source)
      if (!truncated && keepsDestination(existing, source)) return { skipped: true, bytes: 0 }
      if (!truncated && sameContent(existing, source)) return { skipped: true, bytes: 0 }
    }
    const chunks = copied ?? (await this.copier.replicate(source.chunks, key, signal))
    await this.hooks.beforeWrite?.(key)
    await this.target.createEntry(
      {
        directory: parent,
        entry: copyableEntry(name, source, chunks),
        is_from_other_cluster: true,
        signatures: [...signatures],
        o_excl: false,
        skip_check_parent_directory: false,
        // Overwrite only what the decision was made on (HEAD; older filers ignore the field).
        condition: stillAsLookedUp(existing),
      },
      { signal },
    )
    return { skipped: false, bytes: chunkBytes(source.chunks) }
  }

  /**
   * CreateEntry with `o_excl` (SeaweedFS answers `ENTRY_ALREADY_EXISTS` and changes nothing when
   * the path is taken): true when it created the entry, false when the filer refused.
   */
  private async createExclusive(
    parent: string,
    name: string,
    source: EntryOutput,
    chunks: FileChunk[],
    signatures: readonly number[],
    signal: AbortSignal,
  ): Promise<boolean> {
    try {
      await this.target.createEntry(
        {
          directory: parent,
          entry: copyableEntry(name, source, chunks),
          is_from_other_cluster: true,
          signatures: [...signatures],
          o_excl: true,
          skip_check_parent_directory: false,
        },
        { signal },
      )
      return true
    } catch (err) {
      if (err instanceof SyncError && err.code === 'SYNC_ERR_FILER_REFUSED') return false
      throw err
    }
  }

  /** DeleteEntry, recursive, `is_delete_data` = the event's delete_chunks (§7.3). */
  private async delete(plan: DeletePlan, signal: AbortSignal): Promise<ApplyOutcome> {
    const { parent, name } = parentAndName(plan.targetKey)
    await this.target.deleteEntry(
      {
        directory: parent,
        name,
        is_delete_data: plan.deleteData,
        is_recursive: true,
        ignore_recursive_error: true,
        is_from_other_cluster: true,
        signatures: [...plan.signatures],
      },
      { signal },
    )
    return { skipped: false, bytes: 0 }
  }

  /**
   * In-place update (§7.2 with HEAD fixes): a missing target entry falls back to delete-old
   * (data kept) then create-new (§12.5); a strictly newer target is a late update and is left
   * alone; otherwise the target's chunks are rebuilt in the source's order, reusing the target
   * chunks replicated from unchanged source chunks (matched by `source_file_id`) and copying only
   * the new ones.
   */
  private async update(plan: UpdatePlan, signal: AbortSignal): Promise<ApplyOutcome> {
    const { parent, name } = parentAndName(plan.oldTargetKey)
    const existing = await this.target.lookupEntry(parent, name, { signal })
    if (!existing) {
      await this.delete(
        {
          op: 'delete',
          cause: 'deleted',
          targetKey: plan.oldTargetKey,
          isDirectory: plan.isDirectory,
          deleteData: false,
          signatures: plan.signatures,
        },
        signal,
      )
      return this.create(plan.newTargetKey, plan.newEntry, plan.signatures, signal)
    }
    if (keepsDestination(existing, plan.newEntry)) return { skipped: true, bytes: 0 }
    // A target chunk stands for a source chunk when it was copied from it (its source_file_id),
    // or when the source chunk was itself copied from this target chunk (active-active: an
    // append on B sends back chunks whose source is A's own), field notes §3 item 19.
    const copiedFrom = new Map<string, FileChunkOutput>()
    const byOwnFid = new Map<string, FileChunkOutput>()
    for (const chunk of existing.chunks) {
      const src = sourceFileId(chunk)
      if (src) copiedFrom.set(src, chunk)
      byOwnFid.set(chunkFileId(chunk), chunk)
    }
    const chunks: FileChunk[] = []
    const toCopy: FileChunkOutput[] = []
    const slots: number[] = []
    const candidates = plan.newEntry.chunks.map((chunk) => {
      const origin = sourceFileId(chunk)
      return copiedFrom.get(chunkFileId(chunk)) ?? (origin ? byOwnFid.get(origin) : undefined)
    })
    // Field notes §3 item 20: metadata is no proof the target still has the data (a vacuumed
    // needle). A reused chunk whose needle is gone is copied again, repairing the file.
    const reusable = candidates.flatMap((c) => (c ? [chunkFileId(c)] : []))
    const present =
      (await this.copier.targetChunksExist?.(reusable, signal)) ?? reusable.map(() => true)
    let checked = 0
    for (const [i, chunk] of plan.newEntry.chunks.entries()) {
      const candidate = candidates[i]
      const reused = candidate && present[checked++] ? candidate : undefined
      if (reused) {
        chunks.push(reused)
      } else {
        slots.push(chunks.length)
        chunks.push({})
        toCopy.push(chunk)
      }
    }
    const copied = await this.copier.replicate(toCopy, plan.newTargetKey, signal)
    copied.forEach((chunk, i) => (chunks[slots[i]!] = chunk))
    await this.hooks.beforeWrite?.(plan.newTargetKey)
    await this.target.updateEntry(
      {
        directory: plan.newTargetParent,
        entry: {
          ...existing,
          name: existing.name,
          attributes: plan.newEntry.attributes,
          extended: plan.newEntry.extended,
          content: plan.newEntry.content ?? Buffer.alloc(0),
          remote_entry: plan.newEntry.remote_entry,
          chunks,
        },
        is_from_other_cluster: true,
        signatures: [...plan.signatures],
        condition: stillAsLookedUp(existing),
      },
      { signal },
    )
    return { skipped: false, bytes: chunkBytes(toCopy) }
  }

  /**
   * A rename replayed as AtomicRenameEntry (HEAD ≥4.33, §7.4): metadata only, the whole subtree
   * at once. If it fails and the old path is definitely missing (moved by a parent rename, never
   * replicated), create the new path instead; any other state is an error to retry.
   */
  private async move(plan: MovePlan, signal: AbortSignal): Promise<ApplyOutcome> {
    const from = parentAndName(plan.oldTargetKey)
    const to = parentAndName(plan.newTargetKey)
    try {
      await this.target.atomicRenameEntry(
        {
          old_directory: from.parent,
          old_name: from.name,
          new_directory: to.parent,
          new_name: to.name,
          signatures: [...plan.signatures],
        },
        { signal },
      )
      return { skipped: false, bytes: 0 }
    } catch (err) {
      if (!(err instanceof SyncError) || err.retryable) throw err
      if (await this.target.lookupEntry(from.parent, from.name, { signal })) throw err
      return this.decidingAgain(() =>
        this.create(plan.newTargetKey, plan.newEntry, plan.signatures, signal),
      )
    }
  }
}

/**
 * Last writer wins, with one total order on both sides of a pair: the newer mtime (ns) wins, and
 * on an exact tie the larger ETag (then the larger inline content) does. Upstream keeps the destination only when it is strictly
 * newer, so two writes with the same mtime on the two sides of A↔B swap and never converge; with
 * the tie-break both sides keep the same version.
 */
export function keepsDestination(destination: EntryOutput, source: EntryOutput): boolean {
  const d = entryMtimeNs(destination)
  const s = entryMtimeNs(source)
  if (d !== s) return d > s
  const de = entryETag(destination)
  const se = entryETag(source)
  if (de !== se) return de > se
  // Inline content without md5 shares one ETag: compare the bytes.
  return (
    Buffer.compare(Buffer.from(destination.content ?? []), Buffer.from(source.content ?? [])) > 0
  )
}

/**
 * HEAD's WriteCondition that the target entry is still the one looked up: absent → IF_NOT_EXISTS;
 * present → IF_CHUNKS_EQUAL with its chunk fids (every upload gets fresh fids, so any content
 * change fails it) AND IF_ETAG_MATCH with its ETag (md5 or S3 ETag: catches inline content that
 * carries an md5). Not IF_UNMODIFIED_SINCE: it compares whole seconds, and two writes within one
 * second are the race itself. Blind spot: a change that keeps the chunks and the ETag (attributes
 * only, inline content without md5). Filers before HEAD ignore the field: unconditional, as before.
 */
export function stillAsLookedUp(existing: EntryOutput | undefined): WriteCondition {
  if (!existing) return { clauses: [{ kind: 'IF_NOT_EXISTS' }] }
  const ext = existing.extended?.[S3_ETAG_EXTENDED_KEY]
  const etag = ext && ext.length > 0 ? Buffer.from(ext).toString() : entryETag(existing)
  return {
    clauses: [
      { kind: 'IF_CHUNKS_EQUAL', fids: existing.chunks.map((chunk) => chunkFileId(chunk)) },
      // allow_weak: the value is the filer's own, sent back verbatim; never compare it strictly.
      { kind: 'IF_ETAG_MATCH', etags: [etag], allow_weak: true },
    ],
  }
}

/** The S3 gateway's ETag attribute, which HEAD's ETag clauses read first (s3_constants.ExtETagKey). */
const S3_ETAG_EXTENDED_KEY = 'Seaweed-X-Amz-ETag'

/** The fields CreateEntry copies (§7.1 step 3); hard links, quota and WORM are not. */
function copyableEntry(name: string, source: EntryOutput, chunks: FileChunk[]) {
  return {
    name,
    is_directory: source.is_directory ?? false,
    attributes: source.attributes,
    extended: source.extended,
    chunks,
    content: source.content ?? Buffer.alloc(0),
    remote_entry: source.remote_entry,
  }
}

function sameContent(a: EntryOutput, b: EntryOutput): boolean {
  if (entryFileSize(a) !== entryFileSize(b)) return false
  if (a.chunks.length === 0 && b.chunks.length === 0) {
    // Inline content without md5 shares the empty ETag: compare the bytes themselves (§12.14).
    return Buffer.from(a.content ?? []).equals(Buffer.from(b.content ?? []))
  }
  if (entryETag(a) === entryETag(b)) return true
  // Replicated earlier from these very source chunks (either direction of an active-active pair).
  return (
    a.chunks.length === b.chunks.length &&
    a.chunks.every((c, i) => sourceFileId(c) === chunkFileId(b.chunks[i]!))
  )
}

function sameAttributes(a: EntryOutput, b: EntryOutput): boolean {
  const x: FuseAttributesOutput = a.attributes ?? { group_name: [] }
  const y: FuseAttributesOutput = b.attributes ?? { group_name: [] }
  return (
    x.file_mode === y.file_mode &&
    x.uid === y.uid &&
    x.gid === y.gid &&
    String(x.mtime ?? '0') === String(y.mtime ?? '0')
  )
}

function chunkBytes(chunks: readonly FileChunkOutput[]): number {
  return chunks.reduce((sum, c) => sum + Number(c.size ?? 0), 0)
}
