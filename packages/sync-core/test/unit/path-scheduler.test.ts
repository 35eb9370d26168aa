import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { type SyncError, SyncStoppedError } from '../../src/errors.js'
import type { JobKind, JobSpec } from '../../src/scheduler/job-kind.js'
import { ActiveJobs, conflicts } from '../../src/scheduler/path-conflicts.js'
import { PathScheduler, type Release } from '../../src/scheduler/path-scheduler.js'

const file = (path: string): JobSpec => ({ kind: 'file', paths: [path] })
const dir = (path: string): JobSpec => ({ kind: 'barrierDir', paths: [path] })

/** Let every pending promise callback run (admission resolves through microtasks). */
const flush = (): Promise<void> => new Promise((resolve) => setImmediate(resolve))

interface Tracked<T> {
  done: boolean
  value?: T
  error?: unknown
}

function track<T>(promise: Promise<T>): Tracked<T> {
  const t: Tracked<T> = { done: false }
  promise.then(
    (value) => Object.assign(t, { done: true, value }),
    (error: unknown) => Object.assign(t, { done: true, error }),
  )
  return t
}

describe('PathScheduler', () => {
  it.each([0, -1, 1025, 1.5, Number.NaN, Number.POSITIVE_INFINITY])(
    'refuses concurrency %s with SYNC_ERR_OPTIONS (upstream 0 deadlocks)',
    (concurrency) => {
      expect(() => new PathScheduler(concurrency)).toThrow(
        expect.objectContaining({ code: 'SYNC_ERR_OPTIONS' }) as SyncError,
      )
    },
  )

  it.each([1, 32, 1024])('accepts concurrency %s', (concurrency) => {
    expect(new PathScheduler(concurrency).concurrency).toBe(concurrency)
  })

  it('admits at most `concurrency` jobs at once', async () => {
    const s = new PathScheduler(2)
    const a = await s.admit(file('/a'))
    await s.admit(file('/b'))
    const c = track(s.admit(file('/c')))
    await flush()
    expect(c.done).toBe(false)
    expect([s.activeCount, s.waitingCount]).toEqual([2, 1])
    a()
    await flush()
    expect(c.done).toBe(true)
    expect([s.activeCount, s.waitingCount]).toEqual([2, 0])
  })

  it('holds a conflicting job until the blocking one is released', async () => {
    const s = new PathScheduler(8)
    const d = await s.admit(dir('/a'))
    const f = track(s.admit(file('/a/x')))
    await flush()
    expect(f.done).toBe(false)
    d()
    await flush()
    expect(f.done).toBe(true)
    expect(s.activeCount).toBe(1)
  })

  it('is strictly FIFO: a blocked job blocks later runnable ones', async () => {
    const s = new PathScheduler(8)
    const order: string[] = []
    const d = await s.admit(dir('/a'))
    const blocked = s.admit(file('/a/x')).then((r) => (order.push('/a/x'), r))
    const later = s.admit(file('/b')).then((r) => (order.push('/b'), r))
    await flush()
    expect(order).toEqual([])
    expect(s.waitingCount).toBe(2)
    d()
    await Promise.all([blocked, later])
    expect(order).toEqual(['/a/x', '/b'])
  })

  it('is FIFO under the concurrency limit too', async () => {
    const s = new PathScheduler(1)
    const order: number[] = []
    const first = await s.admit(file('/0'))
    const waiting = [1, 2, 3].map((i) =>
      s.admit(file(`/${i}`)).then((release) => {
        order.push(i)
        release()
      }),
    )
    first()
    await Promise.all(waiting)
    expect(order).toEqual([1, 2, 3])
    expect(s.activeCount).toBe(0)
  })

  it('release is idempotent', async () => {
    const s = new PathScheduler(4)
    const r = await s.admit(file('/a'))
    const other = await s.admit(file('/b'))
    r()
    r()
    expect(s.activeCount).toBe(1)
    other()
    expect(s.activeCount).toBe(0)
  })

  it('aborting a waiter rejects it with SyncStoppedError and unblocks those behind it', async () => {
    const s = new PathScheduler(8)
    const d = await s.admit(dir('/a'))
    const aborter = new AbortController()
    const blocked = track(s.admit(file('/a/x'), aborter.signal))
    const behind = track(s.admit(file('/b')))
    await flush()
    expect(behind.done).toBe(false)
    aborter.abort(new Error('stop'))
    await flush()
    expect(blocked.error).toBeInstanceOf(SyncStoppedError)
    expect((blocked.error as SyncStoppedError).cause).toEqual(new Error('stop'))
    expect(behind.done).toBe(true)
    expect([s.activeCount, s.waitingCount]).toEqual([2, 0])
    d()
    behind.value!()
    expect(s.activeCount).toBe(0)
  })

  it('an already aborted signal rejects without admitting, even when runnable', async () => {
    const s = new PathScheduler(8)
    await expect(s.admit(file('/a'), AbortSignal.abort())).rejects.toBeInstanceOf(SyncStoppedError)
    expect([s.activeCount, s.waitingCount]).toEqual([0, 0])
  })

  it('aborting after admission changes nothing', async () => {
    const s = new PathScheduler(8)
    const aborter = new AbortController()
    const r = await s.admit(file('/a'), aborter.signal)
    aborter.abort()
    expect(s.activeCount).toBe(1)
    r()
    expect(s.activeCount).toBe(0)
  })

  it('idle() resolves at once when nothing is active', async () => {
    await expect(new PathScheduler(1).idle()).resolves.toBeUndefined()
  })

  it('idle() waits for active jobs and for waiters admitted meanwhile', async () => {
    const s = new PathScheduler(1)
    const a = await s.admit(file('/a'))
    const b = track(s.admit(file('/b')))
    const idle = track(s.idle())
    a()
    await flush()
    expect(b.done).toBe(true)
    expect(idle.done).toBe(false)
    b.value!()
    await flush()
    expect(idle.done).toBe(true)
    expect(idle.error).toBeUndefined()
  })

  it('idle(signal) rejects with SyncStoppedError on abort', async () => {
    const s = new PathScheduler(1)
    const a = await s.admit(file('/a'))
    const aborter = new AbortController()
    const idle = track(s.idle(aborter.signal))
    aborter.abort()
    await flush()
    expect(idle.error).toBeInstanceOf(SyncStoppedError)
    a()
    await expect(s.idle()).resolves.toBeUndefined()
  })

  it('snapshots the job, so a caller mutating it cannot unbalance the index', async () => {
    const s = new PathScheduler(4)
    const job = { kind: 'file' as JobKind, paths: ['/a'] }
    const r = await s.admit(job)
    job.paths = ['/b']
    job.kind = 'barrierDir'
    r()
    expect(s.activeCount).toBe(0)
    await expect(s.admit(dir('/'))).resolves.toBeTypeOf('function')
  })
})

// ---- Property: safety (no conflicting pair active, limit respected), liveness, no lost wake-up.

const pathArb = fc
  .array(fc.constantFrom('a', 'b', 'ab'), { maxLength: 3 })
  .map((parts) => '/' + parts.join('/'))
const jobArb: fc.Arbitrary<JobSpec> = fc.oneof(
  fc.record({
    kind: fc.constantFrom<JobKind>('file', 'barrierDir', 'nonBarrierDir'),
    paths: fc.tuple(pathArb).map((t): string[] => t),
  }),
  fc.record({
    kind: fc.constantFrom<JobKind>('file', 'barrierDir'),
    paths: fc.tuple(pathArb, pathArb).map((t): string[] => t),
  }),
)

/** Pairwise check with a fresh index per job, independent of the scheduler's own index. */
function conflictsWithAny(running: readonly JobSpec[], job: JobSpec): boolean {
  return running.some((other) => {
    const one = new ActiveJobs()
    one.add(other)
    return conflicts(one, job)
  })
}

describe('PathScheduler (fast-check)', () => {
  it('never runs conflicting jobs together, respects the limit, and runs every job', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(jobArb, { minLength: 1, maxLength: 25 }),
        fc.integer({ min: 1, max: 4 }),
        fc.infiniteStream(fc.nat()),
        async (jobs, limit, picks) => {
          const s = new PathScheduler(limit)
          const running: { job: JobSpec; release: Release }[] = []
          let waitingFor: JobSpec | undefined
          let admitted = 0
          // The stream reader: one event at a time, next only after admission (§4.4).
          const reader = (async () => {
            for (const job of jobs) {
              waitingFor = job
              const release = await s.admit(job)
              waitingFor = undefined
              const others = running.map((r) => r.job)
              expect(conflictsWithAny(others, job)).toBe(false)
              expect(running.length).toBeLessThan(limit)
              running.push({ job, release })
              admitted++
            }
          })()
          const pick = picks[Symbol.iterator]()
          for (;;) {
            await flush()
            expect(s.activeCount).toBe(running.length)
            if (waitingFor !== undefined) {
              // No lost wake-up: the reader waits only if it really must.
              const blocked =
                running.length >= limit ||
                conflictsWithAny(
                  running.map((r) => r.job),
                  waitingFor,
                )
              expect(blocked).toBe(true)
            }
            if (running.length === 0) break
            const index = (pick.next().value as number) % running.length
            running.splice(index, 1)[0]!.release()
          }
          await reader
          expect(admitted).toBe(jobs.length)
          await expect(s.idle()).resolves.toBeUndefined()
        },
      ),
      { numRuns: 200 },
    )
  })
})
