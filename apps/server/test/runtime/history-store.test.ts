import { afterEach, describe, expect, it } from 'vitest'
import { openDatabase } from '../../src/plugins/db.js'
import {
  DownsampleDefaults,
  HistoryStore,
  type SampleRow,
} from '../../src/runtime/history-store.js'

const MIN = 60_000
const HOUR = 60 * MIN
const DAY = 24 * HOUR
const NOW = 1_700_000_000_000 - (1_700_000_000_000 % DAY) // a day boundary: buckets line up

const { db } = openDatabase({ file: ':memory:' })
afterEach(() => {
  db.exec('DELETE FROM edge_samples; DELETE FROM edges; DELETE FROM clusters')
})

function seed(): HistoryStore {
  db.prepare(
    `INSERT INTO clusters (id, name, addresses, created_at, updated_at)
     VALUES ('a', 'A', '["h:1"]', 0, 0), ('b', 'B', '["h:2"]', 0, 0)`,
  ).run()
  db.prepare(
    `INSERT INTO edges (id, a_cluster, a_path, b_cluster, b_path, mode, created_at, updated_at)
     VALUES ('e', 'a', '/', 'b', '/', 'one-way', 0, 0)`,
  ).run()
  return new HistoryStore(db)
}

const row = (tsMs: number, lagMs: number, edgeId = 'e'): SampleRow => ({
  edgeId,
  direction: 'a-b',
  tsMs,
  lagMs,
  appliedNs: '1',
  headNs: '2',
  backlog: 0,
  eventsPerSecond: 0,
  bytesPerSecond: 0,
  state: 'in-sync',
})

describe('HistoryStore', () => {
  it('skips samples of edges deleted meanwhile instead of failing the batch', () => {
    const store = seed()
    store.write([row(NOW, 1), row(NOW, 1, 'gone')])
    expect(store.query('e', 0, NOW, 10)).toHaveLength(1)
  })

  it('keeps fresh samples, one per minute after an hour (the largest lag), one per 10 min after a day', () => {
    const store = seed()
    const rows: SampleRow[] = []
    // Every 5 s over the last 30 minutes: untouched.
    for (let t = NOW - 30 * MIN; t < NOW; t += 5000) rows.push(row(t, 1))
    // Every 5 s in one minute two hours ago, with a spike at 20 s.
    const twoHoursAgo = NOW - 2 * HOUR
    for (let s = 0; s < 60; s += 5) rows.push(row(twoHoursAgo + s * 1000, s === 20 ? 900 : 10))
    // Every minute over 30 minutes two days ago.
    for (let m = 0; m < 30; m++) rows.push(row(NOW - 2 * DAY + m * MIN, m))
    // Older than the retention.
    rows.push(row(NOW - 8 * DAY, 5))
    store.write(rows)

    store.compact(NOW, 7, DownsampleDefaults)
    const kept = store.query('e', 0, NOW, 10_000)
    expect(kept.filter((r) => r.tsMs >= NOW - 30 * MIN)).toHaveLength(360)
    expect(kept.filter((r) => r.tsMs >= twoHoursAgo && r.tsMs < twoHoursAgo + MIN)).toEqual([
      row(twoHoursAgo + 20_000, 900),
    ])
    // 30 minutes at one per 10 minutes: 3 rows, each its bucket's largest lag.
    expect(kept.filter((r) => r.tsMs < NOW - DAY).map((r) => r.lagMs)).toEqual([9, 19, 29])
    // Idempotent.
    expect(store.compact(NOW, 7, DownsampleDefaults)).toBe(0)
  })

  it('queries a range, oldest first, at most `limit` rows', () => {
    const store = seed()
    store.write([row(NOW - 3000, 3), row(NOW - 2000, 2), row(NOW - 1000, 1)])
    expect(store.query('e', NOW - 2500, NOW, 10).map((r) => r.lagMs)).toEqual([2, 1])
    expect(store.query('e', 0, NOW, 2).map((r) => r.lagMs)).toEqual([3, 2])
  })
})
