/**
 * The `audit_log` table: one row per committed topology change (who, what, when). Append-only
 * from the topology service, inside the change's own transaction.
 */
import type { Database, Statement } from 'better-sqlite3'

/** One audit row. `details` is a JSON object (never secrets such as TLS keys). */
export interface AuditRecord {
  readonly id: number
  readonly tsMs: number
  /** Who made the change, e.g. `api:127.0.0.1` or `demo`. */
  readonly actor: string
  /** What kind of change, e.g. `cluster.create`, `edge.update`, `topology.replace`. */
  readonly action: string
  readonly details: Readonly<Record<string, unknown>>
}

interface AuditRow {
  id: number
  ts_ms: number
  actor: string
  action: string
  details: string
}

export class AuditRepository {
  private readonly appendStatement: Statement<[number, string, string, string]>
  private readonly listStatement: Statement<[number], AuditRow>

  constructor(db: Database) {
    this.appendStatement = db.prepare(
      'INSERT INTO audit_log (ts_ms, actor, action, details) VALUES (?, ?, ?, ?)',
    )
    this.listStatement = db.prepare(
      'SELECT id, ts_ms, actor, action, details FROM audit_log ORDER BY id DESC LIMIT ?',
    )
  }

  /** Appends a row and returns its id. */
  append(entry: Omit<AuditRecord, 'id'>): number {
    const result = this.appendStatement.run(
      entry.tsMs,
      entry.actor,
      entry.action,
      JSON.stringify(entry.details),
    )
    return Number(result.lastInsertRowid)
  }

  /** The newest `limit` rows, newest first. */
  list(limit = 100): AuditRecord[] {
    return this.listStatement.all(limit).map((row) => ({
      id: row.id,
      tsMs: row.ts_ms,
      actor: row.actor,
      action: row.action,
      details: JSON.parse(row.details) as Record<string, unknown>,
    }))
  }
}
