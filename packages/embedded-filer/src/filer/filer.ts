import { randomInt } from 'node:crypto'
import { filerCodec, type FileChunkManifestOutput, type WriteConditionOutput } from '@seasync/proto'
import type { FilerStore } from '../store/filer-store.js'
import type { VolumeServer } from '../volume/volume-types.js'
import {
  chunkFid,
  decodeEntry,
  encodeEntry,
  entriesEqual,
  toReadForm,
  toStoredForm,
  type Entry,
  type FileChunk,
} from './entry-form.js'
import {
  EntryNotFoundError,
  FilerOperationError,
  NOT_FOUND_TEXT,
  PreconditionFailedError,
} from './filer-errors.js'
import { MetaLog, type LogEvent, type LoggedEvent } from './meta-log.js'
import { joinPath, normalizePath, pathChain, splitPath } from './paths.js'
import { conditionIsSet, writeConditionSatisfied } from './write-condition.js'

/** KV key of the persisted store signature, as SeaweedFS (`filer.store.id`, 4 bytes big-endian). */
export const SIGNATURE_KV_KEY = 'filer.store.id'
/** SeaweedFS's default `MaxFilenameLength`. */
export const MAX_FILENAME_LENGTH = 255
const MODE_DIR = 0x80000000

/** Needles to free after a commit: those of `drop` that `keep` does not reference. */
interface ChunkRelease {
  drop: FileChunk[]
  keep: FileChunk[]
}

/** Who asked for a mutation: forwarded into the logged events (spec §3.2, §3.3). */
export interface MutationSource {
  signatures: readonly number[]
  isFromOtherCluster: boolean
}

/** A create or update that may carry HEAD's write condition. */
export interface ConditionalWrite extends MutationSource {
  /** Clauses that must all hold against the current entry, checked in the write's transaction. */
  condition?: WriteConditionOutput | null | undefined
}

export interface CreateOptions extends ConditionalWrite {
  oExcl?: boolean
  skipCheckParentDirectory?: boolean
}

export interface DeleteOptions extends MutationSource {
  isRecursive: boolean
  ignoreRecursiveError?: boolean
  isDeleteData: boolean
  /** Unix seconds; > 0 skips the delete when the entry was modified after it. */
  ifNotModifiedAfter?: number
}

/** The result of a mutation: the events it logged, the main one last. */
export interface MutationResult {
  events: LoggedEvent[]
}

/**
 * The filer's namespace semantics on the store and metadata log: what SeaweedFS's `filer.Filer`
 * and its gRPC server do for create, update, delete and rename, including the events each one
 * logs (spec §3.2, §6.1, §7). Every mutation is one SQLite transaction; needles no longer
 * referenced are freed on the volume server after the commit.
 */
export class Filer {
  readonly signature: number
  readonly log: MetaLog

  constructor(
    private readonly store: FilerStore,
    private readonly volume: VolumeServer,
  ) {
    this.signature = loadOrCreateSignature(store)
    this.log = new MetaLog(store, this.signature)
  }

  // ---- reads ---------------------------------------------------------------------------------

  /** The entry at `path` in read form, or undefined. `/` is the synthesized root directory. */
  findEntry(path: string): Entry | undefined {
    const stored = this.findStored(path)
    return stored && toReadForm(stored)
  }

  /** Children of `dir` in byte order of their names. */
  listEntries(
    dir: string,
    options: { prefix?: string; startFrom?: string; inclusive?: boolean; limit?: number } = {},
  ): Entry[] {
    const directory = normalizePath(dir)
    const prefix = options.prefix ?? ''
    const limit = options.limit ?? Number.MAX_SAFE_INTEGER
    let start = options.startFrom ?? ''
    let inclusive = options.inclusive ?? false
    if (prefix !== '' && prefix > start) {
      start = prefix
      inclusive = true
    } else if (start === '') {
      inclusive = true
    }
    const out: Entry[] = []
    while (out.length < limit) {
      const page = this.store.listEntries(
        directory,
        start,
        inclusive,
        Math.min(1024, limit - out.length),
      )
      for (const row of page) {
        if (!row.name.startsWith(prefix)) return out
        out.push(toReadForm(decodeEntry(row.meta)))
      }
      if (page.length === 0) break
      start = page[page.length - 1]!.name
      inclusive = false
    }
    return out
  }

  kvGet(key: Buffer): Buffer {
    return this.store.kvGet(key) ?? Buffer.alloc(0)
  }

  /** Resolves once the write is committed (an empty value deletes the key). */
  async kvPut(key: Buffer, value: Buffer): Promise<void> {
    await this.store.mutate(() => this.store.kvPut(key, value)).committed
  }

  // ---- mutations -----------------------------------------------------------------------------

  /**
   * CreateEntry: missing parents are created with their own events (no request signatures); an
   * existing path becomes an overwrite logged as old+new; chunks no longer referenced are freed.
   */
  async createEntry(
    directory: string,
    input: Entry,
    options: CreateOptions,
  ): Promise<MutationResult> {
    const dir = normalizePath(directory)
    const name = input.name ?? ''
    validateName(name)
    const path = joinPath(dir, name)
    const entry = toStoredForm({ ...input, name })
    const { result, freed } = await this.mutate((events, freed) => {
      const existing = this.findStored(path)
      // HEAD checks the condition first, in the same transaction as the write.
      checkCondition(options.condition, path, existing)
      if (!existing) {
        if (!options.skipCheckParentDirectory) this.ensureParents(dir, entry, events)
        this.put(dir, entry)
        events.push(
          this.logEvent({ directory: dir, newEntry: entry, deleteChunks: true, ...src(options) }),
        )
        return
      }
      if (options.oExcl) {
        throw new FilerOperationError(
          `EEXIST: entry ${path} already exists`,
          'ENTRY_ALREADY_EXISTS',
        )
      }
      // An overwrite keeps the original creation time and inode (spec §6.4).
      this.replace(dir, path, existing, entry, options, events, freed, { keepInode: true })
    })
    void this.freeChunks(freed)
    return result
  }

  /** UpdateEntry: in-place update of an existing entry; nothing logged when nothing changed. */
  async updateEntry(
    directory: string,
    input: Entry,
    source: ConditionalWrite,
  ): Promise<MutationResult> {
    const dir = normalizePath(directory)
    const name = input.name ?? ''
    const path = joinPath(dir, name)
    const entry = toStoredForm({ ...input, name })
    const { result, freed } = await this.mutate((events, freed) => {
      const existing = this.findStored(path)
      if (!existing) throw new EntryNotFoundError(`not found ${path}: ${NOT_FOUND_TEXT}`)
      // HEAD: not-found first, then the condition, before the equal-entry shortcut.
      checkCondition(source.condition, path, existing)
      if (entriesEqual(existing, entry)) return
      this.replace(dir, path, existing, entry, source, events, freed, { keepInode: false })
    })
    void this.freeChunks(freed)
    return result
  }

  /**
   * DeleteEntry: a missing entry is success; a directory with children needs `isRecursive`, then
   * every descendant gets its own event without the request signatures (children first), and the
   * top entry's event carries them. `isDeleteData` decides whether needles are freed.
   */
  async deleteEntry(
    directory: string,
    name: string,
    options: DeleteOptions,
  ): Promise<MutationResult> {
    const path = joinPath(normalizePath(directory), name)
    const { result, freed } = await this.mutate((events, freed) => {
      this.deleteInTransaction(path, options, events, freed)
    })
    void this.freeChunks(freed)
    return result
  }

  /**
   * AtomicRenameEntry / StreamRenameEntry: a metadata-only move of an entry and its whole
   * subtree. An existing destination is deleted first (its own delete event); then the moved
   * entry's event and one per descendant, depth-first, all with the request signatures and
   * `delete_chunks = false` (spec §6.1).
   */
  async renameEntry(
    oldDirectory: string,
    oldName: string,
    newDirectory: string,
    newName: string,
    signatures: readonly number[],
  ): Promise<MutationResult> {
    const oldDir = normalizePath(oldDirectory)
    const newDir = normalizePath(newDirectory)
    validateName(newName)
    const oldPath = joinPath(oldDir, oldName)
    const newPath = joinPath(newDir, newName)
    const { result, freed } = await this.mutate((events, freed) => {
      const entry = oldName === '' ? undefined : this.findStored(oldPath)
      if (!entry) throw new EntryNotFoundError(`${oldPath} not found: ${NOT_FOUND_TEXT}`)
      if (oldPath === newPath) return
      if (newPath.startsWith(`${oldPath}/`)) {
        throw new FilerOperationError(`cannot move ${oldPath} into its own subtree ${newPath}`)
      }
      this.ensureParents(newDir, entry, events)
      if (this.findStored(newPath)) {
        const source = { signatures, isFromOtherCluster: false }
        this.deleteInTransaction(
          newPath,
          { ...source, isRecursive: true, isDeleteData: true },
          events,
          freed,
        )
      }
      this.moveSubtree(oldDir, entry, newDir, newName, signatures, events)
    })
    void this.freeChunks(freed)
    return result
  }

  // ---- internals -----------------------------------------------------------------------------

  /** Store `entry` over `existing` (same kind only), log old+new, release unreferenced chunks. */
  private replace(
    dir: string,
    path: string,
    existing: Entry,
    entry: Entry,
    source: MutationSource,
    events: LoggedEvent[],
    freed: ChunkRelease[],
    { keepInode }: { keepInode: boolean },
  ): void {
    checkKindChange(path, existing, entry)
    const inode = existing.attributes?.inode
    entry.attributes = {
      ...entry.attributes,
      group_name: entry.attributes?.group_name ?? [],
      crtime: existing.attributes?.crtime ?? entry.attributes?.crtime,
      ...(keepInode && inode && inode !== '0' ? { inode } : {}),
    }
    this.put(dir, entry)
    events.push(
      this.logEvent({
        directory: dir,
        oldEntry: existing,
        newEntry: entry,
        deleteChunks: true,
        ...src(source),
      }),
    )
    freed.push({ drop: existing.chunks, keep: entry.chunks })
  }

  private findStored(path: string): Entry | undefined {
    const p = normalizePath(path)
    if (p === '/') return rootEntry()
    const [dir, name] = splitPath(p)
    const meta = this.store.getEntry(dir, name)
    return meta && decodeEntry(meta)
  }

  private put(dir: string, entry: Entry): void {
    this.store.putEntry(dir, entry.name ?? '', encodeEntry(entry))
  }

  private logEvent(event: LogEvent): LoggedEvent {
    return this.log.append(event)
  }

  /**
   * Run a mutation atomically in the store's group commit; resolves after the commit, so nothing
   * is acknowledged (or seen by subscribers) before it is durable. A throw changes nothing.
   */
  private async mutate(
    fn: (events: LoggedEvent[], freed: ChunkRelease[]) => void,
  ): Promise<{ result: MutationResult; freed: ChunkRelease[] }> {
    const events: LoggedEvent[] = []
    const freed: ChunkRelease[] = []
    this.seenDirs = []
    let committed: Promise<void>
    try {
      committed = this.store.mutate(() => fn(events, freed)).committed
      for (const dir of this.seenDirs) this.knownDirs.add(dir)
    } finally {
      this.seenDirs = []
    }
    try {
      await committed
    } catch (err) {
      this.knownDirs.clear()
      throw err
    }
    return { result: { events }, freed }
  }

  /**
   * Directories known to exist, so a create does not look up every ancestor. Cleared whenever a
   * directory is deleted or moved; filled only after a mutation's savepoint succeeded.
   */
  private readonly knownDirs = new Set<string>()
  private seenDirs: string[] = []

  /** Create missing ancestors of `dir`, top-down, each with its own event and no request signatures. */
  private ensureParents(dir: string, child: Entry, events: LoggedEvent[]): void {
    for (const path of pathChain(dir)) {
      if (this.knownDirs.has(path)) continue
      this.seenDirs.push(path)
      const existing = this.findStored(path)
      if (existing) {
        if (!existing.is_directory) {
          throw new FilerOperationError(`${path} is a file`, 'PARENT_IS_FILE')
        }
        continue
      }
      const [parent, name] = splitPath(path)
      const nowSec = Math.floor(Date.now() / 1000).toString()
      const childMode = child.attributes?.file_mode ?? 0o755
      const entry: Entry = {
        name,
        is_directory: true,
        chunks: [],
        extended: {},
        attributes: {
          // SeaweedFS: os.ModeDir | child mode | 0111, the child's owner, mtime now.
          file_mode: (MODE_DIR | childMode | 0o111) >>> 0,
          uid: child.attributes?.uid ?? 0,
          gid: child.attributes?.gid ?? 0,
          user_name: child.attributes?.user_name ?? '',
          group_name: child.attributes?.group_name ?? [],
          mtime: nowSec,
          crtime: nowSec,
        },
      }
      this.put(parent, entry)
      events.push(
        this.logEvent({
          directory: parent,
          newEntry: entry,
          deleteChunks: true,
          signatures: [],
          isFromOtherCluster: false,
        }),
      )
    }
  }

  private deleteInTransaction(
    path: string,
    options: DeleteOptions,
    events: LoggedEvent[],
    freed: ChunkRelease[],
  ): void {
    const p = normalizePath(path)
    const entry = this.findStored(p)
    if (!entry) return
    const mtime = Number(entry.attributes?.mtime ?? 0)
    if ((options.ifNotModifiedAfter ?? 0) > 0 && mtime > (options.ifNotModifiedAfter ?? 0)) return
    if (entry.is_directory && this.store.hasChildren(p)) {
      if (!options.isRecursive) {
        throw new FilerOperationError(`fail to delete non-empty folder: ${p}`)
      }
      this.deleteChildren(p, options, events, freed)
    }
    if (p === '/') return
    const [dir, name] = splitPath(p)
    if (entry.is_directory) this.knownDirs.clear()
    this.store.deleteEntry(dir, name)
    events.push(
      this.logEvent({
        directory: dir,
        oldEntry: entry,
        deleteChunks: options.isDeleteData,
        ...src(options),
      }),
    )
    if (options.isDeleteData) freed.push({ drop: entry.chunks, keep: [] })
  }

  /** Post-order: a subdirectory's children, then the subdirectory; no request signatures. */
  private deleteChildren(
    dir: string,
    options: DeleteOptions,
    events: LoggedEvent[],
    freed: ChunkRelease[],
  ): void {
    for (;;) {
      const page = this.store.listEntries(dir, '', true, 1024)
      if (page.length === 0) return
      for (const row of page) {
        const child = decodeEntry(row.meta)
        const childPath = joinPath(dir, row.name)
        if (child.is_directory) {
          this.knownDirs.clear()
          this.deleteChildren(childPath, options, events, freed)
        }
        this.store.deleteEntry(dir, row.name)
        events.push(
          this.logEvent({
            directory: dir,
            oldEntry: child,
            deleteChunks: options.isDeleteData,
            signatures: [],
            isFromOtherCluster: options.isFromOtherCluster,
          }),
        )
        if (options.isDeleteData) freed.push({ drop: child.chunks, keep: [] })
      }
    }
  }

  /** Move `entry` from `oldDir` to `newDir/newName`, then its children, pre-order. */
  private moveSubtree(
    oldDir: string,
    entry: Entry,
    newDir: string,
    newName: string,
    signatures: readonly number[],
    events: LoggedEvent[],
  ): void {
    const oldName = entry.name ?? ''
    const moved: Entry = { ...entry, name: newName }
    if (entry.is_directory) this.knownDirs.clear()
    this.store.deleteEntry(oldDir, oldName)
    this.put(newDir, moved)
    events.push(
      this.logEvent({
        directory: oldDir,
        oldEntry: entry,
        newEntry: moved,
        newParentPath: newDir,
        deleteChunks: false,
        signatures,
        isFromOtherCluster: false,
      }),
    )
    if (!entry.is_directory) return
    const oldPath = joinPath(oldDir, oldName)
    const newPath = joinPath(newDir, newName)
    // Children still live under oldPath; each move removes one, so always read the first page.
    for (;;) {
      const page = this.store.listEntries(oldPath, '', true, 1024)
      if (page.length === 0) return
      for (const row of page) {
        this.moveSubtree(oldPath, decodeEntry(row.meta), newPath, row.name, signatures, events)
      }
    }
  }

  /**
   * Free the needles of `drop` that `keep` no longer references. Both sides are compared after
   * resolving manifest chunks (as SeaweedFS's deleteChunksIfNotNew), so regrouping the same data
   * chunks into new manifests frees only the old manifest needles.
   */
  private async freeChunks(releases: ChunkRelease[]): Promise<void> {
    for (const { drop, keep } of releases) {
      try {
        const kept = await this.collectFids(keep)
        for (const fid of await this.collectFids(drop)) {
          if (!kept.has(fid)) await this.volume.deleteNeedle(fid)
        }
      } catch {
        // Freeing is best effort, as SeaweedFS's chunk deletion queue: a leak, never a failure.
      }
    }
  }

  /** Every fid `chunks` reference: their own, and those inside manifest chunks, recursively. */
  private async collectFids(chunks: FileChunk[], into = new Set<string>()): Promise<Set<string>> {
    for (const chunk of chunks) {
      const fid = chunkFid(chunk)
      if (fid === '') continue
      into.add(fid)
      if (!chunk.is_chunk_manifest) continue
      const needle = await this.volume.readNeedle(fid, { readDeleted: true })
      if (!needle) continue
      const manifest = filerCodec.decode<FileChunkManifestOutput>('FileChunkManifest', needle.data)
      await this.collectFids(manifest.chunks, into)
    }
    return into
  }
}

function src(source: MutationSource): Pick<LogEvent, 'signatures' | 'isFromOtherCluster'> {
  return { signatures: source.signatures, isFromOtherCluster: source.isFromOtherCluster }
}

function validateName(name: string): void {
  if (name === '' || name.includes('/'))
    throw new FilerOperationError(`invalid entry name ${JSON.stringify(name)}`)
  if (Buffer.byteLength(name) > MAX_FILENAME_LENGTH) {
    throw new FilerOperationError(
      `entry name too long: ${name.length} > ${MAX_FILENAME_LENGTH}`,
      'ENTRY_NAME_TOO_LONG',
    )
  }
}

function checkKindChange(path: string, existing: Entry, entry: Entry): void {
  if (existing.is_directory && !entry.is_directory) {
    throw new FilerOperationError(`existing ${path} is a directory`, 'EXISTING_IS_DIRECTORY')
  }
  if (!existing.is_directory && entry.is_directory) {
    throw new FilerOperationError(`existing ${path} is a file`, 'EXISTING_IS_FILE')
  }
}

function rootEntry(): Entry {
  return {
    name: '',
    is_directory: true,
    chunks: [],
    extended: {},
    attributes: { file_mode: (MODE_DIR | 0o755) >>> 0, group_name: [], mtime: '0', crtime: '0' },
  }
}

/** The store's signature: read from KV `filer.store.id`, or a random non-zero int32 saved there. */
function loadOrCreateSignature(store: FilerStore): number {
  const key = Buffer.from(SIGNATURE_KV_KEY)
  const existing = store.kvGet(key)
  if (existing && existing.length === 4) return existing.readInt32BE(0)
  let signature = 0
  while (signature === 0) signature = randomInt(-0x80000000, 0x7fffffff)
  const value = Buffer.alloc(4)
  value.writeInt32BE(signature)
  store.kvPut(key, value)
  return signature
}

/** Throw {@link PreconditionFailedError} when a set condition does not hold for `current`. */
function checkCondition(
  condition: WriteConditionOutput | null | undefined,
  path: string,
  current: Entry | undefined,
): void {
  if (!conditionIsSet(condition)) return
  if (!writeConditionSatisfied(condition, current)) {
    throw new PreconditionFailedError(path)
  }
}
