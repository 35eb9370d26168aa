import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { type SyncError, SyncStoppedError } from '../../src/errors.js'
import type { JobKind, JobSpec } from '../../src/scheduler/job-kind.js'
import { ActiveJobs, conflicts } from '../../src/scheduler/path-conflicts.js'
import { MAX_PARKED, PathScheduler, type Release } from '../../src/scheduler/path-scheduler.js'

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

// ---- A failed job waiting for its retry (markWaiting/resume) and the jobs parked behind it.

describe('PathScheduler parking behind a failed job', () => {
  it('a failed job gives its slot back, keeps its paths, and takes a slot again to retry', async () => {
    const s = new PathScheduler(1)
    const failed = await s.admit(file('/a'))
    s.markWaiting(failed)
    expect([s.activeCount, s.heldCount]).toEqual([0, 1])
    const other = await s.admit(file('/b'))
    const retry = track(s.resume(failed))
    await flush()
    expect(retry.done).toBe(false)
    other()
    await flush()
    expect(retry.done).toBe(true)
    expect([s.activeCount, s.heldCount]).toEqual([1, 0])
    failed()
    expect(s.activeCount).toBe(0)
    await expect(s.idle()).resolves.toBeUndefined()
  })

  it('parks a job behind a failed one on its path; the stream reads on', async () => {
    const s = new PathScheduler(4)
    const failed = await s.admit(file('/a'))
    s.markWaiting(failed)
    const { runnable } = await s.enqueue(file('/a'))
    const parked = track(runnable)
    await flush()
    expect(parked.done).toBe(false)
    expect([s.parkedCount, s.waitingCount]).toEqual([1, 0])
    failed()
    await flush()
    expect(parked.done).toBe(true)
    expect([s.parkedCount, s.activeCount]).toEqual([0, 1])
  })

  it('a later event on another path runs while one is parked', async () => {
    const s = new PathScheduler(1)
    const failed = await s.admit(file('/a'))
    s.markWaiting(failed)
    const parked = track((await s.enqueue(file('/a'))).runnable)
    const other = await s.admit(file('/b'))
    await flush()
    expect(parked.done).toBe(false)
    expect(s.activeCount).toBe(1)
    other()
    failed()
    await flush()
    expect(parked.done).toBe(true)
  })

  it('keeps order among parked events on one path, and later ones on it park too', async () => {
    const s = new PathScheduler(8)
    const order: number[] = []
    const failed = await s.admit(file('/a'))
    s.markWaiting(failed)
    const runs = [1, 2, 3].map(async (i) => {
      const { runnable } = await s.enqueue(file('/a'))
      const release = await runnable
      order.push(i)
      await flush()
      release()
    })
    await flush()
    expect([s.parkedCount, s.waitingCount]).toEqual([3, 0])
    expect(order).toEqual([])
    failed()
    await Promise.all(runs)
    expect(order).toEqual([1, 2, 3])
    await expect(s.idle()).resolves.toBeUndefined()
  })

  it('a directory barrier parks behind a failed descendant, and its subtree parks behind it', async () => {
    const s = new PathScheduler(8)
    const failed = await s.admit(file('/d/x'))
    s.markWaiting(failed)
    const barrier = track((await s.enqueue(dir('/d'))).runnable)
    const below = track((await s.enqueue(file('/d/y'))).runnable)
    const outside = await s.admit(file('/e'))
    await flush()
    expect([barrier.done, below.done, s.parkedCount]).toEqual([false, false, 2])
    failed()
    await flush()
    expect([barrier.done, below.done]).toEqual([true, false])
    barrier.value!()
    await flush()
    expect(below.done).toBe(true)
    below.value!()
    outside()
    await expect(s.idle()).resolves.toBeUndefined()
  })

  it('a skipped failure (released while held) lets the parked job run', async () => {
    const s = new PathScheduler(2)
    const failed = await s.admit(file('/a'))
    s.markWaiting(failed)
    const retry = track(s.resume(failed))
    await flush()
    expect(retry.done).toBe(true)
    s.markWaiting(failed)
    const parked = track((await s.enqueue(file('/a'))).runnable)
    failed()
    failed()
    await flush()
    expect(parked.done).toBe(true)
    expect([s.heldCount, s.activeCount]).toEqual([0, 1])
  })

  it('past the parked bound, admission blocks (back-pressure) until a parked job leaves', async () => {
    const s = new PathScheduler(4, { maxParked: 2 })
    expect(new PathScheduler(1).maxParked).toBe(MAX_PARKED)
    const failed = await s.admit(file('/a'))
    s.markWaiting(failed)
    const first = await s.enqueue(file('/a'))
    await s.enqueue(file('/a'))
    const third = track(s.enqueue(file('/a')))
    const behind = track(s.enqueue(file('/b')))
    await flush()
    expect([third.done, behind.done]).toEqual([false, false])
    expect([s.parkedCount, s.waitingCount]).toEqual([2, 2])
    failed()
    await flush()
    expect([third.done, behind.done]).toEqual([true, true])
    expect(s.parkedCount).toBe(2)
    ;(await first.runnable)()
  })

  it('refuses a maxParked that is not a positive integer', () => {
    expect(() => new PathScheduler(1, { maxParked: 0 })).toThrow(
      expect.objectContaining({ code: 'SYNC_ERR_OPTIONS' }) as SyncError,
    )
  })

  it('resume(signal) rejects on abort and the job stays held; misuse is SYNC_ERR_INTERNAL', async () => {
    const s = new PathScheduler(1)
    const failed = await s.admit(file('/a'))
    expect(() => s.markWaiting(() => undefined)).toThrow(
      expect.objectContaining({ code: 'SYNC_ERR_INTERNAL' }) as SyncError,
    )
    await expect(s.resume(failed)).rejects.toMatchObject({ code: 'SYNC_ERR_INTERNAL' })
    s.markWaiting(failed)
    const other = await s.admit(file('/b'))
    const aborter = new AbortController()
    const retry = track(s.resume(failed, aborter.signal))
    aborter.abort()
    await flush()
    expect(retry.error).toBeInstanceOf(SyncStoppedError)
    expect(s.heldCount).toBe(1)
    other()
    failed()
    await expect(s.idle()).resolves.toBeUndefined()
  })
})

describe('PathScheduler with failures (fast-check)', () => {
  it('with random failures and recoveries: no conflicting overlap, per-path order, every job runs', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(jobArb, { minLength: 1, maxLength: 25 }),
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 1, max: 4 }),
        fc.infiniteStream(fc.nat()),
        async (jobs, limit, maxParked, picks) => {
          const s = new PathScheduler(limit, { maxParked })
          const pick = picks[Symbol.iterator]()
          const next = (n: number): number => (pick.next().value as number) % n
          type Job = { index: number; release?: Release; failures: number }
          const started: boolean[] = jobs.map(() => false)
          const done: boolean[] = jobs.map(() => false)
          const running: Job[] = []
          const held: Job[] = []
          let resuming = 0
          let takenIn = 0
          const errors: unknown[] = []
          const onRun = (index: number, release: Release): void => {
            // Per-path order and exclusion: every earlier conflicting job has ended.
            for (let i = 0; i < index; i++) {
              if (conflictsWithAny([jobs[i]!], jobs[index]!)) expect(done[i]).toBe(true)
            }
            expect(started[index]).toBe(false)
            started[index] = true
            running.push({ index, release, failures: 0 })
            expect(running.length).toBeLessThanOrEqual(limit)
          }
          const reader = (async () => {
            for (const [index, job] of jobs.entries()) {
              const { runnable } = await s.enqueue(job)
              takenIn++
              // Record a failed check here: thrown inside `then`, it would be lost.
              void runnable.then((release) => {
                try {
                  onRun(index, release)
                } catch (error) {
                  errors.push(error)
                }
              })
            }
          })()
          for (let step = 0; ; step++) {
            await flush()
            expect(errors).toEqual([])
            expect(s.activeCount).toBe(running.length)
            // A job waiting in resume() for a slot is still held.
            expect(s.heldCount).toBe(held.length + resuming)
            if (running.length === 0 && held.length === 0 && resuming === 0) break
            // A running job ends or fails (at most twice); a held job recovers or is skipped.
            const action = next(3)
            if (running.length > 0 && (held.length === 0 || action < 2)) {
              const [job] = running.splice(next(running.length), 1)
              if (job!.failures < 2 && step < 200 && next(3) === 0) {
                job!.failures++
                s.markWaiting(job!.release!)
                held.push(job!)
              } else {
                done[job!.index] = true
                job!.release!()
              }
            } else if (held.length > 0) {
              const [job] = held.splice(next(held.length), 1)
              if (next(4) === 0) {
                done[job!.index] = true
                job!.release!()
              } else {
                resuming++
                void s.resume(job!.release!).then(() => {
                  resuming--
                  running.push(job!)
                  expect(running.length).toBeLessThanOrEqual(limit)
                })
              }
            }
          }
          await reader
          expect(takenIn).toBe(jobs.length)
          expect(done.every(Boolean)).toBe(true)
          expect([s.parkedCount, s.waitingCount]).toEqual([0, 0])
          await expect(s.idle()).resolves.toBeUndefined()
        },
      ),
      { numRuns: 300 },
    )
  })
})
