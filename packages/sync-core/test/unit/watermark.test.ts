import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { SyncError } from '../../src/errors.js'
import {
  compareWatermarkKeys,
  Watermark,
  type WatermarkKey,
} from '../../src/scheduler/watermark.js'

const k = (ts: number, seq = 0): WatermarkKey => ({ tsNs: BigInt(ts), seq })

describe('Watermark (filer-sync-protocol.md §4.4, §12 item 9)', () => {
  it('starts at the checkpoint and empty markers never touch it', () => {
    // TestMetadataProcessorEmptyMarkerKeepsWatermarkStale: markers are never started.
    const w = new Watermark(1_000_000_000n)
    expect(w.value()).toBe(1_000_000_000n)
    expect(w.pendingCount).toBe(0)
    expect(w.oldestUnfinished()).toBeUndefined()
  })

  it('TestWatermarkWithHeap: advances only when the oldest job finishes', () => {
    const w = new Watermark(0n)
    for (const ts of [10, 20, 30]) w.start(k(ts))
    expect(w.oldestUnfinished()).toEqual(k(10))
    w.finish(k(20))
    expect(w.value()).toBe(0n)
    expect(w.oldestUnfinished()).toEqual(k(10))
    w.finish(k(10))
    // Go would stop at 10; we go to the largest finished ts below the oldest unfinished (30).
    expect(w.value()).toBe(20n)
    expect(w.oldestUnfinished()).toEqual(k(30))
    w.finish(k(30))
    expect(w.value()).toBe(30n)
    expect(w.pendingCount).toBe(0)
  })

  it('jumps past every finished job up to the oldest unfinished one', () => {
    const w = new Watermark(5n)
    for (const ts of [10, 20, 30, 40]) w.start(k(ts))
    w.finish(k(30))
    w.finish(k(20))
    w.finish(k(10))
    expect(w.value()).toBe(30n)
  })

  it('TestFailedJobHoldsWatermark: a failed job holds it while later jobs finish', () => {
    const w = new Watermark(0n)
    for (const ts of [10, 20, 30]) w.start(k(ts))
    w.finish(k(10))
    w.fail(k(20))
    w.finish(k(30))
    expect(w.value()).toBe(10n)
    expect(w.failedKeys()).toEqual([k(20)])
    expect(w.oldestUnfinished()).toEqual(k(20))
    expect(w.pendingCount).toBe(1)
    // A successful retry releases it.
    w.finish(k(20))
    expect(w.value()).toBe(30n)
    expect(w.failedKeys()).toEqual([])
  })

  it('TestFailedJobHoldsWatermarkAtOldestFailure: skip releases only up to the next failure', () => {
    const w = new Watermark(0n)
    for (const ts of [10, 20, 30, 40, 50]) w.start(k(ts))
    w.fail(k(20))
    w.fail(k(40))
    for (const ts of [10, 30, 50]) w.finish(k(ts))
    expect(w.value()).toBe(10n)
    expect(w.failedKeys()).toEqual([k(20), k(40)])
    w.skip(k(20))
    expect(w.value()).toBe(30n)
    expect(w.failedKeys()).toEqual([k(40)])
    w.skip(k(40))
    expect(w.value()).toBe(50n)
  })

  it('a retried failure can be started again and is running, not failed', () => {
    const w = new Watermark(0n)
    w.start(k(10))
    w.fail(k(10))
    w.start(k(10))
    expect(w.failedKeys()).toEqual([])
    expect(() => w.skip(k(10))).toThrow(SyncError)
    w.finish(k(10))
    expect(w.value()).toBe(10n)
  })

  it('never passes an unfinished job sharing its ts (Go collides same-ts jobs)', () => {
    const w = new Watermark(0n)
    w.start(k(5))
    w.start(k(10, 1))
    w.start(k(10, 2))
    w.finish(k(10, 1))
    w.finish(k(5))
    // (10, 2) is still running: saving 10 would skip it on resume.
    expect(w.value()).toBe(5n)
    w.finish(k(10, 2))
    expect(w.value()).toBe(10n)
  })

  it('same ts, lower seq still running holds a finished higher seq', () => {
    const w = new Watermark(0n)
    w.start(k(10, 1))
    w.start(k(10, 2))
    w.finish(k(10, 2))
    expect(w.value()).toBe(0n)
    w.finish(k(10, 1))
    expect(w.value()).toBe(10n)
  })

  it('never moves backwards on late (out-of-order) events, and they freeze it', () => {
    const w = new Watermark(0n)
    w.start(k(50))
    w.finish(k(50))
    expect(w.value()).toBe(50n)
    w.start(k(30, 1)) // late
    w.start(k(60, 2))
    w.finish(k(60, 2))
    expect(w.value()).toBe(50n)
    w.finish(k(30, 1))
    expect(w.value()).toBe(60n)
    const floor = new Watermark(100n)
    floor.start(k(40))
    floor.finish(k(40))
    expect(floor.value()).toBe(100n)
  })

  it('rejects caller bugs with SYNC_ERR_INTERNAL', () => {
    const w = new Watermark(0n)
    const internal = expect.objectContaining({ code: 'SYNC_ERR_INTERNAL' }) as SyncError
    expect(() => w.finish(k(1))).toThrow(internal)
    expect(() => w.fail(k(1))).toThrow(internal)
    expect(() => w.skip(k(1))).toThrow(internal)
    expect(() => w.start({ tsNs: 1n, seq: 0.5 })).toThrow(internal)
    w.start(k(1))
    expect(() => w.start(k(1))).toThrow(internal)
    expect(() => w.skip(k(1))).toThrow(internal) // running, not failed
    w.finish(k(1))
    expect(() => w.finish(k(1))).toThrow(internal)
  })

  it('compareWatermarkKeys orders by ts, then seq', () => {
    const keys = [k(2, 0), k(1, 5), k(2, -1), k(1, 1)]
    expect(keys.sort(compareWatermarkKeys)).toEqual([k(1, 1), k(1, 5), k(2, -1), k(2, 0)])
  })
})

// ---- Property: the watermark equals a brute-force model after every operation. ----

type Op = { op: 'start'; ts: number } | { op: 'finish' | 'fail' | 'skip' | 'restart'; pick: number }

const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ op: fc.constant('start' as const), ts: fc.nat(20) }) },
  {
    weight: 5,
    arbitrary: fc.record({
      op: fc.constantFrom('finish' as const, 'fail' as const, 'skip' as const, 'restart' as const),
      pick: fc.nat(),
    }),
  },
)

interface ModelJob {
  key: WatermarkKey
  state: 'running' | 'failed' | 'done'
}

/**
 * The definition, recomputed from scratch: the largest done ts such that no unfinished job has a
 * ts at or below it, never below the previous value (or the initial one).
 */
function modelValue(jobs: readonly ModelJob[], previous: bigint): bigint {
  const unfinished = jobs.filter((j) => j.state !== 'done').map((j) => j.key.tsNs)
  const oldest = unfinished.length === 0 ? undefined : unfinished.reduce((a, b) => (a < b ? a : b))
  let best = previous
  for (const j of jobs) {
    if (j.state !== 'done') continue
    if ((oldest === undefined || j.key.tsNs < oldest) && j.key.tsNs > best) best = j.key.tsNs
  }
  return best
}

describe('Watermark (fast-check)', () => {
  it('matches the reference model, never decreases and never covers an unfinished job', () => {
    fc.assert(
      fc.property(fc.nat(5), fc.array(opArb, { maxLength: 60 }), (initial, ops) => {
        const w = new Watermark(BigInt(initial))
        const jobs: ModelJob[] = []
        let expected = BigInt(initial)
        let seq = 0
        for (const op of ops) {
          const before = w.value()
          if (op.op === 'start') {
            const key = k(op.ts, seq++)
            jobs.push({ key, state: 'running' })
            w.start(key)
          } else {
            const wanted = op.op === 'skip' || op.op === 'restart' ? 'failed' : undefined
            const candidates = jobs.filter((j) =>
              wanted === undefined ? j.state !== 'done' : j.state === wanted,
            )
            const job = candidates[op.pick % Math.max(candidates.length, 1)]
            if (job === undefined) continue
            if (op.op === 'finish' || op.op === 'skip') job.state = 'done'
            else if (op.op === 'fail') job.state = 'failed'
            else job.state = 'running'
            if (op.op === 'restart') w.start(job.key)
            else w[op.op](job.key)
          }
          expected = modelValue(jobs, expected)
          expect(w.value()).toBe(expected)
          expect(w.value() >= before).toBe(true)
          const pending = jobs.filter((j) => j.state !== 'done')
          expect(w.pendingCount).toBe(pending.length)
          const failed = pending.filter((j) => j.state === 'failed').map((j) => j.key)
          expect(w.failedKeys()).toEqual(failed.sort(compareWatermarkKeys))
          const oldest = pending.map((j) => j.key).sort(compareWatermarkKeys)[0]
          expect(w.oldestUnfinished()).toEqual(oldest)
        }
        // Liveness: once everything is done, the watermark covers every started job.
        for (const j of jobs) {
          if (j.state === 'failed') w.skip(j.key)
          else if (j.state === 'running') w.finish(j.key)
        }
        const maxTs = jobs.reduce((m, j) => (j.key.tsNs > m ? j.key.tsNs : m), BigInt(initial))
        expect(w.value()).toBe(maxTs)
        expect(w.oldestUnfinished()).toBeUndefined()
      }),
      { numRuns: 500 },
    )
  })

  it('with in-order timestamps, no unfinished job is ever at or below the watermark', () => {
    fc.assert(
      fc.property(
        fc.array(fc.nat(3), { minLength: 1, maxLength: 40 }),
        fc.array(fc.tuple(fc.nat(), fc.boolean()), { maxLength: 80 }),
        (gaps, actions) => {
          // Non-decreasing timestamps (shared ones included), as the stream usually delivers.
          let ts = 1
          const keys = gaps.map((gap, seq) => k((ts += gap), seq))
          const w = new Watermark(0n)
          for (const key of keys) w.start(key)
          const pending = new Map(keys.map((key) => [`${key.tsNs}:${key.seq}`, key]))
          for (const [pick, fail] of actions) {
            const list = [...pending.values()]
            const key = list[pick % Math.max(list.length, 1)]
            if (key === undefined) break
            if (fail) w.fail(key)
            else {
              w.finish(key)
              pending.delete(`${key.tsNs}:${key.seq}`)
            }
            for (const p of pending.values()) expect(p.tsNs > w.value()).toBe(true)
          }
        },
      ),
    )
  })
})
