/**
 * Numbered schema migrations tracked with `PRAGMA user_version` (0 on a fresh database). Each
 * migration and its version bump commit together in one transaction, so a crash leaves the
 * database at the previous version, never between two.
 */
import type { Database } from 'better-sqlite3'
import { migrations as schemaMigrations, type Migration } from './migrations.js'

/** What {@link migrate} did. */
export interface MigrationResult {
  /** `user_version` before. */
  readonly from: number
  /** `user_version` after: the latest migration's version. */
  readonly to: number
  /** Versions applied now, in order (empty when the schema was current). */
  readonly applied: readonly number[]
}

/**
 * Brings `db` to the latest schema. Throws when the database is newer than this code (a downgrade)
 * or when `migrations` are not numbered 1, 2, 3, … in order; a failing migration is rolled back
 * and rethrown with its version.
 */
export function migrate(
  db: Database,
  migrations: readonly Migration[] = schemaMigrations,
): MigrationResult {
  migrations.forEach((migration, index) => {
    if (migration.version !== index + 1) {
      throw new Error(
        `migration ${index + 1} is numbered ${migration.version}: versions must be 1, 2, 3, …`,
      )
    }
  })
  const latest = migrations.length
  const from = userVersion(db)
  if (from > latest) {
    throw new Error(
      `the database schema is version ${from}, newer than this SeaSync knows (${latest}): ` +
        'run a newer SeaSync or restore a backup of the data directory',
    )
  }
  const applied: number[] = []
  for (const migration of migrations.slice(from)) {
    const apply = db.transaction((): boolean => {
      // Another process may have migrated between our read and this transaction's write lock.
      if (userVersion(db) >= migration.version) return false
      db.exec(migration.sql)
      // user_version lives in the database header, written by this transaction's commit.
      db.pragma(`user_version = ${migration.version}`)
      return true
    })
    let ran: boolean
    try {
      // IMMEDIATE takes the write lock first: two processes cannot both migrate the same file.
      ran = apply.immediate()
    } catch (error) {
      throw new Error(`migration ${migration.version} (${migration.name}) failed`, {
        cause: error,
      })
    }
    if (ran) applied.push(migration.version)
  }
  return { from, to: latest, applied }
}

/** The database's `PRAGMA user_version`. */
export function userVersion(db: Database): number {
  return db.pragma('user_version', { simple: true }) as number
}
