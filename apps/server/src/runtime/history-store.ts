/**
 * Lag history in the `edge_samples` table: one row per edge direction per sample (every 5 s by
 * default), thinned as it ages and deleted after the retention period.
 *
 * Down-sampling keeps, per bucket of a tier, the row with the largest lag (ties: the oldest), so
 * spikes survive and the dashboard's "how far behind was it" stays true. Default tiers: rows older
 * than 1 hour keep one per minute, older than 1 day one per 10 minutes. Retention deletes rows
 * older than `historyRetentionDays`. Deleting an edge deletes its rows (ON DELETE CASCADE).
 */
import type Database from 'better-sqlite3'
import type { DirectionName } from './edge-spec.js'
import type { LagState } from './lag-state.js'

/** One tier of down-sampling: rows older than `olderThanMs` keep one per `bucketMs`. */
export interface DownsampleTier {
  readonly olderThanMs: number
  readonly bucketMs: number
}

export const DownsampleDefaults: readonly DownsampleTier[] = Object.freeze([
  Object.freeze({ olderThanMs: 60 * 60_000, bucketMs: 60_000 }),
  Object.freeze({ olderThanMs: 24 * 60 * 60_000, bucketMs: 10 * 60_000 }),
])

/** One sample as stored. */
export interface SampleRow {
  readonly edgeId: string
  readonly direction: DirectionName
  readonly tsMs: number
  readonly lagMs: number | null
  readonly appliedNs: string | null
  readonly headNs: string | null
  readonly backlog: number | null
  readonly eventsPerSecond: number | null
  readonly bytesPerSecond: number | null
  readonly state: LagState
}

interface DbRow {
  edge_id: string
  direction: string
  ts_ms: number
  lag_ms: number | null
  applied_ns: string | null
  head_ns: string | null
  backlog: number | null
  events_per_s: number | null
  bytes_per_s: number | null
  state: string
}

const DAY_MS = 24 * 60 * 60_000

export class HistoryStore {
  private readonly insert: Database.Statement<DbRow>
  private readonly select: Database.Statement<[string, number, number, number], DbRow>
  private readonly deleteOld: Database.Statement<[number]>
  private readonly downsample: Database.Statement<{ cut: number; bucket: number }>
  private readonly writeAll: (rows: readonly SampleRow[]) => void

  constructor(private readonly db: Database.Database) {
    // INSERT … SELECT … WHERE EXISTS: an edge deleted since the status was read is skipped
    // instead of failing the whole batch on its foreign key.
    this.insert = db.prepare(/* sql */ `
      INSERT OR REPLACE INTO edge_samples
        (edge_id, direction, ts_ms, lag_ms, applied_ns, head_ns, backlog, events_per_s,
         bytes_per_s, state)
      SELECT @edge_id, @direction, @ts_ms, @lag_ms, @applied_ns, @head_ns, @backlog,
             @events_per_s, @bytes_per_s, @state
      WHERE EXISTS (SELECT 1 FROM edges WHERE id = @edge_id)`)
    this.select = db.prepare(/* sql */ `
      SELECT edge_id, direction, ts_ms, lag_ms, applied_ns, head_ns, backlog, events_per_s,
             bytes_per_s, state
      FROM edge_samples
      WHERE edge_id = ? AND ts_ms >= ? AND ts_ms <= ?
      ORDER BY ts_ms, direction
      LIMIT ?`)
    this.deleteOld = db.prepare('DELETE FROM edge_samples WHERE ts_ms < ?')
    this.downsample = db.prepare(/* sql */ `
      DELETE FROM edge_samples
      WHERE ts_ms < @cut
        AND (edge_id, direction, ts_ms) NOT IN (
          SELECT edge_id, direction, ts_ms FROM (
            SELECT edge_id, direction, ts_ms,
                   row_number() OVER (
                     PARTITION BY edge_id, direction, ts_ms / CAST(@bucket AS INTEGER)
                     ORDER BY lag_ms DESC, ts_ms
                   ) AS rank
            FROM edge_samples
            WHERE ts_ms < @cut
          )
          WHERE rank = 1
        )`)
    this.writeAll = db.transaction((rows: readonly SampleRow[]) => {
      for (const row of rows) this.insert.run(toDb(row))
    })
  }

  /** Stores samples in one transaction (rows of deleted edges are skipped). */
  write(rows: readonly SampleRow[]): void {
    if (rows.length > 0) this.writeAll(rows)
  }

  /**
   * Deletes rows older than `retentionDays` and thins older rows by `tiers`. Returns the number
   * of rows deleted.
   */
  compact(nowMs: number, retentionDays: number, tiers: readonly DownsampleTier[]): number {
    return this.db.transaction(() => {
      let deleted = this.deleteOld.run(nowMs - retentionDays * DAY_MS).changes
      for (const tier of tiers) {
        deleted += this.downsample.run({
          cut: nowMs - tier.olderThanMs,
          bucket: tier.bucketMs,
        }).changes
      }
      return deleted
    })()
  }

  /** Samples of one edge in `[fromMs, toMs]`, oldest first, at most `limit`. */
  query(edgeId: string, fromMs: number, toMs: number, limit: number): SampleRow[] {
    return this.select.all(edgeId, fromMs, toMs, limit).map(fromDb)
  }
}

function toDb(row: SampleRow): DbRow {
  return {
    edge_id: row.edgeId,
    direction: row.direction,
    ts_ms: row.tsMs,
    lag_ms: row.lagMs,
    applied_ns: row.appliedNs,
    head_ns: row.headNs,
    backlog: row.backlog,
    events_per_s: row.eventsPerSecond,
    bytes_per_s: row.bytesPerSecond,
    state: row.state,
  }
}

function fromDb(row: DbRow): SampleRow {
  return {
    edgeId: row.edge_id,
    direction: row.direction as DirectionName,
    tsMs: row.ts_ms,
    lagMs: row.lag_ms,
    appliedNs: row.applied_ns,
    headNs: row.head_ns,
    backlog: row.backlog,
    eventsPerSecond: row.events_per_s,
    bytesPerSecond: row.bytes_per_s,
    state: row.state as LagState,
  }
}
