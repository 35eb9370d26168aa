/**
 * 3. Steady-state lag: 200 writes/s on A (1 KiB files through A's filer HTTP API) for 2 minutes,
 * replicated by the SeaSync server (one one-way edge). Lag of each write = first seen in B's
 * metadata log (readable on B) minus its acknowledgement by A; p50/p99. Every 500 ms the lag the
 * server reports (`GET /api/v1/edges/:id/status`) is paired with the lag measured at that instant
 * (the age of the oldest acknowledged write not yet on B).
 */
import { evaluate, mustBeZero } from '../report.js'
import { ArrivalWatcher, putFile, verify } from '../lib.js'
import { lagStats, lagTimeline, measuredLagMs, paced, round1, type Arrival } from '../load.js'
import { CpuWindow, round2, sleep, startFilers } from '../procs.js'
import { ServerProcess } from '../server.js'
import type { Scenario } from './types.js'

interface EdgeStatus {
  state: string
  lagSeconds: number
  directions: { sourceHeadNs: string }[]
}

export const steadyScenario: Scenario = {
  id: 'steady',
  title: 'steady-state lag',
  async run(ctx) {
    const seconds = ctx.quick ? 10 : 120
    const rate = 200
    const [a, b] = await startFilers(['steady-a', 'steady-b'])
    const fa = a!
    const fb = b!
    let server: ServerProcess | undefined
    let watcher: ArrivalWatcher | undefined
    let sourceWatcher: ArrivalWatcher | undefined
    try {
      server = await ServerProcess.start()
      await server.addCluster('a', fa.info.address)
      await server.addCluster('b', fb.info.address)
      await server.addEdge(
        'steady',
        { cluster: 'a', path: '/steady' },
        { cluster: 'b', path: '/steady' },
      )
      // In sync, and past the source's first idle heartbeat (≤ 5 s): until then the server has
      // no caught-up floor for a fresh edge and reports the first pending event's whole age since
      // the epoch as lag (a start-up artefact, not the steady state this scenario measures).
      for (let i = 0; i < 150; i++) {
        const s = await server.api<EdgeStatus>('GET', '/edges/steady/status')
        if (s.state === 'in-sync' && s.directions[0]!.sourceHeadNs !== '0') break
        await sleep(200)
      }
      watcher = new ArrivalWatcher(fb.info.address, '/steady/')
      // The same writes in A's own log: splits a lag into the source's share and replication's.
      sourceWatcher = new ArrivalWatcher(fa.info.address, '/steady/')
      await sleep(500)
      const body = Buffer.alloc(1024, 1)
      const arrivals: Arrival[] = []
      const onSource: Arrival[] = []
      const samples: { atMs: number; reportedMs: number }[] = []
      let sampling = true
      const sampler = (async () => {
        while (sampling) {
          const t0 = performance.now()
          const s = await server.api<EdgeStatus>('GET', '/edges/steady/status')
          const t1 = performance.now()
          samples.push({ atMs: (t0 + t1) / 2, reportedMs: s.lagSeconds * 1000 })
          await sleep(500 - (performance.now() - t0))
        }
      })()
      ctx.log(`steady: ${rate} writes/s on A for ${seconds} s`)
      const cpu = new CpuWindow(
        new Map([
          ['filerA', fa.child.pid],
          ['filerB', fb.child.pid],
          ['server', server.child.pid],
          ['benchClient', process.pid],
        ]),
      )
      const w = watcher
      const sw = sourceWatcher
      const writesStartMs = performance.now()
      const writes = await paced(rate, seconds, async (i) => {
        const path = `/steady/d${i % 20}/f${i}`
        const arrival: Arrival = { ackMs: Number.NaN, seenMs: undefined }
        const atSource: Arrival = { ackMs: Number.NaN, seenMs: undefined }
        arrivals.push(arrival)
        onSource.push(atSource)
        void w.expect(path).then((at) => (arrival.seenMs = at))
        void sw.expect(path).then((at) => (atSource.seenMs = at))
        await putFile(fa.info.http, path, body)
        arrival.ackMs = performance.now()
        atSource.ackMs = arrival.ackMs
      })
      const cpuShares = cpu.shares()
      const rssMiB = round2(server.child.rss() / 2 ** 20)
      // Let the last writes arrive (and keep sampling the reported lag as it falls to 0).
      for (let i = 0; i < 600 && watcher.pending > 0; i++) await sleep(100)
      await sleep(1000)
      sampling = false
      await sampler
      const acked = arrivals.filter((x) => !Number.isNaN(x.ackMs))
      const stats = lagStats(acked)
      const diffs = samples.map((s) => Math.abs(s.reportedMs - measuredLagMs(acked, s.atMs)))
      const worst = diffs.reduce((m, d) => Math.max(m, d), 0)
      const summary = await verify(fa.info.address, fb.info.address, '/steady')
      return {
        checks: [
          evaluate({
            name: 'lag p50 (write on A → readable on B)',
            value: stats.p50,
            unit: 'ms',
            op: '<=',
            threshold: 500,
            info: true,
          }),
          evaluate({
            name: 'lag p99 (write on A → readable on B)',
            value: stats.p99,
            unit: 'ms',
            op: '<',
            threshold: 500,
          }),
          evaluate({
            name: 'reported lag − measured lag, worst of samples',
            value: worst,
            unit: 'ms',
            op: '<=',
            threshold: 1000,
          }),
          mustBeZero('writes not seen on B', stats.missing + writes.failed),
          mustBeZero('verify differences', summary.totalErrors),
        ],
        details: {
          ratePerSecond: rate,
          seconds,
          writes,
          achievedWritesPerSecond: round1(writes.issued / seconds),
          lagMs: stats,
          /** Worst lag of the writes acknowledged in each second of the run. */
          lagMsBySecond: lagTimeline(acked, writesStartMs),
          sourceLogLagMs: lagStats(onSource.filter((x) => !Number.isNaN(x.ackMs))),
          reportedVsMeasured: {
            samples: samples.length,
            worstDiffMs: round1(worst),
            reportedMaxMs: round1(samples.reduce((m, s) => Math.max(m, s.reportedMs), 0)),
            measuredMaxMs: round1(
              samples.reduce((m, s) => Math.max(m, measuredLagMs(acked, s.atMs)), 0),
            ),
          },
          cpu: cpuShares,
          serverRssMiB: rssMiB,
          verify: summary,
        },
      }
    } finally {
      await watcher?.close()
      await sourceWatcher?.close()
      await server?.stop()
      await Promise.all([fa.stop(), fb.stop()])
    }
  },
}
