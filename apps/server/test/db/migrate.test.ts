import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { describe, expect, it, onTestFinished } from 'vitest'
import { migrate, userVersion } from '../../src/db/migrate.js'
import { migrations } from '../../src/db/migrations.js'
import { openDatabase } from '../../src/plugins/db.js'

const LATEST = migrations.length

function memoryDb(): Database.Database {
  const db = new Database(':memory:')
  db.pragma('foreign_keys = ON')
  onTestFinished(() => void db.close())
  return db
}

async function tempFile(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'seasync-migrate-'))
  onTestFinished(() => rm(dir, { recursive: true, force: true }))
  return join(dir, 'state', 'seasync.db')
}

function tables(db: Database.Database): string[] {
  return db
    .prepare<[], { name: string }>(
      "SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name",
    )
    .all()
    .map((row) => row.name)
}

const NOW = 1_700_000_000_000

function insertCluster(db: Database.Database, id: string): void {
  db.prepare(
    'INSERT INTO clusters (id, name, addresses, created_at, updated_at) VALUES (?, ?, ?, ?, ?)',
  ).run(id, `cluster ${id}`, JSON.stringify(['127.0.0.1:8888']), NOW, NOW)
}

function insertEdge(db: Database.Database, id: string, a: string, b: string): void {
  db.prepare(
    `INSERT INTO edges (id, a_cluster, a_path, b_cluster, b_path, mode, created_at, updated_at)
     VALUES (?, ?, '/', ?, '/', 'active-active', ?, ?)`,
  ).run(id, a, b, NOW, NOW)
}

describe('migrate', () => {
  it('brings a fresh database to the latest version with every table', () => {
    const db = memoryDb()
    expect(userVersion(db)).toBe(0)
    expect(migrate(db)).toEqual({ from: 0, to: LATEST, applied: migrations.map((m) => m.version) })
    expect(userVersion(db)).toBe(LATEST)
    expect(tables(db)).toEqual(['audit_log', 'clusters', 'edge_samples', 'edges'])
  })

  it('does nothing when run again, also on a reopened file', async () => {
    const file = await tempFile()
    openDatabase({ file }).db.close()
    const { db, migrated } = openDatabase({ file })
    onTestFinished(() => void db.close())
    expect(migrated).toEqual({ from: LATEST, to: LATEST, applied: [] })
    expect(migrate(db)).toEqual({ from: LATEST, to: LATEST, applied: [] })
  })

  it('opens files in WAL mode with foreign keys on', async () => {
    const { db } = openDatabase({ file: await tempFile() })
    onTestFinished(() => void db.close())
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal')
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1)
    expect(db.pragma('busy_timeout', { simple: true })).toBe(5000)
  })

  it('enforces foreign keys: no edge to a missing cluster, no deleting a cluster with edges', () => {
    const db = memoryDb()
    migrate(db)
    insertCluster(db, 'a')
    expect(() => insertEdge(db, 'e1', 'a', 'missing')).toThrow(/FOREIGN KEY constraint failed/)
    insertCluster(db, 'b')
    insertEdge(db, 'e1', 'a', 'b')
    expect(() => db.prepare("DELETE FROM clusters WHERE id = 'a'").run()).toThrow(
      /FOREIGN KEY constraint failed/,
    )
    db.prepare(
      "INSERT INTO edge_samples (edge_id, direction, ts_ms, state) VALUES ('e1', 'a-b', ?, 'in sync')",
    ).run(NOW)
    db.prepare("DELETE FROM edges WHERE id = 'e1'").run()
    expect(db.prepare('SELECT count(*) AS n FROM edge_samples').get()).toEqual({ n: 0 })
    db.prepare("DELETE FROM clusters WHERE id = 'a'").run()
  })

  it('checks columns: mode, JSON, STRICT types, unique names', () => {
    const db = memoryDb()
    migrate(db)
    insertCluster(db, 'a')
    insertCluster(db, 'b')
    expect(() =>
      db
        .prepare(
          `INSERT INTO edges (id, a_cluster, a_path, b_cluster, b_path, mode, created_at, updated_at)
           VALUES ('e', 'a', '/', 'b', '/', 'two-way', 0, 0)`,
        )
        .run(),
    ).toThrow(/CHECK constraint failed/)
    expect(() =>
      db
        .prepare(
          "INSERT INTO clusters (id, name, addresses, created_at, updated_at) VALUES ('c', 'c', 'x', 0, 0)",
        )
        .run(),
    ).toThrow(/CHECK constraint failed/)
    expect(() =>
      db
        .prepare(
          "INSERT INTO clusters (id, name, addresses, created_at, updated_at) VALUES ('c', 'cluster a', '[]', 0, 0)",
        )
        .run(),
    ).toThrow(/UNIQUE constraint failed: clusters.name/)
    expect(() =>
      db
        .prepare(
          "INSERT INTO audit_log (ts_ms, actor, action) VALUES ('yesterday', 'api', 'cluster.create')",
        )
        .run(),
    ).toThrow(/cannot store TEXT value in INTEGER column/)
  })

  it('rolls a failing migration back entirely and names it', () => {
    const db = memoryDb()
    const broken = [
      ...migrations,
      { version: LATEST + 1, name: 'broken', sql: 'CREATE TABLE t (x); SELECT * FROM missing;' },
    ]
    expect(() => migrate(db, broken)).toThrow(`migration ${LATEST + 1} (broken) failed`)
    expect(userVersion(db)).toBe(LATEST)
    expect(tables(db)).not.toContain('t')
  })

  it('refuses a database newer than the code', () => {
    const db = memoryDb()
    db.pragma(`user_version = ${LATEST + 1}`)
    expect(() => migrate(db)).toThrow(
      `schema is version ${LATEST + 1}, newer than this SeaSync knows (${LATEST})`,
    )
  })

  it('refuses migrations that are not numbered 1, 2, 3, …', () => {
    const db = memoryDb()
    expect(() => migrate(db, [{ version: 2, name: 'x', sql: '' }])).toThrow(/numbered 2/)
  })
})
