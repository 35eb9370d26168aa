/**
 * 6. Active-active churn: A↔B (two directions in one replicator process, as `filer.sync` runs
 * them), both sides written at 100 writes/s each for 2 minutes through their filer HTTP APIs,
 * one write in five to paths both sides write. Convergence = the first clean verify (and nothing
 * pending) after the last write was acknowledged; echoes = events each direction received beyond
 * the writes made on its source (a replicated write coming back would be one).
 */
import { verifySync } from '@seasync/sync-core'
import { evaluate, mustBeZero } from '../report.js'
import { ReplicatorProcess, TightClient, putFile, verify } from '../lib.js'
import { paced, round1 } from '../load.js'
import { CpuWindow, sleep, startFilers } from '../procs.js'
import type { Scenario } from './types.js'

export const activeActiveScenario: Scenario = {
  id: 'active-active',
  title: 'active-active churn',
  async run(ctx) {
    const seconds = ctx.quick ? 10 : 120
    const rate = 100
    const [a, b] = await startFilers(['aa-a', 'aa-b'])
    const fa = a!
    const fb = b!
    const clientA = new TightClient(fa.info.grpc)
    let replicator: ReplicatorProcess | undefined
    try {
      const now = Math.floor(Date.now() / 1000)
      for (const name of ['aa', 'aa/a', 'aa/b', 'aa/s']) {
        const [dir, base] = name.includes('/') ? ['/aa', name.split('/')[1]!] : ['/', name]
        await clientA.create(dir, {
          name: base,
          is_directory: true,
          attributes: { file_mode: 0x80000000 | 0o755, mtime: now },
        })
      }
      replicator = await ReplicatorProcess.start('replicator-aa', [
        {
          sourceAddress: fa.info.address,
          targetAddress: fb.info.address,
          sourcePath: '/aa',
          targetPath: '/aa',
        },
        {
          sourceAddress: fb.info.address,
          targetAddress: fa.info.address,
          sourcePath: '/aa',
          targetPath: '/aa',
        },
      ])
      const base = await replicator.until(
        (s) => s.dirs[0]!.applied >= 3 && s.dirs[0]!.backlog === 0,
        30_000,
      )
      await sleep(1000)
      const before = replicator.latest!.dirs.map((d) => d.received)
      void base
      ctx.log(`active-active: ${rate} writes/s on each side for ${seconds} s`)
      const cpu = new CpuWindow(
        new Map([
          ['filerA', fa.child.pid],
          ['filerB', fb.child.pid],
          ['replicator', replicator.child.pid],
          ['benchClient', process.pid],
        ]),
      )
      const writer = (side: 'a' | 'b', http: string) => (i: number) => {
        const shared = i % 5 === 0
        const path = shared ? `/aa/s/f${(i / 5) % 50}` : `/aa/${side}/f${i % 1000}`
        return putFile(http, path, Buffer.from(`${side}:${i}:`.padEnd(1024, '.')))
      }
      const [wa, wb] = await Promise.all([
        paced(rate, seconds, writer('a', fa.info.http)),
        paced(rate, seconds, writer('b', fb.info.http)),
      ])
      const lastAck = Math.max(wa.lastAckMs, wb.lastAckMs)
      const cpuShares = cpu.shares()
      let convergedMs = Number.NaN
      let summary = await verify(fa.info.address, fb.info.address, '/aa', false)
      const deadline = performance.now() + 45_000
      for (;;) {
        const t = performance.now()
        const idle = replicator.latest!.dirs.every((d) => d.backlog === 0)
        summary = await verify(fa.info.address, fb.info.address, '/aa', false)
        if (idle && summary.totalErrors === 0) {
          convergedMs = Math.max(0, t - lastAck)
          break
        }
        if (performance.now() > deadline) break
        await sleep(100)
      }
      await sleep(3000) // anything still coming back would show now
      const differences: unknown[] = []
      const final = await verifySync({
        a: fa.info.address,
        b: fb.info.address,
        aPath: '/aa',
        bPath: '/aa',
        onRecord: (r) => void (differences.length < 20 && differences.push(r)),
      })
      const after = replicator.latest!.dirs.map((d) => d.received)
      const written = [wa.issued - wa.failed, wb.issued - wb.failed]
      const received = after.map((n, i) => n - before[i]!)
      const echoes = received.reduce((s, n, i) => s + Math.abs(n - written[i]!), 0)
      return {
        checks: [
          evaluate({
            name: 'converged after the last write',
            value: convergedMs,
            unit: 'ms',
            op: '<',
            threshold: 5000,
          }),
          mustBeZero('verify differences', final.totalErrors),
          mustBeZero('echoes (events received − events written)', echoes),
        ],
        details: {
          ratePerSecondPerSide: rate,
          seconds,
          written: { a: written[0], b: written[1] },
          received: { 'a->b': received[0], 'b->a': received[1] },
          failedWrites: wa.failed + wb.failed,
          firstWriteError: wa.firstError ?? wb.firstError,
          convergedMs: round1(convergedMs),
          cpu: cpuShares,
          verify: final,
          // What each direction still held at the end, and the first differences, if any.
          directionsAtEnd: replicator.latest!.dirs,
          differences,
        },
      }
    } finally {
      clientA.close()
      await replicator?.stop()
      await Promise.all([fa.stop(), fb.stop()])
    }
  },
}
