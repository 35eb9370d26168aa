import Database from 'better-sqlite3'
import { constants, mkdirSync } from 'node:fs'
import { open, unlink, type FileHandle } from 'node:fs/promises'
import { join } from 'node:path'

/**
 * Needle storage for the embedded volume server. Persistent mode (`dir` set): per volume one
 * append-only data file (`<vid>.dat`, `<vid>.c<n>.dat` after the n-th vacuum) plus one SQLite index
 * (`volume-index.db`, WAL) mapping (volume, needle key) → where the bytes are and the needle's
 * metadata. Memory mode keeps Buffers in Maps. Like SeaweedFS, a delete only flags the needle: its
 * bytes stay readable (`readDeleted`, spec §8.3) until {@link NeedleStore.vacuum}.
 */

/** Where a needle's stored bytes live; captured at lookup so a later vacuum cannot move them. */
type NeedleSource = { blob: Buffer } | { file: Promise<FileHandle>; offset: number }

/** A needle's index entry, as returned by {@link NeedleStore.get}. */
export interface NeedleRecord {
  cookie: number
  /** Logical (uncompressed) size, bytes. */
  size: number
  /** Bytes as stored (the gzip length when `gzipped`). */
  storedSize: number
  /** The stored bytes are gzip (uploaded with `Content-Encoding: gzip`). */
  gzipped: boolean
  mime: string
  name: string
  /** Upload time, ms since epoch. */
  lastModifiedMs: number
  deleted: boolean
  /** Raw 16-byte MD5 of the uncompressed bytes. */
  md5: Buffer
  /** @internal read through {@link NeedleStore.readStored} */
  readonly source: NeedleSource
}

/** A needle to store: `stored` are the bytes to keep, `size`/`md5` describe the uncompressed data. */
export interface NeedleStoreWrite {
  cookie: number
  stored: Buffer
  gzipped: boolean
  size: number
  md5: Buffer
  mime: string
  name: string
  lastModifiedMs: number
}

/** Per-volume statistics (sizes in bytes). */
export interface VolumeStats {
  id: number
  collection: string
  /** Bytes in the data file, garbage included (what the size limit is compared with). */
  size: number
  fileCount: number
  deleteCount: number
  /** Bytes of deleted or overwritten needles, reclaimable by a vacuum. */
  deletedByteCount: number
}

/** Typed store failures; `code` is stable. */
export class NeedleStoreError extends Error {
  constructor(
    readonly code: 'NO_VOLUME' | 'COOKIE_MISMATCH' | 'CLOSED',
    message: string,
  ) {
    super(message)
    this.name = 'NeedleStoreError'
  }
}

export interface NeedleStoreOptions {
  /** Directory for data files and the index; undefined keeps everything in memory. */
  dir?: string
  /** A collection's writable volume rolls over once its data reaches this many bytes. */
  volumeSizeLimitBytes: number
}

interface Volume {
  id: number
  collection: string
  end: number
  fileCount: number
  deleteCount: number
  liveBytes: number
  revision: number
  fileName: string
  file?: Promise<FileHandle>
  needles?: Map<bigint, NeedleRecord>
  /** Set while a vacuum rewrites the volume; writes wait for it. */
  gate?: Promise<void>
  writes: Set<Promise<void>>
}

interface IndexRow {
  cookie: number
  data_offset: number
  stored_size: number
  size: number
  gzipped: number
  mime: string
  name: string
  last_modified_ms: number
  deleted: number
  md5: Buffer
}

type Statements = ReturnType<typeof prepare>

const { O_CREAT, O_RDWR } = constants

// Retired data files (after a vacuum) stay open this long for reads that looked them up before.
const retiredFileCloseDelayMs = 60_000

export class NeedleStore {
  private readonly volumesById = new Map<number, Volume>()
  private readonly writableByCollection = new Map<string, number>()
  private readonly keyLocks = new Map<string, Promise<unknown>>()
  private readonly pending = new Set<Promise<unknown>>()
  private readonly retired = new Set<Promise<FileHandle>>()
  private closed = false

  private constructor(
    private readonly options: NeedleStoreOptions,
    private readonly db: Database.Database | undefined,
    private readonly stmt: Statements | undefined,
  ) {}

  /** Open (or create) a store; in persistent mode reopens every volume listed in the index. */
  static async open(options: NeedleStoreOptions): Promise<NeedleStore> {
    if (options.dir === undefined) return new NeedleStore(options, undefined, undefined)
    mkdirSync(options.dir, { recursive: true })
    const db = new Database(join(options.dir, 'volume-index.db'))
    try {
      const store = new NeedleStore(options, db, prepare(db))
      await store.loadVolumes()
      return store
    } catch (err) {
      db.close()
      throw err
    }
  }

  private async loadVolumes(): Promise<void> {
    const stmt = this.stmt as Statements
    const counts = new Map(stmt.volumeCounts.all().map((row) => [row.volume_id, row]))
    for (const row of stmt.listVolumes.all()) {
      // Read-write without truncation; positional writes need no O_APPEND.
      const file = open(join(this.options.dir as string, row.file_name), O_RDWR | O_CREAT)
      const handle = await file
      const c = counts.get(row.id)
      this.addVolume({
        id: row.id,
        collection: row.collection,
        end: (await handle.stat()).size,
        fileCount: c?.live ?? 0,
        deleteCount: c?.dead ?? 0,
        liveBytes: c?.live_bytes ?? 0,
        revision: row.revision,
        fileName: row.file_name,
        file,
        writes: new Set(),
      })
    }
  }

  private addVolume(volume: Volume): void {
    this.volumesById.set(volume.id, volume)
    const current = this.writableByCollection.get(volume.collection)
    if (current === undefined || current < volume.id) {
      this.writableByCollection.set(volume.collection, volume.id)
    }
  }

  hasVolume(volumeId: number): boolean {
    return this.volumesById.has(volumeId)
  }

  /**
   * The collection's writable volume id: its newest volume while that is under the size limit,
   * else a new volume (ids count up from 1 across all collections).
   */
  writableVolume(collection: string): number {
    this.assertOpen()
    const currentId = this.writableByCollection.get(collection)
    const current = currentId === undefined ? undefined : this.volumesById.get(currentId)
    if (current !== undefined && current.end < this.options.volumeSizeLimitBytes) return current.id
    let id = 1
    for (const existing of this.volumesById.keys()) id = Math.max(id, existing + 1)
    const fileName = `${id}.dat`
    const volume: Volume = {
      id,
      collection,
      end: 0,
      fileCount: 0,
      deleteCount: 0,
      liveBytes: 0,
      revision: 0,
      fileName,
      writes: new Set(),
    }
    if (this.stmt === undefined) {
      volume.needles = new Map()
    } else {
      this.stmt.insertVolume.run(id, collection, fileName)
      // 'w+': a leftover file of an id the index does not know holds nothing we can address.
      volume.file = open(join(this.options.dir as string, fileName), 'w+')
      volume.file.catch(() => {})
    }
    this.addVolume(volume)
    return id
  }

  /** The needle's index entry (deleted ones included), or undefined. */
  get(volumeId: number, key: bigint): NeedleRecord | undefined {
    this.assertOpen()
    const volume = this.volumesById.get(volumeId)
    if (volume === undefined) return undefined
    if (volume.needles !== undefined) return volume.needles.get(key)
    const row = (this.stmt as Statements).get.get(volumeId, BigInt.asIntN(64, key))
    if (row === undefined) return undefined
    return {
      cookie: row.cookie,
      size: row.size,
      storedSize: row.stored_size,
      gzipped: row.gzipped !== 0,
      mime: row.mime,
      name: row.name,
      lastModifiedMs: row.last_modified_ms,
      deleted: row.deleted !== 0,
      md5: row.md5,
      source: { file: volume.file as Promise<FileHandle>, offset: row.data_offset },
    }
  }

  /** Read `length` stored bytes from `start` (relative to the needle) with async positional reads. */
  readStored(record: NeedleRecord, start = 0, length = record.storedSize - start): Promise<Buffer> {
    const source = record.source
    if ('blob' in source) return Promise.resolve(source.blob.subarray(start, start + length))
    this.assertOpen()
    return this.track(readFully(source.file, source.offset + start, length))
  }

  /**
   * Store a needle. Resolves `{created: false}` without writing when the live needle already has
   * the same cookie and bytes (the volume server's 204, spec §8.4). Writes to one key are
   * serialized; a live needle with another cookie is refused, as Go's "mismatching cookie".
   */
  write(volumeId: number, key: bigint, write: NeedleStoreWrite): Promise<{ created: boolean }> {
    this.assertOpen()
    const volume = this.volumesById.get(volumeId)
    if (volume === undefined) {
      return Promise.reject(new NeedleStoreError('NO_VOLUME', `volume ${volumeId} not found`))
    }
    const lockKey = `${volumeId}:${key}`
    const run = () => this.writeLocked(volume, key, write)
    const previous = this.keyLocks.get(lockKey)
    const task = previous === undefined ? run() : previous.then(run, run)
    this.keyLocks.set(lockKey, task)
    const unlock = () => {
      if (this.keyLocks.get(lockKey) === task) this.keyLocks.delete(lockKey)
    }
    task.then(unlock, unlock)
    return this.track(task)
  }

  private async writeLocked(volume: Volume, key: bigint, write: NeedleStoreWrite) {
    while (volume.gate !== undefined) await volume.gate
    const existing = this.get(volume.id, key)
    const live = existing !== undefined && !existing.deleted ? existing : undefined
    if (live !== undefined) {
      if (live.cookie === write.cookie && live.size === write.size && live.md5.equals(write.md5)) {
        return { created: false }
      }
      if (live.cookie !== write.cookie) {
        throw new NeedleStoreError(
          'COOKIE_MISMATCH',
          `mismatching cookie ${write.cookie.toString(16)}`,
        )
      }
    }
    const offset = volume.end
    volume.end += write.stored.length
    if (volume.needles !== undefined) {
      volume.needles.set(key, recordOf(write, { blob: write.stored }))
    } else {
      const io = this.appendAndIndex(volume, key, write, offset)
      volume.writes.add(io)
      try {
        await io
      } finally {
        volume.writes.delete(io)
      }
    }
    if (existing?.deleted === true) volume.deleteCount--
    if (live === undefined) volume.fileCount++
    volume.liveBytes += write.stored.length - (live?.storedSize ?? 0)
    return { created: true }
  }

  private async appendAndIndex(volume: Volume, key: bigint, w: NeedleStoreWrite, offset: number) {
    await writeFully(volume.file as Promise<FileHandle>, w.stored, offset)
    // The index row goes in only once the bytes are in the file: readers never see a torn needle.
    ;(this.stmt as Statements).put.run(
      volume.id,
      BigInt.asIntN(64, key),
      w.cookie,
      offset,
      w.stored.length,
      w.size,
      w.gzipped ? 1 : 0,
      w.mime,
      w.name,
      w.lastModifiedMs,
      w.md5,
    )
  }

  /**
   * Soft delete. Returns the needle's logical size, or 'missing' (unknown or already deleted) or
   * 'cookie-mismatch' (when `cookie` is given and differs).
   */
  delete(volumeId: number, key: bigint, cookie?: number): number | 'missing' | 'cookie-mismatch' {
    const record = this.get(volumeId, key)
    const volume = this.volumesById.get(volumeId)
    if (record === undefined || record.deleted || volume === undefined) return 'missing'
    if (cookie !== undefined && record.cookie !== cookie) return 'cookie-mismatch'
    if (volume.needles !== undefined) volume.needles.set(key, { ...record, deleted: true })
    else (this.stmt as Statements).markDeleted.run(volumeId, BigInt.asIntN(64, key))
    volume.fileCount--
    volume.deleteCount++
    volume.liveBytes -= record.storedSize
    return record.size
  }

  /** Statistics of every volume, by id. */
  volumes(): VolumeStats[] {
    return [...this.volumesById.values()]
      .sort((a, b) => a.id - b.id)
      .map((v) => ({
        id: v.id,
        collection: v.collection,
        size: v.end,
        fileCount: v.fileCount,
        deleteCount: v.deleteCount,
        deletedByteCount: v.end - v.liveBytes,
      }))
  }

  /**
   * Reclaim deleted and overwritten needles of one volume (or all): live needles are copied to a
   * new data file, then one index transaction switches offsets and file name, so a crash at any
   * point leaves a consistent index (at worst an orphan file). Writes wait while it runs.
   */
  async vacuum(volumeId?: number): Promise<void> {
    const ids = volumeId === undefined ? [...this.volumesById.keys()] : [volumeId]
    for (const id of ids) {
      this.assertOpen()
      const volume = this.volumesById.get(id)
      if (volume === undefined || volume.gate !== undefined) continue
      let release = () => {}
      volume.gate = new Promise<void>((resolve) => (release = resolve))
      try {
        await this.track(
          volume.needles === undefined ? this.compactFile(volume) : compactMemory(volume),
        )
      } finally {
        volume.gate = undefined
        release()
      }
    }
  }

  private async compactFile(volume: Volume): Promise<void> {
    await Promise.allSettled(volume.writes)
    const stmt = this.stmt as Statements
    const dir = this.options.dir as string
    const fileName = `${volume.id}.c${volume.revision + 1}.dat`
    const out = open(join(dir, fileName), 'w+')
    const moves: Array<[bigint, number]> = []
    let end = 0
    try {
      // .all(): an open iterator would make the connection busy for the awaits below.
      for (const row of stmt.liveRows.all(volume.id)) {
        const length = Number(row.stored_size)
        const bytes = await readFully(
          volume.file as Promise<FileHandle>,
          Number(row.data_offset),
          length,
        )
        await writeFully(out, bytes, end)
        moves.push([row.needle_key, end])
        end += length
      }
      await (await out).datasync()
    } catch (err) {
      await (await out.catch(() => undefined))?.close()
      await unlink(join(dir, fileName)).catch(() => {})
      throw err
    }
    this.db?.transaction(() => {
      stmt.dropDeleted.run(volume.id)
      for (const [key, offset] of moves) stmt.move.run(offset, volume.id, key)
      stmt.setVolumeFile.run(fileName, volume.revision + 1, volume.id)
    })()
    const old = volume.file as Promise<FileHandle>
    const oldName = volume.fileName
    Object.assign(volume, { file: out, fileName, revision: volume.revision + 1, end })
    const c = stmt.volumeCount.get(volume.id)
    Object.assign(volume, {
      fileCount: c?.live ?? 0,
      deleteCount: c?.dead ?? 0,
      liveBytes: c?.live_bytes ?? 0,
    })
    await unlink(join(dir, oldName)).catch(() => {})
    this.retired.add(old)
    setTimeout(() => void this.closeRetired(old), retiredFileCloseDelayMs).unref()
  }

  private async closeRetired(file: Promise<FileHandle>): Promise<void> {
    if (!this.retired.delete(file)) return
    await (await file.catch(() => undefined))?.close().catch(() => {})
  }

  /** Wait for in-flight reads and writes, flush data files and close them and the index. */
  async close(): Promise<void> {
    if (this.closed) return
    this.closed = true
    while (this.pending.size > 0) await Promise.allSettled([...this.pending])
    for (const volume of this.volumesById.values()) {
      const handle = await volume.file?.catch(() => undefined)
      await handle?.datasync().catch(() => {})
      await handle?.close().catch(() => {})
    }
    await Promise.all([...this.retired].map((file) => this.closeRetired(file)))
    this.db?.close()
  }

  private assertOpen(): void {
    if (this.closed) throw new NeedleStoreError('CLOSED', 'needle store is closed')
  }

  private track<T>(promise: Promise<T>): Promise<T> {
    this.pending.add(promise)
    const done = () => this.pending.delete(promise)
    promise.then(done, done)
    return promise
  }
}

function recordOf(w: NeedleStoreWrite, source: NeedleSource): NeedleRecord {
  const { cookie, size, gzipped, mime, name, lastModifiedMs, md5 } = w
  const storedSize = w.stored.length
  return {
    cookie,
    size,
    storedSize,
    gzipped,
    mime,
    name,
    lastModifiedMs,
    deleted: false,
    md5,
    source,
  }
}

async function compactMemory(volume: Volume): Promise<void> {
  const needles = volume.needles as Map<bigint, NeedleRecord>
  for (const [key, record] of needles) if (record.deleted) needles.delete(key)
  Object.assign(volume, { end: volume.liveBytes, deleteCount: 0 })
}

async function readFully(file: Promise<FileHandle>, position: number, length: number) {
  const handle = await file
  const buffer = Buffer.allocUnsafe(length)
  let done = 0
  while (done < length) {
    const { bytesRead } = await handle.read(buffer, done, length - done, position + done)
    if (bytesRead === 0) throw new Error(`short read at offset ${position + done} of a data file`)
    done += bytesRead
  }
  return buffer
}

async function writeFully(file: Promise<FileHandle>, data: Buffer, position: number) {
  const handle = await file
  let done = 0
  while (done < data.length) {
    const { bytesWritten } = await handle.write(data, done, data.length - done, position + done)
    done += bytesWritten
  }
}

function prepare(db: Database.Database) {
  db.pragma('journal_mode = WAL')
  // NORMAL is durable across process crashes in WAL mode; only an OS crash can lose the tail.
  db.pragma('synchronous = NORMAL')
  db.exec(`
    CREATE TABLE IF NOT EXISTS volumes (
      id INTEGER PRIMARY KEY,
      collection TEXT NOT NULL,
      file_name TEXT NOT NULL,
      revision INTEGER NOT NULL DEFAULT 0
    );
    CREATE TABLE IF NOT EXISTS needles (
      volume_id INTEGER NOT NULL,
      needle_key INTEGER NOT NULL, -- uint64 key stored as its two's-complement int64
      cookie INTEGER NOT NULL,
      data_offset INTEGER NOT NULL,
      stored_size INTEGER NOT NULL,
      size INTEGER NOT NULL,
      gzipped INTEGER NOT NULL,
      mime TEXT NOT NULL,
      name TEXT NOT NULL,
      last_modified_ms INTEGER NOT NULL,
      deleted INTEGER NOT NULL DEFAULT 0,
      md5 BLOB NOT NULL,
      PRIMARY KEY (volume_id, needle_key)
    ) WITHOUT ROWID;
  `)
  const countsSql = `SELECT volume_id, SUM(deleted = 0) AS live, SUM(deleted) AS dead,
    SUM(CASE WHEN deleted = 0 THEN stored_size ELSE 0 END) AS live_bytes FROM needles`
  type Counts = { volume_id: number; live: number; dead: number; live_bytes: number }
  return {
    listVolumes: db.prepare<
      [],
      { id: number; collection: string; file_name: string; revision: number }
    >('SELECT id, collection, file_name, revision FROM volumes ORDER BY id'),
    volumeCounts: db.prepare<[], Counts>(`${countsSql} GROUP BY volume_id`),
    volumeCount: db.prepare<[number], Counts>(
      `${countsSql} WHERE volume_id = ? GROUP BY volume_id`,
    ),
    insertVolume: db.prepare<[number, string, string]>(
      'INSERT INTO volumes (id, collection, file_name) VALUES (?, ?, ?)',
    ),
    setVolumeFile: db.prepare<[string, number, number]>(
      'UPDATE volumes SET file_name = ?, revision = ? WHERE id = ?',
    ),
    get: db.prepare<[number, bigint], IndexRow>(
      `SELECT cookie, data_offset, stored_size, size, gzipped, mime, name, last_modified_ms, deleted, md5
       FROM needles WHERE volume_id = ? AND needle_key = ?`,
    ),
    put: db.prepare<
      [number, bigint, number, number, number, number, number, string, string, number, Buffer]
    >(
      `INSERT OR REPLACE INTO needles (volume_id, needle_key, cookie, data_offset, stored_size, size,
       gzipped, mime, name, last_modified_ms, deleted, md5) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?)`,
    ),
    markDeleted: db.prepare<[number, bigint]>(
      'UPDATE needles SET deleted = 1 WHERE volume_id = ? AND needle_key = ?',
    ),
    liveRows: db
      .prepare<[number], { needle_key: bigint; data_offset: bigint; stored_size: bigint }>(
        `SELECT needle_key, data_offset, stored_size FROM needles
         WHERE volume_id = ? AND deleted = 0 ORDER BY data_offset`,
      )
      .safeIntegers(true),
    dropDeleted: db.prepare<[number]>('DELETE FROM needles WHERE volume_id = ? AND deleted = 1'),
    move: db.prepare<[number, number, bigint]>(
      'UPDATE needles SET data_offset = ? WHERE volume_id = ? AND needle_key = ?',
    ),
  }
}
