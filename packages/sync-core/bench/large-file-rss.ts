/**
 * Memory while one direction copies a large file: the replicator runs in this process, the two
 * filers each in their own process (embedded-filer's bench/filer-process.ts, data in temp dirs).
 * Reports this process's RSS before (idle, replicator started) and its peak while the file copies,
 * sampled every 50 ms. Usage: pnpm bench:rss [--size-mib 1024] [--chunk-concurrency 32]
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { request } from 'node:http'
import { fileURLToPath } from 'node:url'
import { FilerClient, Replicator } from '../src/index.js'

const arg = (name: string, fallback: number): number => {
  const i = process.argv.indexOf(`--${name}`)
  return i >= 0 ? Number(process.argv[i + 1]) : fallback
}
const sizeMiB = arg('size-mib', 1024)
const chunkConcurrency = arg('chunk-concurrency', 32)
const filerScript = fileURLToPath(
  new URL('../../embedded-filer/bench/filer-process.ts', import.meta.url),
)

interface Started {
  child: ChildProcess
  dir: string
  info: { grpc: string; http: string }
}

async function startFiler(): Promise<Started> {
  const dir = mkdtempSync(join(tmpdir(), 'seasync-rss-'))
  const child = spawn(
    process.execPath,
    ['--conditions=@seasync/source', '--import', 'tsx', filerScript, dir],
    {
      stdio: ['pipe', 'pipe', 'inherit'],
    },
  )
  const info = await new Promise<{ grpc: string; http: string }>((resolve, reject) => {
    createInterface({ input: child.stdout }).once('line', (line) =>
      resolve(JSON.parse(line) as { grpc: string; http: string }),
    )
    child.once('exit', (code) => reject(new Error(`filer exited ${code}`)))
  })
  return { child, dir, info }
}

const address = (s: Started): string => `${s.info.http}.${s.info.grpc.split(':').pop()}`

const a = await startFiler()
const b = await startFiler()
// Upload with node:http and back-pressure: never more than one 1 MiB block in memory here.
const total = sizeMiB * 2 ** 20
await new Promise<void>((resolve, reject) => {
  const req = request(
    `http://${a.info.http}/big/file.bin`,
    { method: 'PUT', headers: { 'Content-Length': total } },
    (res) => {
      res.resume()
      res.on('end', () =>
        res.statusCode === 201 ? resolve() : reject(new Error(`upload: ${res.statusCode}`)),
      )
    },
  )
  req.on('error', reject)
  const block = Buffer.alloc(2 ** 20)
  let i = 0
  const pump = (): void => {
    while (i < sizeMiB) {
      block.fill(i++ & 0xff)
      if (!req.write(Buffer.from(block))) return void req.once('drain', pump)
    }
    req.end()
  }
  pump()
})

global.gc?.()
const replicator = new Replicator({
  sourceAddress: address(a),
  targetAddress: address(b),
  chunkConcurrency,
})
await new Promise((r) => setTimeout(r, 500))
const idle = process.memoryUsage().rss
let peak = idle
const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 50)
const start = performance.now()
replicator.start()
const target = new FilerClient(address(b))
for (;;) {
  const entry = await target.lookupEntry('/big', 'file.bin')
  if (entry) break
  await new Promise((r) => setTimeout(r, 200))
}
const seconds = (performance.now() - start) / 1000
clearInterval(sampler)
await replicator.stop()
target.close()
for (const f of [a, b]) {
  f.child.stdin!.end()
  await new Promise((r) => f.child.once('exit', r))
  rmSync(f.dir, { recursive: true, force: true })
}
const MiB = 2 ** 20
console.log(
  JSON.stringify(
    {
      fileMiB: sizeMiB,
      chunkMiB: 4,
      chunkConcurrency,
      seconds: Math.round(seconds * 100) / 100,
      mbPerSecond: Math.round((total / MiB / seconds) * 10) / 10,
      idleRssMiB: Math.round(idle / MiB),
      peakRssMiB: Math.round(peak / MiB),
      aboveIdleMiB: Math.round((peak - idle) / MiB),
    },
    null,
    2,
  ),
)
