/**
 * The `db` plugin: the server's one better-sqlite3 connection to the state database, migrated to
 * the latest schema before anything else starts, and closed when the server closes (STYLE.md §8).
 * Routes and later plugins reach it only as `app.db` (declare `dependencies: ['db']`).
 */
import { mkdirSync } from 'node:fs'
import { dirname } from 'node:path'
import Database from 'better-sqlite3'
import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import { migrate } from '../db/migrate.js'

declare module 'fastify' {
  interface FastifyInstance {
    /** The state database (WAL, foreign keys on), at the latest schema. */
    db: Database.Database
  }
}

export interface DbPluginOptions {
  /** The SQLite file (its directory is created when missing), or `:memory:`. */
  readonly file: string
  /** How long a statement waits for another connection's lock before `SQLITE_BUSY`. Default 5 s. */
  readonly busyTimeoutMs?: number
}

/** Opens, configures and migrates the database; exported for tests that need only the database. */
export function openDatabase({ file, busyTimeoutMs = 5000 }: DbPluginOptions): {
  db: Database.Database
  migrated: ReturnType<typeof migrate>
} {
  if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true })
  const db = new Database(file, { timeout: busyTimeoutMs })
  try {
    // WAL: readers never block the writer (the API reads while samples are written).
    db.pragma('journal_mode = WAL')
    // NORMAL is durable in WAL mode except for the last commits on power loss: fine for state
    // that replicators rebuild from the filers' checkpoints.
    db.pragma('synchronous = NORMAL')
    // SQLite leaves foreign keys off unless asked, per connection.
    db.pragma('foreign_keys = ON')
    db.pragma(`busy_timeout = ${busyTimeoutMs}`)
    return { db, migrated: migrate(db) }
  } catch (error) {
    db.close()
    throw error
  }
}

async function dbPlugin(app: FastifyInstance, options: DbPluginOptions): Promise<void> {
  const { db, migrated } = openDatabase(options)
  app.log.info(
    { file: options.file, schemaVersion: migrated.to, applied: migrated.applied },
    migrated.applied.length > 0 ? 'database migrated' : 'database opened',
  )
  app.decorate('db', db)
  app.addHook('onClose', async () => {
    db.close()
  })
}

export default fp(dbPlugin, { name: 'db', fastify: '5.x' })
