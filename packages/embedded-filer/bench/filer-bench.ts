/**
 * How fast is the embedded filer? Two figures later benchmarks must stay far below:
 *  - small-file CreateEntry calls per second over gRPC (64 in flight),
 *  - MB/s of chunk GETs from its volume server (8 in flight, 4 MiB chunks).
 * The filer runs in its own process (bench/filer-process.ts) with its data in a temp dir; next to
 * each rate is the share of one core the filer process used meanwhile, so a client-bound figure is
 * told apart from a filer-bound one.
 * Usage: pnpm bench:filer [--quick]   → one JSON object on stdout.
 */
import { spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import * as grpc from '@grpc/grpc-js'
import {
  channelOptions,
  loadFilerProto,
  type AssignVolumeResponseOutput,
  type SeaweedFilerClient,
} from '@seasync/proto'

const quick = process.argv.includes('--quick')
const CREATES = quick ? 5_000 : 30_000
const CREATE_CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 64)
const CHUNK_BYTES = 4 << 20
const CHUNKS = quick ? 16 : 64
const GET_ROUNDS = quick ? 2 : 4
const GET_CONCURRENCY = 8

const dataDir = mkdtempSync(join(tmpdir(), 'seasync-filer-bench-'))
const child = spawn(
  process.execPath,
  [
    // BENCH_CPU_PROF=<dir> writes a .cpuprofile of the filer process there (open in Chrome DevTools).
    ...(process.env.BENCH_CPU_PROF
      ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`]
      : []),
    '--conditions=@seasync/source',
    '--import',
    'tsx',
    fileURLToPath(new URL('filer-process.ts', import.meta.url)),
    dataDir,
  ],
  { stdio: ['pipe', 'pipe', 'inherit'] },
)
const ready = await new Promise<{ grpc: string; volume: string; pid: number }>(
  (resolve, reject) => {
    createInterface({ input: child.stdout }).once('line', (line) =>
      resolve(JSON.parse(line) as { grpc: string; volume: string; pid: number }),
    )
    child.once('exit', (code) => reject(new Error(`filer process exited with ${code}`)))
  },
)

const proto = loadFilerProto()
const client: SeaweedFilerClient = new proto.filer_pb.SeaweedFiler(
  ready.grpc,
  grpc.credentials.createInsecure(),
  channelOptions,
)
const unary = <Res>(method: string, req: object): Promise<Res> =>
  new Promise((resolve, reject) =>
    (
      client as unknown as Record<
        string,
        (r: object, cb: (e: Error | null, res: Res) => void) => void
      >
    )[method]!.call(client, req, (e, res) => (e ? reject(e) : resolve(res))),
  )

async function pool(
  total: number,
  concurrency: number,
  task: (i: number) => Promise<void>,
): Promise<void> {
  let next = 0
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < total) await task(next++)
    }),
  )
}

/** CPU seconds (user + system) the filer process has used so far, from /proc (Linux). */
function filerCpuSeconds(): number {
  const fields = readFileSync(`/proc/${ready.pid}/stat`, 'utf8').split(') ')[1]!.split(' ')
  // utime and stime are fields 14 and 15 of stat; after "pid (comm) " they are at 11 and 12.
  return (Number(fields[11]) + Number(fields[12])) / 100
}

// 1. Small-file CreateEntry calls per second (1 KiB inline content, 100 per directory).
const content = Buffer.alloc(1024, 7)
let cpuStart = filerCpuSeconds()
let start = performance.now()
await pool(CREATES, CREATE_CONCURRENCY, async (i) => {
  await unary('CreateEntry', {
    directory: `/bench/d${Math.floor(i / 100)}`,
    entry: { name: `f${i}`, content, attributes: { file_size: 1024, mtime: 1, file_mode: 0o644 } },
  })
})
const createSeconds = (performance.now() - start) / 1000
const createCpu = filerCpuSeconds() - cpuStart

// 2. Chunk GET MB/s: upload CHUNKS needles of 4 MiB, then read them all GET_ROUNDS times.
const chunk = Buffer.alloc(CHUNK_BYTES)
for (let i = 0; i < chunk.length; i += 4) chunk.writeUInt32LE((i * 2654435761) >>> 0, i)
const fids: string[] = []
for (let i = 0; i < CHUNKS; i++) {
  const a = await unary<AssignVolumeResponseOutput>('AssignVolume', {
    count: 1,
    path: `/bench/big/${i}`,
  })
  const res = await fetch(`http://${a.location!.url}/${a.file_id}`, { method: 'POST', body: chunk })
  if (res.status !== 201) throw new Error(`upload failed: ${res.status}`)
  fids.push(a.file_id!)
}
let bytes = 0
cpuStart = filerCpuSeconds()
start = performance.now()
await pool(CHUNKS * GET_ROUNDS, GET_CONCURRENCY, async (i) => {
  const res = await fetch(`http://${ready.volume}/${fids[i % CHUNKS]}?readDeleted=true`, {
    headers: { 'Accept-Encoding': 'identity' },
  })
  const body = await res.arrayBuffer()
  if (body.byteLength !== CHUNK_BYTES) throw new Error(`short read ${body.byteLength}`)
  bytes += body.byteLength
})
const getSeconds = (performance.now() - start) / 1000
const getCpu = filerCpuSeconds() - cpuStart

client.close()
child.stdin.end()
await new Promise((resolve) => child.once('exit', resolve))
rmSync(dataDir, { recursive: true, force: true })

console.log(
  JSON.stringify(
    {
      createEntry: {
        calls: CREATES,
        concurrency: CREATE_CONCURRENCY,
        seconds: round(createSeconds),
        perSecond: Math.round(CREATES / createSeconds),
        filerCpuShareOfOneCore: round(createCpu / createSeconds),
      },
      chunkGet: {
        chunkMiB: CHUNK_BYTES / 2 ** 20,
        reads: CHUNKS * GET_ROUNDS,
        concurrency: GET_CONCURRENCY,
        seconds: round(getSeconds),
        mbPerSecond: round(bytes / 2 ** 20 / getSeconds),
        filerCpuShareOfOneCore: round(getCpu / getSeconds),
      },
    },
    null,
    2,
  ),
)

function round(n: number): number {
  return Math.round(n * 100) / 100
}
