/**
 * The embedded default: on a fresh data directory the app runs three embedded filers and the demo
 * topology (A ↔ B on `/`, B → C photos) with a writer; a restart brings the same filers back on
 * the same addresses; `-demo=false` starts nothing; `DELETE /clusters?embedded=true` removes the
 * demo for good and stops its filers.
 */
import { existsSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startEmbeddedFiler, type EmbeddedFiler } from '@seasync/embedded-filer'
import Fastify from 'fastify'
import { afterEach, describe, expect, it } from 'vitest'
import { buildApp, type SeaSyncApp } from '../../src/app.js'
import { DEMO_ACTOR, type DemoFiler } from '../../src/demo/demo-clusters.js'
import {
  DEMO_WRITER_DIRS,
  DemoWriter,
  DemoWriterDefaults,
  type DemoWriterTarget,
} from '../../src/demo/demo-writer.js'
import type { ReplicationPluginOptions } from '../../src/plugins/replication.js'
import type { StatusList } from '../../src/schemas/runtime.js'
import { loggerOptions } from '../../src/server.js'
import { logCapture, testConfig } from '../support/app.js'

const cleanups: (() => unknown)[] = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
})

const FAST: ReplicationPluginOptions = {
  checkpointIntervalMs: 200,
  sampleIntervalMs: 200,
  observeIntervalMs: 100,
  compactIntervalMs: 60_000,
}

const poll = { timeout: 15_000, interval: 100 }

interface ClusterBody {
  id: string
  name: string
  addresses: string[]
  embedded: boolean
  signature: number | null
}

interface EdgeBody {
  id: string
  a: { cluster: string; path: string }
  b: { cluster: string; path: string }
  mode: string
}

async function dataDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'seasync-demo-'))
  cleanups.push(() => rm(dir, { recursive: true, force: true }))
  return dir
}

/** The app on `dir`, ready; closed after the test unless closed before. */
async function app(dir: string, demo = true, log?: (line: string) => void): Promise<SeaSyncApp> {
  const server = buildApp(testConfig({ dataDir: dir, demo }), {
    replication: FAST,
    demo: { writerIntervalMs: 100 },
    ...(log !== undefined && { server: { logger: loggerOptions('debug', log) } }),
  })
  cleanups.push(() => server.close())
  await server.ready()
  return server
}

async function get<T>(server: SeaSyncApp, url: string): Promise<T> {
  const response = await server.inject({ method: 'GET', url: `/api/v1${url}` })
  expect(response.statusCode).toBe(200)
  return response.json<T>()
}

const clusters = async (server: SeaSyncApp) =>
  (await get<{ clusters: ClusterBody[] }>(server, '/clusters')).clusters
const edges = async (server: SeaSyncApp) =>
  (await get<{ edges: EdgeBody[] }>(server, '/edges')).edges

function filer(server: SeaSyncApp, id: string): DemoFiler {
  const running = server.demo.filers().get(id)
  if (running === undefined) throw new Error(`demo filer ${id} is not running`)
  return running
}

async function put(f: DemoFiler, path: string, body: string): Promise<void> {
  const response = await fetch(`http://${f.httpAddress}${path}`, { method: 'PUT', body })
  expect(response.status).toBe(201)
}

/** The file's text, or undefined when it does not exist. */
async function read(f: DemoFiler, path: string): Promise<string | undefined> {
  const response = await fetch(`http://${f.httpAddress}${path}`)
  if (response.status === 404) return undefined
  expect(response.status).toBe(200)
  return response.text()
}

/** Names of the files in a directory. */
async function list(f: DemoFiler, directory: string): Promise<string[]> {
  const response = await fetch(`http://${f.httpAddress}${directory}/`, {
    headers: { accept: 'application/json' },
  })
  if (response.status === 404) return []
  const body = (await response.json()) as { Entries: { FullPath: string }[] | null }
  return (body.Entries ?? []).map((entry) => entry.FullPath)
}

describe('the demo', () => {
  it('starts three filers and the demo topology on a fresh data directory, and replicates', async () => {
    const dir = await dataDir()
    const server = await app(dir)

    const stored = await clusters(server)
    expect(stored.map((c) => [c.id, c.embedded])).toEqual([
      ['demo-a', true],
      ['demo-b', true],
      ['demo-c', true],
    ])
    for (const cluster of stored) {
      const running = filer(server, cluster.id)
      expect(cluster.addresses).toEqual([running.address])
      expect(cluster.signature).toBe(running.signature)
      expect(running.dir).toBe(join(dir, 'demo', cluster.id.slice('demo-'.length)))
    }
    expect(await edges(server)).toMatchObject([
      {
        id: 'demo-a-demo-b',
        a: { cluster: 'demo-a', path: '/' },
        b: { cluster: 'demo-b', path: '/' },
        mode: 'active-active',
      },
      {
        id: 'demo-b-demo-c',
        a: { cluster: 'demo-b', path: '/buckets/photos' },
        b: { cluster: 'demo-c', path: '/mirror/photos' },
        mode: 'one-way',
      },
    ])
    expect(server.topology.audit.list().map((row) => row.actor)).toEqual(
      Array<string>(5).fill(DEMO_ACTOR),
    )

    const [a, b, c] = ['demo-a', 'demo-b', 'demo-c'].map((id) => filer(server, id)) as [
      DemoFiler,
      DemoFiler,
      DemoFiler,
    ]
    await put(a, '/test/hello.txt', 'from A')
    await expect.poll(() => read(b, '/test/hello.txt'), poll).toBe('from A')
    await put(b, '/buckets/photos/test/cat.txt', 'from B')
    await expect.poll(() => read(c, '/mirror/photos/test/cat.txt'), poll).toBe('from B')
    await expect.poll(() => read(a, '/buckets/photos/test/cat.txt'), poll).toBe('from B')

    // The writer is at work, and what it writes replicates too.
    const written = async () =>
      (await Promise.all(DEMO_WRITER_DIRS.map((d) => list(a, d)))).flat().length
    await expect.poll(written, poll).toBeGreaterThan(0)
    const status = await get<StatusList>(server, '/status')
    expect(status.edges.map((e) => [e.edgeId, e.directions.length])).toEqual([
      ['demo-a-demo-b', 2],
      ['demo-b-demo-c', 1],
    ])
    await expect
      .poll(async () => {
        const { edges } = await get<StatusList>(server, '/status')
        return edges.flatMap((e) => e.directions.map((d) => d.eventsApplied > 0))
      }, poll)
      .toEqual([true, true, true])
  })

  it('restarts the same filers on the same addresses, without a second topology', async () => {
    const dir = await dataDir()
    const first = await app(dir)
    const before = await clusters(first)
    const beforeEdges = await edges(first)
    await put(filer(first, 'demo-a'), '/test/before.txt', 'before')
    await expect.poll(() => read(filer(first, 'demo-b'), '/test/before.txt'), poll).toBe('before')
    await first.close()

    const second = await app(dir)
    expect(await clusters(second)).toEqual(before)
    expect(await edges(second)).toEqual(beforeEdges)
    for (const cluster of before) {
      const running = filer(second, cluster.id)
      expect(running.address).toBe(cluster.addresses[0])
      expect(running.signature).toBe(cluster.signature)
    }
    expect(second.topology.audit.list()).toHaveLength(5)
    const [a, b, c] = ['demo-a', 'demo-b', 'demo-c'].map((id) => filer(second, id)) as [
      DemoFiler,
      DemoFiler,
      DemoFiler,
    ]
    expect(await read(b, '/test/before.txt')).toBe('before')
    await put(a, '/buckets/photos/test/after.txt', 'after')
    await expect.poll(() => read(b, '/buckets/photos/test/after.txt'), poll).toBe('after')
    await expect.poll(() => read(c, '/mirror/photos/test/after.txt'), poll).toBe('after')
  })

  it('gives a filer whose old port is taken a free one, and its cluster the new address', async () => {
    const dir = await dataDir()
    const first = await app(dir)
    const old = filer(first, 'demo-a')
    await first.close()
    const squatter = createServer()
    await new Promise<void>((resolve) =>
      squatter.listen(Number(old.httpAddress.split(':')[1]), '127.0.0.1', resolve),
    )
    cleanups.push(() => new Promise((resolve) => squatter.close(resolve)))

    const second = await app(dir)
    const a = filer(second, 'demo-a')
    expect(a.address).not.toBe(old.address)
    expect(a.signature).toBe(old.signature)
    expect((await get<ClusterBody>(second, '/clusters/demo-a')).addresses).toEqual([a.address])
    await put(a, '/test/moved.txt', 'moved')
    await expect.poll(() => read(filer(second, 'demo-b'), '/test/moved.txt'), poll).toBe('moved')
  })

  it('starts nothing when off, not even the filers of stored embedded clusters', async () => {
    const fresh = await app(await dataDir(), false)
    expect(await clusters(fresh)).toEqual([])
    expect(fresh.demo.filers().size).toBe(0)
    expect(existsSync(join(fresh.config.dataDir, 'demo'))).toBe(false)

    const dir = await dataDir()
    await (await app(dir)).close()
    const off = await app(dir, false)
    expect((await clusters(off)).map((c) => c.id)).toEqual(['demo-a', 'demo-b', 'demo-c'])
    expect(off.demo.filers().size).toBe(0)
  })

  it('DELETE /clusters?embedded=true removes the demo, stops its filers, and it stays removed', async () => {
    const dir = await dataDir()
    const logs = logCapture()
    const server = await app(dir, true, logs.write)
    const addresses = [...server.demo.filers().values()].map((f) => f.httpAddress)
    expect(addresses).toHaveLength(3)

    const response = await server.inject({
      method: 'DELETE',
      url: '/api/v1/clusters?embedded=true',
    })
    expect(response.statusCode).toBe(200)
    expect(response.json()).toEqual({
      clusters: ['demo-a', 'demo-b', 'demo-c'],
      edges: ['demo-a-demo-b', 'demo-b-demo-c'],
    })
    expect(await clusters(server)).toEqual([])
    await expect.poll(() => server.demo.filers().size, poll).toBe(0)
    for (const address of addresses) {
      await expect(fetch(`http://${address}/`)).rejects.toThrow()
    }
    expect((await get<StatusList>(server, '/status')).edges).toEqual([])
    await server.close()
    // The filers closed after the runtime had stopped the edges on them: nothing complained.
    const complaints = logs
      .text()
      .split('\n')
      .filter((line) => /"level":[4-6]0/.test(line))
    expect(complaints).toEqual([])

    const again = await app(dir)
    expect(await clusters(again)).toEqual([])
    expect(again.demo.filers().size).toBe(0)
  })
})

/** A small seeded generator (mulberry32), after `script`'s numbers. */
function randomFrom(seed: number, script: readonly number[] = []): () => number {
  const queue = [...script]
  let state = seed
  return () => {
    const next = queue.shift()
    if (next !== undefined) return next
    state = (state + 0x6d2b79f5) | 0
    let t = Math.imul(state ^ (state >>> 15), 1 | state)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

describe('DemoWriter', () => {
  async function target(): Promise<DemoWriterTarget & EmbeddedFiler> {
    const f = await startEmbeddedFiler({ maxMB: 1 })
    cleanups.push(() => f.close())
    return { ...f, clusterId: 'a' }
  }

  function writerLog() {
    const logs = logCapture()
    const fastify = Fastify({ logger: loggerOptions('debug', logs.write) })
    cleanups.push(() => fastify.close())
    return { log: fastify.log, logs }
  }

  it('creates (a 3 MiB file in chunks too), overwrites, renames and deletes, up to maxFiles', async () => {
    const a = await target()
    const { log } = writerLog()
    // First change: a create on A (0.9), in /demo/notes (0), big (0).
    const writer = new DemoWriter({ a, b: a, log, maxFiles: 8, random: randomFrom(7, [0.9, 0, 0]) })
    cleanups.push(() => writer.stop())

    expect(await writer.step()).toMatchObject({ operation: 'create', cluster: 'a' })
    const [big] = await list(a, '/demo/notes')
    const meta = await fetch(`http://${a.httpAddress}${big}?metadata=true`)
    const entry = (await meta.json()) as { FileSize: number; chunks: unknown[] }
    expect(entry.FileSize).toBe(DemoWriterDefaults.bigFileBytes)
    expect(entry.chunks).toHaveLength(3)

    const seen = new Set<string>()
    for (let i = 0; i < 150; i++) {
      const done = await writer.step()
      seen.add(done.operation)
      const files = (await Promise.all(DEMO_WRITER_DIRS.map((d) => list(a, d)))).flat()
      expect(files.length).toBeLessThanOrEqual(8)
    }
    expect([...seen].sort()).toEqual(['create', 'delete', 'overwrite', 'rename'])

    // A new writer picks up what the last one left, so the bound holds across restarts.
    const left = (await Promise.all(DEMO_WRITER_DIRS.map((d) => list(a, d)))).flat()
    const next = new DemoWriter({ a, b: a, log, maxFiles: left.length, random: randomFrom(1) })
    cleanups.push(() => next.stop())
    expect(left.length).toBeGreaterThan(0)
    for (let i = 0; i < 30; i++) {
      await next.step()
      const files = (await Promise.all(DEMO_WRITER_DIRS.map((d) => list(a, d)))).flat()
      expect(files.length).toBeLessThanOrEqual(left.length)
    }
  })

  it('logs failed changes instead of throwing, and stops', async () => {
    const dead = await target()
    await dead.close()
    const { log, logs } = writerLog()
    const writer = new DemoWriter({ a: dead, b: dead, log, intervalMs: 20 })
    writer.start()
    await expect.poll(() => logs.text(), poll).toContain('demo change failed')
    await writer.stop()
    const lines = logs.text().length
    await new Promise((resolve) => setTimeout(resolve, 100))
    expect(logs.text()).toHaveLength(lines)
    expect(logs.text()).toContain('"level":40')
  })
})
