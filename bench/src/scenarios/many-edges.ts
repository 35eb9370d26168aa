/**
 * 5. Many edges: 10 clusters (embedded filers, each in its own process) and 100 one-way edges on
 * disjoint folders (edge k: cluster k mod 10 `/e<k>` → cluster k+1 mod 10 `/e<k>`) in one SeaSync
 * server. Idle for 60 s: the server's CPU and RSS. Then 10 writes/s spread over all edges: the
 * server's CPU and RSS again, and each edge's lag (write acknowledged on its source → first seen
 * in its target's metadata log).
 */
import { evaluate, mustBeZero } from '../report.js'
import { ArrivalWatcher, putFile, verify } from '../lib.js'
import { lagStats, paced, type Arrival } from '../load.js'
import { CpuWindow, round2, sleep, startFilers, type FilerProcess } from '../procs.js'
import { ServerProcess, type StatusList } from '../server.js'
import type { Scenario } from './types.js'

const CLUSTERS = 10
const EDGES = 100
const MiB = 2 ** 20

export const manyEdgesScenario: Scenario = {
  id: 'edges',
  title: 'many edges',
  async run(ctx) {
    const idleSeconds = ctx.quick ? 10 : 60
    const loadSeconds = ctx.quick ? 10 : 30
    const rate = 10
    const filers = await startFilers(Array.from({ length: CLUSTERS }, (_, i) => `edges-c${i}`))
    const cluster = (k: number): FilerProcess => filers[k % CLUSTERS]!
    let server: ServerProcess | undefined
    const watchers: ArrivalWatcher[] = []
    try {
      server = await ServerProcess.start()
      for (let i = 0; i < CLUSTERS; i++) await server.addCluster(`c${i}`, filers[i]!.info.address)
      for (let k = 0; k < EDGES; k++) {
        await server.addEdge(
          `e${k}`,
          { cluster: `c${k % CLUSTERS}`, path: `/e${k}` },
          { cluster: `c${(k + 1) % CLUSTERS}`, path: `/e${k}` },
        )
      }
      ctx.log(`edges: ${EDGES} edges over ${CLUSTERS} clusters; waiting for in-sync`)
      for (let i = 0; i < 300; i++) {
        const s = await server.api<StatusList>('GET', '/status')
        if (s.edges.length === EDGES && s.edges.every((e) => e.state === 'in-sync')) break
        await sleep(200)
      }
      await sleep(2000)
      ctx.log(`edges: idle ${idleSeconds} s`)
      let cpu = new CpuWindow(new Map([['server', server.child.pid]]))
      await sleep(idleSeconds * 1000)
      const idleCpu = cpu.shares().server!
      const idleRss = server.child.rss() / MiB

      for (let i = 0; i < CLUSTERS; i++)
        watchers.push(new ArrivalWatcher(filers[i]!.info.address, '/'))
      await sleep(500)
      const body = Buffer.alloc(1024, 2)
      const perEdge: Arrival[][] = Array.from({ length: EDGES }, () => [])
      const onSource: Arrival[] = []
      ctx.log(`edges: ${rate} writes/s over all edges for ${loadSeconds} s`)
      cpu = new CpuWindow(
        new Map([
          ['server', server.child.pid],
          ...filers.map((f, i) => [`filer${i}`, f.child.pid] as [string, number]),
        ]),
      )
      let peakRss = 0
      const rssTimer = setInterval(() => (peakRss = Math.max(peakRss, server!.child.rss())), 500)
      const writes = await paced(rate, loadSeconds, async (i) => {
        const k = i % EDGES
        const path = `/e${k}/f${i}`
        const arrival: Arrival = { ackMs: Number.NaN, seenMs: undefined }
        perEdge[k]!.push(arrival)
        void watchers[(k + 1) % CLUSTERS]!.expect(path).then((at) => (arrival.seenMs = at))
        // The same write in its source's log: splits the lag into source-side and replication.
        const atSource: Arrival = { ackMs: Number.NaN, seenMs: undefined }
        onSource.push(atSource)
        void watchers[k % CLUSTERS]!.expect(path).then((at) => (atSource.seenMs = at))
        await putFile(cluster(k).info.http, path, body)
        arrival.ackMs = performance.now()
        atSource.ackMs = arrival.ackMs
      })
      const loadCpu = cpu.shares()
      clearInterval(rssTimer)
      for (let i = 0; i < 300 && watchers.some((w) => w.pending > 0); i++) await sleep(100)
      const stats = perEdge.map((arrivals) =>
        lagStats(arrivals.filter((a) => !Number.isNaN(a.ackMs))),
      )
      const worstP99 = stats.reduce((m, s) => Math.max(m, Number.isNaN(s.p99) ? 0 : s.p99), 0)
      const missing = stats.reduce((n, s) => n + s.missing, 0) + writes.failed
      const edgesOver = stats.filter((s) => s.p99 >= 1000).length
      let differences = 0
      for (let k = 0; k < EDGES; k++) {
        differences += (
          await verify(cluster(k).info.address, cluster(k + 1).info.address, `/e${k}`)
        ).totalErrors
      }
      const { server: serverLoadCpu, ...filerCpu } = loadCpu
      return {
        checks: [
          evaluate({
            name: 'server CPU, idle',
            value: idleCpu * 100,
            unit: '% of one core',
            op: '<=',
            threshold: 5,
          }),
          evaluate({
            name: 'server RSS, idle',
            value: idleRss,
            unit: 'MiB',
            op: '<=',
            threshold: 400,
          }),
          evaluate({
            name: 'worst edge p99 lag under load',
            value: worstP99,
            unit: 'ms',
            op: '<',
            threshold: 1000,
          }),
          mustBeZero('edges with p99 lag ≥ 1 s', edgesOver),
          evaluate({
            name: 'server CPU under load',
            value: (serverLoadCpu ?? 0) * 100,
            unit: '% of one core',
            op: '<=',
            threshold: 100,
            info: true,
          }),
          evaluate({
            name: 'server RSS under load (peak)',
            value: peakRss / MiB,
            unit: 'MiB',
            op: '<=',
            threshold: 400,
            info: true,
          }),
          mustBeZero('writes not seen / verify differences', missing + differences),
        ],
        details: {
          clusters: CLUSTERS,
          edges: EDGES,
          idleSeconds,
          loadSeconds,
          writes,
          idle: { serverCpuShare: idleCpu, serverRssMiB: round2(idleRss) },
          load: {
            serverCpuShare: serverLoadCpu,
            serverPeakRssMiB: round2(peakRss / MiB),
            filerCpu,
          },
          lagMs: {
            worstP99: worstP99,
            medianOfP99: stats.map((s) => s.p99).sort((x, y) => x - y)[EDGES / 2],
            perEdgeP99: stats.map((s) => s.p99),
          },
          missing,
          differences,
          // Ack by the source → first seen in the source's own metadata log (the watcher's share).
          sourceLogLagMs: lagStats(onSource.filter((a) => !Number.isNaN(a.ackMs))),
        },
      }
    } finally {
      await Promise.all(watchers.map((w) => w.close()))
      await server?.stop()
      await Promise.all(filers.map((f) => f.stop()))
    }
  },
}
