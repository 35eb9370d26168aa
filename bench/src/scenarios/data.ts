/**
 * 2. Catch-up, data: large files already on A; one direction A→B from checkpoint 0; MB/s until
 * verify is clean. Limit: a raw copy of the same chunks (GET from A's volume server, AssignVolume +
 * POST to B's) with the replicator's chunk concurrency, no replicator, same servers, same run.
 */
import type { EntryOutput, LookupDirectoryEntryResponseOutput } from '@seasync/proto'
import { ReplicatorDefaults } from '@seasync/sync-core'
import { evaluate, mustBeZero } from '../report.js'
import {
  TightClient,
  type ReplicatorProcess,
  getBuffer,
  pool,
  postBuffer,
  putLarge,
  catchUp,
} from '../lib.js'
import { CpuWindow, round2, startFilers } from '../procs.js'
import type { Scenario } from './types.js'

const MiB = 2 ** 20
const CHUNK_CONCURRENCY = ReplicatorDefaults.chunkConcurrency

export const dataScenario: Scenario = {
  id: 'data',
  title: 'catch-up data',
  async run(ctx) {
    const files = ctx.quick
      ? [...Array<number>(2).fill(64 * MiB), 128 * MiB]
      : [...Array<number>(20).fill(64 * MiB), 1024 * MiB]
    const totalBytes = files.reduce((s, n) => s + n, 0)
    const [a, b] = await startFilers(['data-a', 'data-b'])
    const fa = a!
    const fb = b!
    const clientA = new TightClient(fa.info.grpc)
    const clientB = new TightClient(fb.info.grpc)
    let replicator: ReplicatorProcess | undefined
    try {
      ctx.log(`data: writing ${files.length} files, ${totalBytes / MiB} MiB, on A`)
      let t = performance.now()
      await clientA.create('/', {
        name: 'data',
        is_directory: true,
        attributes: { file_mode: 0x80000000 | 0o755, mtime: Math.floor(Date.now() / 1000) },
      })
      await pool(files.length, 4, (i) => putLarge(fa.info.http, `/data/f${i}.bin`, files[i]!, i))
      const populateSeconds = (performance.now() - t) / 1000

      // Limit: the same chunks, copied raw with the same concurrency.
      const chunks: { fid: string; size: number }[] = []
      for (let i = 0; i < files.length; i++) {
        const res = await clientA.unary<LookupDirectoryEntryResponseOutput>(
          'LookupDirectoryEntry',
          {
            directory: '/data',
            name: `f${i}.bin`,
          },
        )
        for (const c of (res.entry as EntryOutput).chunks)
          chunks.push({ fid: c.file_id!, size: Number(c.size) })
      }
      ctx.log(`data: raw copy of ${chunks.length} chunks (limit)`)
      const cpu = new CpuWindow(
        new Map([
          ['filerA', fa.child.pid],
          ['filerB', fb.child.pid],
          ['benchClient', process.pid],
        ]),
      )
      t = performance.now()
      await pool(chunks.length, CHUNK_CONCURRENCY, async (i) => {
        const body = await getBuffer(`http://${fa.info.volume}/${chunks[i]!.fid}?readDeleted=true`)
        if (body.length !== chunks[i]!.size) throw new Error(`short chunk ${chunks[i]!.fid}`)
        const assigned = await clientB.unary<{ file_id: string; location: { url: string } }>(
          'AssignVolume',
          {
            count: 1,
            path: `/raw/${i}`,
          },
        )
        await postBuffer(`http://${assigned.location.url}/${assigned.file_id}`, body)
      })
      const limitSeconds = (performance.now() - t) / 1000
      const limitCpu = cpu.shares()
      const limitRate = totalBytes / MiB / limitSeconds

      ctx.log(`data: replicating A→B`)
      const run = await catchUp(
        'replicator-data',
        fa,
        fb,
        { path: '/data', events: files.length, budgetMs: ctx.quick ? 120_000 : 600_000 },
        (r) => (replicator = r),
      )
      const { seconds, verify: summary } = run
      const rate = totalBytes / MiB / seconds
      return {
        checks: [
          evaluate({
            name: 'MiB/s',
            value: rate,
            unit: 'MiB/s',
            op: '>=',
            threshold: 0.8,
            limit: limitRate,
            limitName: `raw chunk copy, ${CHUNK_CONCURRENCY} in flight`,
          }),
          mustBeZero('verify differences', summary.totalErrors),
        ],
        details: {
          files: files.map((n) => n / MiB),
          totalMiB: totalBytes / MiB,
          chunks: chunks.length,
          populateSeconds: round2(populateSeconds),
          limit: { seconds: round2(limitSeconds), mibPerSecond: round2(limitRate), cpu: limitCpu },
          replication: {
            seconds: round2(seconds),
            mibPerSecond: round2(rate),
            cpu: run.cpu,
            bytesCopied: run.done.bytesCopied,
          },
          verify: summary,
        },
      }
    } finally {
      clientA.close()
      clientB.close()
      await replicator?.stop()
      await Promise.all([fa.stop(), fb.stop()])
    }
  },
}
