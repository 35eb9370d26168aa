/**
 * 1. Catch-up, metadata: small files and directories already on A; one direction A→B from
 * checkpoint 0; events/s until verify is clean. Limit: the same creates issued straight to B's
 * gRPC by a tight client with the replicator's concurrency, on the same servers, in the same run.
 * Two variants: inline content (1 KiB in the entry) and chunked (1 KiB in one volume chunk).
 */
import { ReplicatorDefaults } from '@seasync/sync-core'
import { evaluate, mustBeZero, type CheckResult } from '../report.js'
import type { EntryOutput } from '@seasync/proto'
import {
  TightClient,
  type ReplicatorProcess,
  getBuffer,
  pool,
  postBuffer,
  putFile,
  catchUp,
} from '../lib.js'
import { CpuWindow, round2, startFilers } from '../procs.js'
import type { BenchContext, Scenario } from './types.js'

const DIR_MODE = 0x80000000 | 0o755
const FILE_MODE = 0o644
const CONCURRENCY = ReplicatorDefaults.concurrency

/**
 * The chunked variant is smaller in the full run (10,000 files): its catch-up copies one chunk
 * per file and runs at a few hundred events/s here, so 50,000 would take the whole time budget.
 */
function sizes(quick: boolean, kind: 'inline' | 'chunked'): { dirs: number; files: number } {
  if (quick) return { dirs: 200, files: 2_000 }
  return kind === 'inline' ? { dirs: 5_000, files: 50_000 } : { dirs: 1_000, files: 10_000 }
}

const dirName = (d: number): string => `d${String(d).padStart(4, '0')}`

async function variant(
  ctx: BenchContext,
  kind: 'inline' | 'chunked',
): Promise<{ checks: CheckResult[]; details: Record<string, unknown> }> {
  const { dirs, files } = sizes(ctx.quick, kind)
  const [a, b] = await startFilers([`${kind}-a`, `${kind}-b`])
  const fa = a!
  const fb = b!
  const clientA = new TightClient(fa.info.grpc)
  const clientB = new TightClient(fb.info.grpc)
  let replicator: ReplicatorProcess | undefined
  try {
    const content = Buffer.alloc(1024, 7)
    const now = Math.floor(Date.now() / 1000)
    const dirEntry = (name: string) => ({
      name,
      is_directory: true,
      attributes: { file_mode: DIR_MODE, mtime: now, crtime: now },
    })
    const fileEntry = (name: string, i: number) =>
      kind === 'inline'
        ? {
            name,
            content,
            attributes: { file_size: 1024, mtime: now, crtime: now, file_mode: FILE_MODE },
          }
        : {
            name,
            // The same shape the HTTP upload gives A's entries: one 1 KiB chunk.
            chunks: [
              {
                fid: { volume_id: 1, file_key: i + 1, cookie: 0x1234 },
                offset: 0,
                size: 1024,
                modified_ts_ns: String(BigInt(now) * 1_000_000_000n),
              },
            ],
            attributes: { file_size: 1024, mtime: now, crtime: now, file_mode: FILE_MODE },
          }

    // Populate A: /m, its directories, then the files (10 per directory).
    ctx.log(`metadata/${kind}: populating A with ${dirs} directories and ${files} files`)
    let t = performance.now()
    await clientA.create('/', dirEntry('m'))
    await pool(dirs, 256, (d) => clientA.createPipelined('/m', dirEntry(dirName(d))))
    const perDir = files / dirs
    await pool(files, kind === 'inline' ? 256 : 64, async (i) => {
      const dir = `/m/${dirName(Math.floor(i / perDir))}`
      if (kind === 'inline') await clientA.createPipelined(dir, fileEntry(`f${i}`, i))
      else await putFile(fa.info.http, `${dir}/f${i}`, content)
    })
    const populateSeconds = (performance.now() - t) / 1000
    // /m itself is outside the replicated subtree (/m/…): its create is not replicated.
    const events = dirs + files

    // Limit: the same creates, all of them, straight to B (under /direct), with the replicator's
    // concurrency. (A share of them saved time but measured a short burst into a smaller store:
    // the limit moved by a third between runs.)
    ctx.log(`metadata/${kind}: direct creates on B (limit)`)
    let cpu = new CpuWindow(
      new Map([
        ['filerB', fb.child.pid],
        ['benchClient', process.pid],
      ]),
    )
    t = performance.now()
    await clientB.create('/', dirEntry('direct'))
    const limitDirs = dirs
    const limitFiles = files
    await pool(limitDirs, CONCURRENCY, (d) => clientB.create('/direct', dirEntry(dirName(d))))
    await pool(limitFiles, CONCURRENCY, (i) =>
      clientB.create(`/direct/${dirName(Math.floor(i / perDir))}`, fileEntry(`f${i}`, i)),
    )
    const limitSeconds = (performance.now() - t) / 1000
    const limitCpu = cpu.shares()
    const limitRate = (limitDirs + limitFiles) / limitSeconds

    // Chunked only, an info figure: the same per-file work the replicator does (GET the chunk
    // from A's volume server, AssignVolume + POST on B, CreateEntry with the new fid) done by a
    // bare client with the same concurrency. The create-only limit above counts one of those four
    // requests per file; this says how close the replicator is to what the host allows for it.
    let copyLimit: { rate: number; seconds: number; cpu: Record<string, number> } | undefined
    if (kind === 'chunked') {
      const fids: string[] = []
      await pool(files, 64, async (i) => {
        const res = await clientA.unary<{ entry?: EntryOutput }>('LookupDirectoryEntry', {
          directory: `/m/${dirName(Math.floor(i / perDir))}`,
          name: `f${i}`,
        })
        fids[i] = res.entry!.chunks[0]!.file_id!
      })
      ctx.log(`metadata/chunked: the same copies by a bare client (info)`)
      cpu = new CpuWindow(
        new Map([
          ['filerA', fa.child.pid],
          ['filerB', fb.child.pid],
          ['benchClient', process.pid],
        ]),
      )
      t = performance.now()
      await clientB.create('/', dirEntry('copied'))
      await pool(dirs, CONCURRENCY, (d) => clientB.create('/copied', dirEntry(dirName(d))))
      await pool(files, CONCURRENCY, async (i) => {
        const directory = `/copied/${dirName(Math.floor(i / perDir))}`
        const body = await getBuffer(`http://${fa.info.volume}/${fids[i]}?readDeleted=true`)
        const assigned = await clientB.unary<{ file_id: string; location: { url: string } }>(
          'AssignVolume',
          { count: 1, path: `${directory}/f${i}` },
        )
        await postBuffer(`http://${assigned.location.url}/${assigned.file_id}`, body)
        const entry = fileEntry(`f${i}`, i) as { chunks: object[] }
        await clientB.create(directory, {
          ...entry,
          chunks: [{ ...entry.chunks[0], fid: undefined, file_id: assigned.file_id }],
        })
      })
      const copySeconds = (performance.now() - t) / 1000
      copyLimit = { rate: events / copySeconds, seconds: copySeconds, cpu: cpu.shares() }
    }

    // The replicator, from checkpoint 0, until everything is applied and verify is clean.
    ctx.log(`metadata/${kind}: replicating ${events} events A→B`)
    const run = await catchUp(
      `replicator-${kind}`,
      fa,
      fb,
      { path: '/m', events, budgetMs: ctx.quick ? 120_000 : 600_000 },
      (r) => (replicator = r),
    )
    const { seconds, verify: summary } = run
    const rate = events / seconds
    const name = `${kind}: events/s`
    return {
      checks: [
        evaluate({ name, value: rate, unit: 'events/s', op: '>=', threshold: 5000 }),
        evaluate({
          name,
          value: rate,
          unit: 'events/s',
          op: '>=',
          threshold: 0.5,
          limit: limitRate,
          limitName: `direct CreateEntry on B, ${CONCURRENCY} in flight`,
        }),
        ...(copyLimit
          ? [
              evaluate({
                name,
                value: rate,
                unit: 'events/s',
                op: '>=',
                threshold: 0,
                limit: copyLimit.rate,
                limitName: `the same chunk copies and creates by a bare client, ${CONCURRENCY} in flight`,
                info: true,
              }),
            ]
          : []),
        mustBeZero(`${kind}: verify differences`, summary.totalErrors),
      ],
      details: {
        [kind]: {
          events,
          directories: dirs,
          files,
          populateSeconds: round2(populateSeconds),
          limit: {
            creates: limitDirs + limitFiles,
            seconds: round2(limitSeconds),
            eventsPerSecond: Math.round(limitRate),
            cpu: limitCpu,
          },
          ...(copyLimit
            ? {
                copyLimit: {
                  seconds: round2(copyLimit.seconds),
                  eventsPerSecond: Math.round(copyLimit.rate),
                  cpu: copyLimit.cpu,
                },
              }
            : {}),
          replication: {
            seconds: round2(seconds),
            eventsPerSecond: Math.round(rate),
            cpu: run.cpu,
            applied: run.done.applied,
          },
          verify: summary,
        },
      },
    }
  } finally {
    clientA.close()
    clientB.close()
    await replicator?.stop()
    await Promise.all([fa.stop(), fb.stop()])
  }
}

export const metadataScenario: Scenario = {
  id: 'metadata',
  title: 'catch-up metadata',
  async run(ctx) {
    const inline = await variant(ctx, 'inline')
    const chunked = await variant(ctx, 'chunked')
    return {
      checks: [...inline.checks, ...chunked.checks],
      details: { ...inline.details, ...chunked.details },
    }
  },
}
