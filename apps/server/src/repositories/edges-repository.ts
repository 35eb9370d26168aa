/**
 * The `edges` table: prepared statements over one better-sqlite3 connection, rows mapped to
 * {@link EdgeRecord} (JSON columns parsed, 0/1 as booleans), `null` for not-found. No policy here:
 * the topology service validates (loops included) and decides, inside its own transaction.
 */
import type { Database, Statement } from 'better-sqlite3'
import type { EdgeMode, EdgeOptions } from '../schemas/edges.js'

/** One endpoint of a stored edge; `path` and `excludes` are in normal form. */
export interface EdgeSideRecord {
  readonly cluster: string
  readonly path: string
  readonly excludes: readonly string[]
}

/** A stored edge. */
export interface EdgeRecord {
  readonly id: string
  readonly a: EdgeSideRecord
  readonly b: EdgeSideRecord
  readonly mode: EdgeMode
  /** Only the options given; absent ones take sync-core's defaults. */
  readonly options: EdgeOptions
  readonly paused: boolean
  readonly createdAtMs: number
  readonly updatedAtMs: number
}

/** One row of the `edges` table, as SQLite stores it (JSON text for lists and options). */
export interface EdgeRow {
  id: string
  a_cluster: string
  a_path: string
  a_excludes: string
  b_cluster: string
  b_path: string
  b_excludes: string
  mode: string
  options: string
  paused: number
  created_at: number
  updated_at: number
}

const COLUMNS =
  'id, a_cluster, a_path, a_excludes, b_cluster, b_path, b_excludes, mode, options, paused, ' +
  'created_at, updated_at'

export class EdgesRepository {
  private readonly listStatement: Statement<[], EdgeRow>
  private readonly listByClusterStatement: Statement<[string, string], EdgeRow>
  private readonly getStatement: Statement<[string], EdgeRow>
  private readonly insertStatement: Statement<EdgeRow>
  private readonly updateStatement: Statement<EdgeRow>
  private readonly deleteStatement: Statement<[string]>

  constructor(db: Database) {
    this.listStatement = db.prepare(`SELECT ${COLUMNS} FROM edges ORDER BY created_at, id`)
    this.listByClusterStatement = db.prepare(
      `SELECT ${COLUMNS} FROM edges WHERE a_cluster = ? OR b_cluster = ? ORDER BY created_at, id`,
    )
    this.getStatement = db.prepare(`SELECT ${COLUMNS} FROM edges WHERE id = ?`)
    this.insertStatement = db.prepare(
      `INSERT INTO edges (${COLUMNS}) VALUES (@id, @a_cluster, @a_path, @a_excludes, ` +
        '@b_cluster, @b_path, @b_excludes, @mode, @options, @paused, @created_at, @updated_at)',
    )
    this.updateStatement = db.prepare(
      'UPDATE edges SET a_cluster = @a_cluster, a_path = @a_path, a_excludes = @a_excludes, ' +
        'b_cluster = @b_cluster, b_path = @b_path, b_excludes = @b_excludes, mode = @mode, ' +
        'options = @options, paused = @paused, created_at = @created_at, ' +
        'updated_at = @updated_at WHERE id = @id',
    )
    this.deleteStatement = db.prepare('DELETE FROM edges WHERE id = ?')
  }

  /** Every edge, oldest first. */
  list(): EdgeRecord[] {
    return this.listStatement.all().map(fromRow)
  }

  /** The edges with a side on `clusterId`, oldest first. */
  listByCluster(clusterId: string): EdgeRecord[] {
    return this.listByClusterStatement.all(clusterId, clusterId).map(fromRow)
  }

  get(id: string): EdgeRecord | null {
    const row = this.getStatement.get(id)
    return row === undefined ? null : fromRow(row)
  }

  insert(edge: EdgeRecord): void {
    this.insertStatement.run(toRow(edge))
  }

  /** Overwrites the edge with `edge.id`; false when there is none. */
  update(edge: EdgeRecord): boolean {
    return this.updateStatement.run(toRow(edge)).changes > 0
  }

  /** False when there was none. Its lag history goes with it (ON DELETE CASCADE). */
  delete(id: string): boolean {
    return this.deleteStatement.run(id).changes > 0
  }
}

function fromRow(row: EdgeRow): EdgeRecord {
  return {
    id: row.id,
    a: {
      cluster: row.a_cluster,
      path: row.a_path,
      excludes: JSON.parse(row.a_excludes) as string[],
    },
    b: {
      cluster: row.b_cluster,
      path: row.b_path,
      excludes: JSON.parse(row.b_excludes) as string[],
    },
    // The table's CHECK admits only these two.
    mode: row.mode as EdgeMode,
    options: JSON.parse(row.options) as EdgeOptions,
    paused: row.paused === 1,
    createdAtMs: row.created_at,
    updatedAtMs: row.updated_at,
  }
}

function toRow(edge: EdgeRecord): EdgeRow {
  return {
    id: edge.id,
    a_cluster: edge.a.cluster,
    a_path: edge.a.path,
    a_excludes: JSON.stringify(edge.a.excludes),
    b_cluster: edge.b.cluster,
    b_path: edge.b.path,
    b_excludes: JSON.stringify(edge.b.excludes),
    mode: edge.mode,
    options: JSON.stringify(edge.options),
    paused: edge.paused ? 1 : 0,
    created_at: edge.createdAtMs,
    updated_at: edge.updatedAtMs,
  }
}
