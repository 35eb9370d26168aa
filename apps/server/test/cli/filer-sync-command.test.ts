import { createServer } from 'node:net'
import { startEmbeddedFiler, type EmbeddedFiler } from '@seasync/embedded-filer'
import * as core from '@seasync/sync-core'
import { checkpointKey, decodeCheckpoint, FilerClient } from '@seasync/sync-core'
import { afterEach, describe, expect, it } from 'vitest'
import {
  filerSyncConfigFromFlags,
  filerSyncFlags,
  formatNs,
} from '../../src/cli/filer-sync-command.js'
import { parseFlags } from '../../src/cli/go-flags.js'
import { main } from '../../src/cli/main.js'
import { recordingIo } from '../support/cli-io.js'

const cleanups: (() => Promise<void> | void)[] = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
})

const config = (...argv: string[]) =>
  filerSyncConfigFromFlags(parseFlags(filerSyncFlags, argv).values, core)

describe('filerSyncConfigFromFlags', () => {
  it('maps the defaults: both directions, / to /, deletes on, 32 and 32, no metrics', () => {
    const c = config('-a', 'h1:8888', '-b', 'h2:9999.19000')
    expect(c.metrics).toBeUndefined()
    expect(c.warnings).toEqual([])
    expect(Object.isFrozen(c)).toBe(true)
    expect(c.directions.map((d) => d.name)).toEqual(['A->B', 'B->A'])
    const [ab, ba] = c.directions
    const defaults = {
      sourcePath: '/',
      targetPath: '/',
      excludePaths: [],
      doDeleteFiles: true,
      sourceFilerProxy: false,
      targetFilerProxy: false,
      placement: {},
      concurrency: 32,
      chunkConcurrency: 32,
      fromTsMs: 0,
      logReceivedEvents: false,
    }
    expect(ab!.options).toEqual({
      sourceAddress: 'h1:8888',
      targetAddress: 'h2:9999.19000',
      ...defaults,
    })
    expect(ba!.options).toEqual({
      sourceAddress: 'h2:9999.19000',
      targetAddress: 'h1:8888',
      ...defaults,
    })
    // Metric labels: HTTP addresses, raw addresses in clientName, the source path as given.
    expect(ab!.labels).toEqual({
      sourceFiler: 'h1:8888',
      targetFiler: 'h2:9999',
      clientName: 'syncFrom_h1:8888_To_h2:9999.19000',
      path: '/',
    })
    expect(ba!.labels).toEqual({
      sourceFiler: 'h2:9999',
      targetFiler: 'h1:8888',
      clientName: 'syncFrom_h2:9999.19000_To_h1:8888',
      path: '/',
    })
    expect(ba!.source.grpcAddress).toBe('h2:19000')
  })

  it('maps every flag: source-side flags from X, target-side flags from Y', () => {
    const c = config(
      '-a=h1:8888',
      '-b=h2:8888',
      '-a.path=/data',
      '-b.path',
      '/backup',
      '-a.excludePaths=/data/tmp, /data/x',
      '-b.excludePaths=/backup/skip',
      '-a.doDeleteFiles=false',
      '-b.doDeleteFiles=true',
      '-a.filerProxy',
      '-b.filerProxy=false',
      '-a.fromTsMs=1700000000000',
      '-b.fromTsMs',
      '1600000000000',
      '-a.replication=001',
      '-a.collection=ca',
      '-a.ttlSec=60',
      '-a.disk=ssd',
      '-b.replication=010',
      '-b.collection=cb',
      '-b.ttlSec=120',
      '-b.disk=hdd',
      '-concurrency=8',
      '-chunkConcurrency=4',
      '-metricsPort=9327',
      '-metricsIp=0.0.0.0',
    )
    expect(c.metrics).toEqual({ ip: '0.0.0.0', port: 9327 })
    const [ab, ba] = c.directions
    expect(ab!.options).toEqual({
      sourceAddress: 'h1:8888',
      targetAddress: 'h2:8888',
      sourcePath: '/data',
      targetPath: '/backup',
      excludePaths: ['/data/tmp', ' /data/x'], // no trimming, as weed
      doDeleteFiles: true, // -b.doDeleteFiles: deletes applied to B
      sourceFilerProxy: true,
      targetFilerProxy: false,
      placement: { replication: '010', collection: 'cb', ttlSec: 120, diskType: 'hdd' },
      concurrency: 8,
      chunkConcurrency: 4,
      fromTsMs: 1_700_000_000_000,
      logReceivedEvents: false,
    })
    expect(ba!.options).toEqual({
      sourceAddress: 'h2:8888',
      targetAddress: 'h1:8888',
      sourcePath: '/backup',
      targetPath: '/data',
      excludePaths: ['/backup/skip'],
      doDeleteFiles: false, // -a.doDeleteFiles
      sourceFilerProxy: false,
      targetFilerProxy: true,
      placement: { replication: '001', collection: 'ca', ttlSec: 60, diskType: 'ssd' },
      concurrency: 8,
      chunkConcurrency: 4,
      fromTsMs: 1_600_000_000_000,
      logReceivedEvents: false,
    })
    expect(ab!.labels.path).toBe('/data')
    expect(ba!.labels.path).toBe('/backup')
  })

  it('runs only A->B with -isActivePassive', () => {
    const c = config('-a', 'h1:8888', '-b', 'h2:8888', '-isActivePassive')
    expect(c.directions.map((d) => d.name)).toEqual(['A->B'])
  })

  it("gives each direction each side's TLS: A's as the A->B source and the B->A target", () => {
    const tlsA = { grpc: { ca: 'CA-A', cert: 'C', key: 'K' } }
    const tlsB = { https: { insecureSkipVerify: true } }
    const { values } = parseFlags(filerSyncFlags, ['-a=h1:8888', '-b=h2:8888'])
    const c = filerSyncConfigFromFlags(values, core, { a: tlsA, b: tlsB })
    expect(c.directions[0]!.options).toMatchObject({ sourceTls: tlsA, targetTls: tlsB })
    expect(c.directions[1]!.options).toMatchObject({ sourceTls: tlsB, targetTls: tlsA })
    expect(config('-a=h1:8888', '-b=h2:8888').directions[0]!.options).not.toHaveProperty(
      'sourceTls',
    )
  })

  it('maps -x.debug to the direction reading X, clamps concurrency as weed', () => {
    const c = config(
      ...['-a=h1:8888', '-b=h2:8888', '-b.debug'],
      ...['-concurrency=2000', '-chunkConcurrency=-1', '-a.fromTsMs=-5'],
    )
    expect(c.warnings).toEqual([
      '-concurrency 2000 is out of range: using 32',
      '-chunkConcurrency -1 is out of range: using 32',
    ])
    expect(c.directions[1]!.options.logReceivedEvents).toBe(true) // -b.debug: what B sends
    expect(c.directions[0]!.options).toMatchObject({
      logReceivedEvents: false,
      concurrency: 32,
      chunkConcurrency: 32,
      fromTsMs: 0,
    })
    expect(config('-a=h1:8888', '-b=h2:8888', '-chunkConcurrency=5000').warnings).toEqual([
      '-chunkConcurrency 5000 is out of range: using 1024',
    ])
  })
})

describe('seasync filer.sync flags', () => {
  it('is listed by `seasync help` and shows its flags for `help filer.sync`', async () => {
    const list = recordingIo()
    expect(await main(['help'], list)).toBe(0)
    expect(list.out.join('')).toMatch(/\n\s+filer\.sync\s+continuously replicate/)
    const io = recordingIo()
    expect(await main(['help', 'filer.sync'], io)).toBe(0)
    const usage = io.out.join('')
    for (const name of Object.keys(filerSyncFlags)) expect(usage).toContain(`  -${name}`)
    expect(usage).toContain('  -concurrency int\n    \tevents applied in parallel')
    expect(usage).toContain('(default "127.0.0.1")')
  })

  it.each([
    [['-b', 'h2:8888'], '-a is required: filer A as host:port[.grpcPort]'],
    [['-a', 'h1:8888'], '-b is required: filer B as host:port[.grpcPort]'],
    [['-a', 'h1:x', '-b', 'h2:8888'], 'invalid value "h1:x" for flag -a: invalid filer address'],
    [['-a=h1:8888', '-b=h2:60000'], 'invalid value "h2:60000" for flag -b: invalid filer address'],
    [['-a=h1:8888', '-b=h2:8888', '-a.path=data'], 'for flag -a.path: must be absolute'],
    [['-a=h1:8888', '-b=h2:8888', '-b.path='], 'invalid value "" for flag -b.path'],
    [['-a=h1:8888', '-b=h2:8888', '-b.ttlSec=-1'], 'for flag -b.ttlSec: must not be negative'],
    [['-a=h1:8888', '-b=h2:8888', '-concurrency=0'], 'for flag -concurrency: must be 1..1024'],
    [['-a=h1:8888', '-b=h2:8888', '-metricsPort=70000'], 'for flag -metricsPort: must be 0..65535'],
    [['-a=h1:8888', '-a.fromTsMs=soon'], 'invalid value "soon" for flag -a.fromTsMs: parse error'],
    [['-isActivePassive=maybe'], 'invalid boolean value "maybe" for -isActivePassive'],
    [['-a.doDeleteFiles=no'], 'invalid boolean value "no" for -a.doDeleteFiles'],
    [['-chunkConcurrency'], 'flag needs an argument: -chunkConcurrency'],
    [['-c.path=/'], 'flag provided but not defined: -c.path'],
    [['-a=h1:8888', '-b=h2:8888', 'extra'], 'unexpected argument: extra'],
  ])('refuses %j with the usage, exit 2', async (argv, message) => {
    const io = recordingIo()
    expect(await main(['filer.sync', ...argv], io)).toBe(2)
    const err = io.err.join('')
    expect(err).toContain(message)
    expect(err).toContain('Usage: seasync filer.sync -a')
    expect(io.out).toEqual([])
  })

  it('stops at once, exit 0, when shutdown came during startup', async () => {
    const io = recordingIo()
    io.stop('SIGINT')
    expect(await main(['filer.sync', '-a', '127.0.0.1:1.2', '-b', '127.0.0.1:3.4'], io)).toBe(0)
    expect(io.err.join('')).toMatch(/ info SIGINT: saving checkpoints\n/)
    expect(io.err.join('')).not.toContain('saved checkpoint')
  })
})

describe('formatNs', () => {
  it('prints the instant to the nanosecond and the raw value', () => {
    expect(formatNs(1_700_000_000_123_456_789n)).toBe(
      '2023-11-14T22:13:20.123456789Z(1700000000123456789)',
    )
    expect(formatNs(0n)).toBe('the beginning (0)')
  })
})

// ---- end to end: two embedded filers, the command in-process ----------------------------------

async function filer(): Promise<EmbeddedFiler> {
  const f = await startEmbeddedFiler({ port: 0 })
  cleanups.push(() => f.close())
  return f
}

async function put(f: EmbeddedFiler, path: string, body: string): Promise<void> {
  const response = await fetch(`http://${f.httpAddress}${path}`, { method: 'PUT', body })
  expect(response.status).toBe(201)
}

/** The body of `path` on `f`, or undefined for 404. */
async function read(f: EmbeddedFiler, path: string): Promise<string | undefined> {
  const response = await fetch(`http://${f.httpAddress}${path}`)
  if (response.status === 404) {
    await response.body?.cancel()
    return undefined
  }
  return response.text()
}

/** Runs `seasync filer.sync …` in-process; `stop()` is SIGTERM. */
function runSync(args: readonly string[]) {
  const io = recordingIo()
  const exit = main(['filer.sync', ...args], io)
  cleanups.push(async () => {
    io.stop()
    await exit
  })
  return { io, exit, stderr: () => io.err.join('') }
}

async function checkpointOn(target: EmbeddedFiler, source: EmbeddedFiler): Promise<bigint> {
  const client = new FilerClient(target.address)
  try {
    return decodeCheckpoint(await client.kvGet(checkpointKey('/', source.signature)))
  } finally {
    client.close()
  }
}

async function freePort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as { port: number }
  await new Promise<void>((resolve) => server.close(() => resolve()))
  return port
}

const POLL = { timeout: 15_000, interval: 100 }

describe('seasync filer.sync end to end', () => {
  it(
    'replicates both ways, then saves both checkpoints on SIGTERM, exit 0',
    { timeout: 60_000 },
    async () => {
      const a = await filer()
      const b = await filer()
      const sync = runSync(['-a', a.address, '-b', b.address])

      await put(a, '/docs/from-a.txt', 'hello from A')
      await expect.poll(() => read(b, '/docs/from-a.txt'), POLL).toBe('hello from A')
      await put(b, '/docs/from-b.txt', 'hello from B')
      await expect.poll(() => read(a, '/docs/from-b.txt'), POLL).toBe('hello from B')
      // No ping-pong: A's file is still A's content on both sides after B→A ran.
      expect(await read(a, '/docs/from-a.txt')).toBe('hello from A')

      sync.io.stop('SIGTERM')
      expect(await sync.exit).toBe(0)
      const err = sync.stderr()
      expect(err).toMatch(/ info SIGTERM: saving checkpoints\n/)
      expect(err).toMatch(/ info saved checkpoint for A->B on shutdown: \S+Z\(\d+\)\n/)
      expect(err).toMatch(/ info saved checkpoint for B->A on shutdown: \S+Z\(\d+\)\n/)
      // weed's start line (spec §9.2): HTTP addresses with their signatures.
      expect(err).toContain(
        `A->B: start sync ${a.httpAddress}(${a.signature}) => ${b.httpAddress}(${b.signature}) from the beginning (0)`,
      )
      expect(err).toContain(
        `B->A: start sync ${b.httpAddress}(${b.signature}) => ${a.httpAddress}(${a.signature}) from the beginning (0)`,
      )
      expect(err).not.toMatch(/ (warn|error) /)
      for (const line of err.trimEnd().split('\n')) {
        expect(line).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z (info|warn|error) /)
      }
      // Checkpoints in weed's format: A→B's in B's KV, B→A's in A's, each matching its log line.
      const ab = await checkpointOn(b, a)
      const ba = await checkpointOn(a, b)
      expect(ab).toBeGreaterThan(0n)
      expect(ba).toBeGreaterThan(0n)
      expect(err).toContain(`saved checkpoint for A->B on shutdown: ${formatNs(ab)}`)
      expect(err).toContain(`saved checkpoint for B->A on shutdown: ${formatNs(ba)}`)
    },
  )

  it('with -isActivePassive replicates only A to B', { timeout: 60_000 }, async () => {
    const a = await filer()
    const b = await filer()
    const sync = runSync(['-a', a.address, '-b', b.address, '-isActivePassive'])

    await put(b, '/only-on-b.txt', 'B stays B')
    await put(a, '/from-a.txt', 'A to B')
    await expect.poll(() => read(b, '/from-a.txt'), POLL).toBe('A to B')
    await new Promise((resolve) => setTimeout(resolve, 1000))
    expect(await read(a, '/only-on-b.txt')).toBeUndefined()

    sync.io.stop('SIGINT')
    expect(await sync.exit).toBe(0)
    const err = sync.stderr()
    expect(err).toContain('saved checkpoint for A->B on shutdown: ')
    expect(err).not.toContain('B->A')
    expect(await checkpointOn(a, b)).toBe(0n)
  })

  it(
    'serves the offset gauge on -metricsPort with weed’s labels',
    { timeout: 60_000 },
    async () => {
      const a = await filer()
      const b = await filer()
      const port = await freePort()
      const sync = runSync(['-a', a.address, '-b', b.address, '-metricsPort', String(port)])
      await expect
        .poll(() => sync.stderr(), POLL)
        .toContain(`metrics at http://127.0.0.1:${port}/metrics`)
      await put(a, '/m/file.txt', 'metrics')
      await expect.poll(() => read(b, '/m/file.txt'), POLL).toBe('metrics')

      const scrape = async () => (await fetch(`http://127.0.0.1:${port}/metrics`)).text()
      const labels =
        `sourceFiler="${a.httpAddress}",targetFiler="${b.httpAddress}",` +
        `clientName="syncFrom_${a.address}_To_${b.address}",path="/"`
      // The gauge appears with the first periodic save (every 3 s while the watermark moves).
      await expect
        .poll(scrape, { timeout: 15_000, interval: 250 })
        .toMatch(
          new RegExp(`^SeaweedFS_filerSync_sync_offset\\{${escapeRegExp(labels)}\\} \\d{19}$`, 'm'),
        )
      const text = await scrape()
      expect(text).toContain('# TYPE SeaweedFS_filerSync_sync_offset gauge\n')
      expect(text).toContain('# HELP SeaweedFS_filerSync_sync_offset ')
      for (const name of [
        'seasync_sync_lag_seconds',
        'seasync_sync_failures',
        'seasync_sync_backlog',
      ]) {
        expect(text).toContain(`# TYPE ${name} gauge\n`)
        expect(text).toContain(`${name}{${labels}} `)
      }
      expect(text).toContain(`seasync_sync_events_applied_total{${labels}} `)
      expect(text).toContain(`seasync_sync_lag_seconds{${labels}} 0\n`) // caught up
      expect(text).toMatch(
        new RegExp(`^seasync_sync_streaming\\{${escapeRegExp(labels)}\\} 1$`, 'm'),
      )
      expect((await fetch(`http://127.0.0.1:${port}/other`)).status).toBe(404)
      expect(sync.stderr()).toMatch(
        / info sync \S+ to \S+ progressed to \S+Z\(\d+\) \d+\.\d\d\/sec\n/,
      )

      sync.io.stop()
      expect(await sync.exit).toBe(0)
      // Closed on shutdown.
      await expect(fetch(`http://127.0.0.1:${port}/metrics`)).rejects.toThrow()
    },
  )

  it(
    'with -a.fromTsMs starts A->B from that time, skipping older changes',
    { timeout: 60_000 },
    async () => {
      const a = await filer()
      const b = await filer()
      await put(a, '/old.txt', 'before the start')
      await new Promise((resolve) => setTimeout(resolve, 20))
      const fromTsMs = Date.now()
      const sync = runSync([
        '-a',
        a.address,
        '-b',
        b.address,
        '-isActivePassive',
        `-a.fromTsMs=${fromTsMs}`,
      ])
      await put(a, '/new.txt', 'after the start')
      await expect.poll(() => read(b, '/new.txt'), POLL).toBe('after the start')
      expect(await read(b, '/old.txt')).toBeUndefined()
      sync.io.stop()
      expect(await sync.exit).toBe(0)
      expect(sync.stderr()).toContain(
        `A->B: setOffset from timestamp ms success! start offset: ${BigInt(fromTsMs) * 1_000_000n} from ${a.address} to ${b.address}`,
      )
      expect(await checkpointOn(b, a)).toBeGreaterThan(BigInt(fromTsMs) * 1_000_000n)
    },
  )

  it(
    'exits 1 when -metricsPort is taken, stopping what it built',
    { timeout: 30_000 },
    async () => {
      const taken = createServer()
      await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve))
      cleanups.push(() => new Promise<void>((resolve) => taken.close(() => resolve())))
      const { port } = taken.address() as { port: number }
      const sync = runSync(['-a', '127.0.0.1:1.2', '-b', '127.0.0.1:3.4', `-metricsPort=${port}`])
      expect(await sync.exit).toBe(1)
      expect(sync.stderr()).toContain('seasync filer.sync: listen EADDRINUSE')
    },
  )

  it(
    'refuses to sync a filer with itself: exit 1 with the signature message',
    { timeout: 30_000 },
    async () => {
      const a = await filer()
      const sync = runSync(['-a', a.address, '-b', a.address])
      expect(await sync.exit).toBe(1)
      const err = sync.stderr()
      expect(err).toContain(`A->B: refusing to sync ${a.address} (signature ${a.signature})`)
      expect(err).toContain('signatures must differ and be non-zero')
      expect(err).toMatch(/ error exiting: A->B( and B->A)? failed\n$/)
    },
  )
})

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
}
