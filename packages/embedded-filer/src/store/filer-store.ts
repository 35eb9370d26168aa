import Database from 'better-sqlite3'
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'

/** One row of the metadata log: a serialized `SubscribeMetadataResponse`, as SeaweedFS logs it. */
export interface LogRow {
  tsNs: bigint
  data: Buffer
}

/** One stored entry: its directory, name and serialized `filer_pb.Entry` (structured chunk fids). */
export interface EntryRow {
  directory: string
  name: string
  meta: Buffer
}

/** Mutations per group commit at most. */
const GROUP_LIMIT = 512

/**
 * The filer's SQLite store: entries, the KV table and the metadata log, in one database so that a
 * mutation and its log events commit together. `dir` undefined keeps everything in memory.
 *
 * Names compare with SQLite's BINARY collation (memcmp of UTF-8), which is the byte order
 * SeaweedFS's embedded stores list in (spec §10, verify ordering).
 */
export class FilerStore {
  readonly db: Database.Database
  private readonly stmt
  /** Waiters of the open group commit; undefined when no group is open. */
  private group: { resolve: () => void; reject: (err: unknown) => void }[] | undefined
  private readonly commitListeners: (() => void)[] = []

  constructor(dir: string | undefined) {
    if (dir !== undefined) mkdirSync(dir, { recursive: true })
    this.db = new Database(dir === undefined ? ':memory:' : join(dir, 'filer.db'))
    this.db.pragma('journal_mode = WAL')
    // NORMAL is durable across process crashes in WAL mode; only an OS crash can lose the tail.
    this.db.pragma('synchronous = NORMAL')
    this.db.exec(`
      CREATE TABLE IF NOT EXISTS entries (
        directory TEXT NOT NULL,
        name TEXT NOT NULL,
        meta BLOB NOT NULL,
        PRIMARY KEY (directory, name)
      ) WITHOUT ROWID;
      CREATE TABLE IF NOT EXISTS kv (key BLOB PRIMARY KEY, value BLOB NOT NULL) WITHOUT ROWID;
      CREATE TABLE IF NOT EXISTS meta_log (ts_ns INTEGER PRIMARY KEY, data BLOB NOT NULL);
    `)
    this.stmt = {
      get: this.db.prepare<[string, string], { meta: Buffer }>(
        'SELECT meta FROM entries WHERE directory = ? AND name = ?',
      ),
      put: this.db.prepare<[string, string, Buffer]>(
        'INSERT OR REPLACE INTO entries (directory, name, meta) VALUES (?, ?, ?)',
      ),
      delete: this.db.prepare<[string, string]>(
        'DELETE FROM entries WHERE directory = ? AND name = ?',
      ),
      listAfter: this.db.prepare<[string, string, number], EntryRow>(
        'SELECT directory, name, meta FROM entries WHERE directory = ? AND name > ? ORDER BY name LIMIT ?',
      ),
      listFrom: this.db.prepare<[string, string, number], EntryRow>(
        'SELECT directory, name, meta FROM entries WHERE directory = ? AND name >= ? ORDER BY name LIMIT ?',
      ),
      hasChildren: this.db.prepare<[string], { one: number }>(
        'SELECT 1 AS one FROM entries WHERE directory = ? LIMIT 1',
      ),
      kvGet: this.db.prepare<[Buffer], { value: Buffer }>('SELECT value FROM kv WHERE key = ?'),
      kvPut: this.db.prepare<[Buffer, Buffer]>(
        'INSERT OR REPLACE INTO kv (key, value) VALUES (?, ?)',
      ),
      kvDelete: this.db.prepare<[Buffer]>('DELETE FROM kv WHERE key = ?'),
      logAppend: this.db.prepare<[bigint, Buffer]>(
        'INSERT INTO meta_log (ts_ns, data) VALUES (?, ?)',
      ),
      logRead: this.db
        .prepare<[bigint, bigint, number], { ts_ns: bigint; data: Buffer }>(
          'SELECT ts_ns, data FROM meta_log WHERE ts_ns > ? AND ts_ns <= ? ORDER BY ts_ns LIMIT ?',
        )
        .safeIntegers(true),
      logHead: this.db
        .prepare<[], { ts: bigint | null }>('SELECT max(ts_ns) AS ts FROM meta_log')
        .safeIntegers(true),
    }
  }

  getEntry(directory: string, name: string): Buffer | undefined {
    return this.stmt.get.get(directory, name)?.meta
  }

  putEntry(directory: string, name: string, meta: Uint8Array): void {
    this.stmt.put.run(directory, name, Buffer.from(meta.buffer, meta.byteOffset, meta.byteLength))
  }

  deleteEntry(directory: string, name: string): void {
    this.stmt.delete.run(directory, name)
  }

  /** Up to `limit` children of `directory` in byte order, after (or from) `start`. */
  listEntries(directory: string, start: string, inclusive: boolean, limit: number): EntryRow[] {
    return (inclusive ? this.stmt.listFrom : this.stmt.listAfter).all(directory, start, limit)
  }

  hasChildren(directory: string): boolean {
    return this.stmt.hasChildren.get(directory) !== undefined
  }

  kvGet(key: Buffer): Buffer | undefined {
    return this.stmt.kvGet.get(key)?.value
  }

  /** An empty value deletes the key, as SeaweedFS's KvPut does. */
  kvPut(key: Buffer, value: Buffer): void {
    if (value.length === 0) this.stmt.kvDelete.run(key)
    else this.stmt.kvPut.run(key, value)
  }

  appendLog(tsNs: bigint, data: Uint8Array): void {
    this.stmt.logAppend.run(tsNs, Buffer.from(data.buffer, data.byteOffset, data.byteLength))
  }

  /** Log rows strictly after `sinceNs` and at most `untilNs` (the committed head), oldest first. */
  readLog(sinceNs: bigint, untilNs: bigint, limit: number): LogRow[] {
    return this.stmt.logRead
      .all(sinceNs, untilNs, limit)
      .map((r) => ({ tsNs: r.ts_ns, data: r.data }))
  }

  /** Newest logged ts, 0n for an empty log. */
  logHeadNs(): bigint {
    return this.stmt.logHead.get()?.ts ?? 0n
  }

  /**
   * Group commit: run `fn` atomically (a savepoint: a throw undoes only `fn`) inside the open
   * group transaction, and resolve `committed` once that group's COMMIT is done. A group is
   * committed on the next turn of the event loop, or as soon as it holds {@link GROUP_LIMIT}
   * mutations: concurrent requests share one commit instead of paying one each. Callers must not
   * acknowledge a mutation before `committed` resolves.
   */
  mutate<T>(fn: () => T): { value: T; committed: Promise<void> } {
    if (this.group === undefined) {
      this.db.exec('BEGIN')
      this.group = []
      setImmediate(() => this.commitGroup())
    }
    // Nested better-sqlite3 transactions are savepoints.
    const value = this.db.transaction(fn)()
    const committed = new Promise<void>((resolve, reject) => this.group!.push({ resolve, reject }))
    if (this.group.length >= GROUP_LIMIT) this.commitGroup()
    return { value, committed }
  }

  /** Run `listener` after every successful group commit. */
  onCommit(listener: () => void): void {
    this.commitListeners.push(listener)
  }

  private commitGroup(): void {
    const group = this.group
    if (group === undefined) return
    this.group = undefined
    try {
      this.db.exec('COMMIT')
    } catch (err) {
      if (this.db.inTransaction) this.db.exec('ROLLBACK')
      for (const waiter of group) waiter.reject(err)
      return
    }
    for (const listener of this.commitListeners) listener()
    for (const waiter of group) waiter.resolve()
  }

  close(): void {
    this.commitGroup()
    this.db.close()
  }
}
