/**
 * The edge runtime against two real embedded filers: replication, pause/resume, restart from the
 * checkpoints, checkpoints set by hand, failures, history, metrics and the event stream. Edges are
 * inserted into the database directly and announced with `app.topologyEvents.notify`, as the
 * topology store does after its commit.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startEmbeddedFiler, type EmbeddedFiler } from '@seasync/embedded-filer'
import { checkpointKey, FilerClient } from '@seasync/sync-core'
import { afterEach, describe, expect, it } from 'vitest'
import { buildApp, type SeaSyncApp } from '../../src/app.js'
import type { ReplicationPluginOptions } from '../../src/plugins/replication.js'
import type {
  CheckpointList,
  EdgeStatus,
  FailureList,
  HistoryResponse,
  StatusList,
} from '../../src/schemas/runtime.js'
import { testConfig } from '../support/app.js'

const cleanups: (() => unknown)[] = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
})

/** Short intervals: checkpoints every 200 ms, samples every 200 ms. */
const FAST: ReplicationPluginOptions = {
  checkpointIntervalMs: 200,
  sampleIntervalMs: 200,
  observeIntervalMs: 100,
  compactIntervalMs: 60_000,
}

async function filer(): Promise<EmbeddedFiler> {
  const f = await startEmbeddedFiler({ maxMB: 1, subscribe: { heartbeatIntervalMs: 200 } })
  cleanups.push(() => f.close())
  return f
}

async function dataDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'seasync-replication-'))
  cleanups.push(() => rm(dir, { recursive: true, force: true }))
  return dir
}

async function app(dir: string, options: ReplicationPluginOptions = FAST): Promise<SeaSyncApp> {
  const a = buildApp(testConfig({ dataDir: dir }), { replication: options })
  cleanups.push(() => a.close())
  await a.ready()
  return a
}

interface EdgeInput {
  id?: string
  aPath?: string
  bPath?: string
  mode?: 'one-way' | 'active-active'
  paused?: boolean
}

/** Stores clusters `a` and `b` (once) and an edge between them, then announces the edge. */
function addEdge(
  server: SeaSyncApp,
  a: EmbeddedFiler,
  b: EmbeddedFiler,
  {
    id = 'a-b',
    aPath = '/data',
    bPath = '/backup',
    mode = 'one-way',
    paused = false,
  }: EdgeInput = {},
): string {
  const now = Date.now()
  const cluster = server.db.prepare(
    'INSERT OR IGNORE INTO clusters (id, name, addresses, created_at, updated_at) VALUES (?, ?, ?, ?, ?)',
  )
  cluster.run('a', 'A', JSON.stringify([a.address]), now, now)
  cluster.run('b', 'B', JSON.stringify([b.address]), now, now)
  server.db
    .prepare(
      `INSERT INTO edges (id, a_cluster, a_path, b_cluster, b_path, mode, paused, created_at,
         updated_at) VALUES (?, 'a', ?, 'b', ?, ?, ?, ?, ?)`,
    )
    .run(id, aPath, bPath, mode, paused ? 1 : 0, now, now)
  server.topologyEvents.notify({ edgesAdded: [id] })
  return id
}

async function put(f: EmbeddedFiler, path: string, body: string): Promise<void> {
  const response = await fetch(`http://${f.httpAddress}${path}`, { method: 'PUT', body })
  expect(response.status).toBe(201)
}

/** The file's text, or undefined when it does not exist. */
async function read(f: EmbeddedFiler, path: string): Promise<string | undefined> {
  const response = await fetch(`http://${f.httpAddress}${path}`)
  if (response.status === 404) return undefined
  expect(response.status).toBe(200)
  return response.text()
}

async function status(server: SeaSyncApp, id: string): Promise<EdgeStatus> {
  const response = await server.inject({ method: 'GET', url: `/api/v1/edges/${id}/status` })
  expect(response.statusCode).toBe(200)
  return response.json<EdgeStatus>()
}

const poll = { timeout: 15_000, interval: 100 }

function audit(server: SeaSyncApp, action: string): Record<string, unknown>[] {
  return server.db
    .prepare<[string], { actor: string; details: string }>(
      'SELECT actor, details FROM audit_log WHERE action = ? ORDER BY id',
    )
    .all(action)
    .map((row) => ({ actor: row.actor, ...(JSON.parse(row.details) as Record<string, unknown>) }))
}

describe('edge runtime', () => {
  it('replicates; pause stops it while lag grows; resume catches up to in sync', async () => {
    const [a, b] = [await filer(), await filer()]
    const server = await app(await dataDir())
    const id = addEdge(server, a, b)

    await put(a, '/data/one.txt', 'one')
    await expect.poll(() => read(b, '/backup/one.txt'), poll).toBe('one')
    await expect.poll(async () => (await status(server, id)).state, poll).toBe('in-sync')
    // Nothing being copied: no chunk copies, no large files (sync-core tests their progress).
    expect((await status(server, id)).directions[0]).toMatchObject({ inFlight: [], largeFiles: [] })

    const paused = await server.inject({ method: 'POST', url: `/api/v1/edges/${id}/pause` })
    expect(paused.statusCode).toBe(200)
    expect(paused.json<EdgeStatus>()).toMatchObject({ paused: true, state: 'paused' })
    expect(paused.json<EdgeStatus>().directions[0]).toMatchObject({ replicatorState: null })
    expect(server.db.prepare('SELECT paused FROM edges WHERE id = ?').get(id)).toEqual({
      paused: 1,
    })
    expect(audit(server, 'edge.pause')).toEqual([{ actor: 'api:127.0.0.1', edgeId: id }])

    await put(a, '/data/two.txt', 'two')
    // The source probe sees the waiting write: backlog 1 and a lag that grows.
    await expect.poll(async () => (await status(server, id)).directions[0]?.backlog, poll).toBe(1)
    await expect.poll(async () => (await status(server, id)).lagSeconds, poll).toBeGreaterThan(0)
    const before = (await status(server, id)).lagSeconds
    await new Promise((resolve) => setTimeout(resolve, 1000))
    const after = await status(server, id)
    expect(after.lagSeconds).toBeGreaterThan(before + 0.5)
    expect(after.state).toBe('paused')
    expect(await read(b, '/backup/two.txt')).toBeUndefined()

    const resumed = await server.inject({ method: 'POST', url: `/api/v1/edges/${id}/resume` })
    expect(resumed.statusCode).toBe(200)
    expect(resumed.json<EdgeStatus>().paused).toBe(false)
    await expect.poll(() => read(b, '/backup/two.txt'), poll).toBe('two')
    await expect.poll(async () => (await status(server, id)).state, poll).toBe('in-sync')
    expect((await status(server, id)).lagSeconds).toBe(0)
    expect(audit(server, 'edge.resume')).toHaveLength(1)

    // History: the sampler stored samples of the direction.
    const history = await server.inject({ method: 'GET', url: `/api/v1/edges/${id}/history` })
    expect(history.statusCode).toBe(200)
    const samples = history.json<HistoryResponse>().samples
    expect(samples.length).toBeGreaterThan(3)
    expect(new Set(samples.map((s) => s.direction))).toEqual(new Set(['a-b']))
    expect(samples.some((s) => s.state === 'paused' && (s.lagSeconds ?? 0) > 0)).toBe(true)
  })

  it('runs both directions of an active-active edge; unknown edges are 404', async () => {
    const [a, b] = [await filer(), await filer()]
    const server = await app(await dataDir())
    const id = addEdge(server, a, b, { mode: 'active-active', aPath: '/', bPath: '/' })
    await put(a, '/from-a.txt', 'a')
    await put(b, '/from-b.txt', 'b')
    await expect.poll(() => read(b, '/from-a.txt'), poll).toBe('a')
    await expect.poll(() => read(a, '/from-b.txt'), poll).toBe('b')
    const edge = await status(server, id)
    expect(edge.directions.map((d) => d.direction)).toEqual(['a-b', 'b-a'])

    const all = await server.inject({ method: 'GET', url: '/api/v1/status' })
    expect(all.json<StatusList>().edges.map((e) => e.edgeId)).toEqual([id])
    const missing = await server.inject({ method: 'POST', url: '/api/v1/edges/nope/pause' })
    expect(missing.statusCode).toBe(404)
    expect(missing.json()).toMatchObject({ error: { code: 'NOT_FOUND' } })

    // Removing the edge stops it; its status is gone.
    server.db.prepare('DELETE FROM edges WHERE id = ?').run(id)
    server.topologyEvents.notify({ edgesRemoved: [id] })
    await expect
      .poll(
        async () => (await server.inject({ url: `/api/v1/edges/${id}/status` })).statusCode,
        poll,
      )
      .toBe(404)
  })

  it('a change touches only its edge', async () => {
    const [a, b] = [await filer(), await filer()]
    const server = await app(await dataDir())
    const one = addEdge(server, a, b, { id: 'one', aPath: '/one', bPath: '/one' })
    const two = addEdge(server, a, b, { id: 'two', aPath: '/two', bPath: '/two' })
    await expect.poll(async () => (await status(server, one)).state, poll).toBe('in-sync')
    const runtimes = (server.replication as unknown as { runtimes: Map<string, unknown> }).runtimes
    const oneRuntime = runtimes.get(one)
    const oneDirection = (oneRuntime as { directionRuntimes: unknown[] }).directionRuntimes[0]

    server.db.prepare("UPDATE edges SET b_path = '/two-moved' WHERE id = ?").run(two)
    server.topologyEvents.notify({ edgesUpdated: [two] })
    await put(a, '/two/x.txt', 'x')
    await expect.poll(() => read(b, '/two-moved/x.txt'), poll).toBe('x')
    expect(runtimes.get(one)).toBe(oneRuntime)
    expect((oneRuntime as { directionRuntimes: unknown[] }).directionRuntimes[0]).toBe(oneDirection)
  })

  it('a restart resumes from the checkpoints: nothing already applied is replayed', async () => {
    const [a, b] = [await filer(), await filer()]
    const dir = await dataDir()
    const first = await app(dir)
    const id = addEdge(first, a, b)
    await put(a, '/data/applied.txt', 'applied')
    await expect.poll(() => read(b, '/backup/applied.txt'), poll).toBe('applied')
    await first.close() // drains and saves the checkpoint

    // While the server is down: a file removed on B by hand must stay removed, a new write on A
    // must arrive after the restart.
    expect(
      (await fetch(`http://${b.httpAddress}/backup/applied.txt`, { method: 'DELETE' })).status,
    ).toBeLessThan(300)
    await put(a, '/data/while-down.txt', 'later')

    const second = await app(dir)
    await expect.poll(() => read(b, '/backup/while-down.txt'), poll).toBe('later')
    await expect.poll(async () => (await status(second, id)).state, poll).toBe('in-sync')
    expect(await read(b, '/backup/applied.txt')).toBeUndefined()

    // The checkpoint where weed keeps it: B's KV, key sync./data=>/backup + A's signature.
    const response = await second.inject({ url: `/api/v1/edges/${id}/checkpoints` })
    expect(response.statusCode).toBe(200)
    const [checkpoint] = response.json<CheckpointList>().checkpoints
    expect(checkpoint).toMatchObject({
      direction: 'a-b',
      sourcePath: '/data',
      key: checkpointKey('/data', a.signature, '/backup').toString('hex'),
    })
    expect(BigInt(checkpoint!.checkpointNs)).toBeGreaterThan(0n)
  })

  it('sets a checkpoint only while paused, and resuming replays from it', async () => {
    const [a, b] = [await filer(), await filer()]
    const server = await app(await dataDir())
    const id = addEdge(server, a, b)
    const beforeWrite = Date.now() - 1
    await put(a, '/data/again.txt', 'again')
    await expect.poll(() => read(b, '/backup/again.txt'), poll).toBe('again')

    const body = { direction: 'a-b', fromTsMs: beforeWrite }
    const refused = await server.inject({
      method: 'PUT',
      url: `/api/v1/edges/${id}/checkpoints`,
      payload: body,
    })
    expect(refused.statusCode).toBe(409)
    expect(refused.json()).toMatchObject({ error: { code: 'EDGE_NOT_PAUSED' } })

    await server.inject({ method: 'POST', url: `/api/v1/edges/${id}/pause` })
    await fetch(`http://${b.httpAddress}/backup/again.txt`, { method: 'DELETE' })
    const set = await server.inject({
      method: 'PUT',
      url: `/api/v1/edges/${id}/checkpoints`,
      payload: body,
    })
    expect(set.statusCode).toBe(200)
    expect(set.json()).toMatchObject({
      direction: 'a-b',
      checkpointNs: (BigInt(beforeWrite) * 1_000_000n).toString(),
    })
    const oneWay = await server.inject({
      method: 'PUT',
      url: `/api/v1/edges/${id}/checkpoints`,
      payload: { direction: 'b-a', fromTsMs: beforeWrite },
    })
    expect(oneWay.statusCode).toBe(400)
    expect(audit(server, 'edge.checkpoint.set')).toMatchObject([
      { edgeId: id, fromTsMs: beforeWrite },
    ])

    await server.inject({ method: 'POST', url: `/api/v1/edges/${id}/resume` })
    await expect.poll(() => read(b, '/backup/again.txt'), poll).toBe('again')
  })

  it('lists failed events, retries them, and skips one with an audit row', async () => {
    const [a, b] = [await filer(), await filer()]
    // On B a directory sits where A will create a file: CreateEntry answers EXISTING_IS_DIRECTORY.
    const client = new FilerClient(b.address)
    cleanups.push(() => client.close())
    await client.createEntry({
      directory: '/backup',
      entry: { name: 'clash', is_directory: true, attributes: { mtime: 1, file_mode: 0x800001ed } },
    })
    const server = await app(await dataDir())
    const id = addEdge(server, a, b)
    await put(a, '/data/clash', 'file')

    const failures = async () =>
      (await server.inject({ url: `/api/v1/edges/${id}/failures` })).json<FailureList>().failures
    await expect.poll(async () => (await failures()).length, poll).toBe(1)
    const [failure] = await failures()
    expect(failure).toMatchObject({ direction: 'a-b', path: '/data/clash', operation: 'create' })
    expect(failure!.id).toMatch(/^a-b:\d+:\d+$/)
    expect(failure!.message).toMatch(/EXISTING_IS_DIRECTORY|is a directory/)
    expect((await status(server, id)).state).toBe('error')

    const retryAll = await server.inject({
      method: 'POST',
      url: `/api/v1/edges/${id}/failures/retry`,
    })
    expect(retryAll.json()).toEqual({ edgeId: id, count: 1 })
    await expect.poll(async () => (await failures()).length, poll).toBe(1)
    const fid = encodeURIComponent((await failures())[0]!.id)
    const retryOne = await server.inject({
      method: 'POST',
      url: `/api/v1/edges/${id}/failures/${fid}/retry`,
    })
    expect(retryOne.json()).toEqual({ edgeId: id, count: 1 })

    await expect.poll(async () => (await failures()).length, poll).toBe(1)
    const skipped = await server.inject({
      method: 'POST',
      url: `/api/v1/edges/${id}/failures/${encodeURIComponent((await failures())[0]!.id)}/skip`,
    })
    expect(skipped.statusCode).toBe(200)
    expect(audit(server, 'edge.failure.skip')).toMatchObject([
      { actor: 'api:127.0.0.1', edgeId: id, direction: 'a-b', path: '/data/clash' },
    ])
    await expect.poll(failures, poll).toEqual([])
    await expect.poll(async () => (await status(server, id)).state, poll).toBe('in-sync')

    const unknown = await server.inject({
      method: 'POST',
      url: `/api/v1/edges/${id}/failures/a-b:1:1/skip`,
    })
    expect(unknown.statusCode).toBe(404)
    expect(unknown.json()).toMatchObject({ error: { code: 'FAILURE_NOT_FOUND' } })
  })

  it('GET /metrics has weed filer.sync’s offset gauge with its labels, and per-edge series', async () => {
    const [a, b] = [await filer(), await filer()]
    const server = await app(await dataDir())
    const id = addEdge(server, a, b)
    await put(a, '/data/m.txt', 'm')
    await expect.poll(() => read(b, '/backup/m.txt'), poll).toBe('m')
    const labels =
      `sourceFiler="${a.httpAddress}",targetFiler="${b.httpAddress}",` +
      `clientName="syncFrom_${a.address}_To_${b.address}",path="/data"`
    await expect
      .poll(async () => (await server.inject({ url: '/metrics' })).body, poll)
      .toMatch(new RegExp(`^SeaweedFS_filerSync_sync_offset\\{${escape(labels)}\\} \\d{19}$`, 'm'))
    const response = await server.inject({ url: '/metrics' })
    expect(response.headers['content-type']).toBe('text/plain; version=0.0.4; charset=utf-8')
    expect(response.body).toContain('# TYPE SeaweedFS_filerSync_sync_offset gauge')
    expect(response.body).toMatch(
      new RegExp(`^seasync_edge_lag_seconds\\{edge="${id}",direction="a-b"\\} 0$`, 'm'),
    )
    expect(response.body).toMatch(
      /^seasync_edge_events_applied_total\{edge="a-b",direction="a-b"\} [1-9]/m,
    )
    expect(response.body).toMatch(
      /^seasync_edge_state\{edge="a-b",direction="a-b",state="in-sync"\} 1$/m,
    )
  })

  it('GET /metrics needs the API token when one is set', async () => {
    const server = buildApp(testConfig({ dataDir: await dataDir(), apiToken: 'x'.repeat(20) }), {
      replication: FAST,
    })
    cleanups.push(() => server.close())
    expect((await server.inject({ url: '/metrics' })).statusCode).toBe(401)
    const ok = await server.inject({
      url: '/metrics',
      headers: { authorization: `Bearer ${'x'.repeat(20)}` },
    })
    expect(ok.statusCode).toBe(200)
  })

  it('GET /api/v1/events streams status at once and topology changes; close ends it', async () => {
    const [a, b] = [await filer(), await filer()]
    const server = await app(await dataDir())
    addEdge(server, a, b)
    const address = await server.listen({ port: 0, host: '127.0.0.1' })
    const response = await fetch(`${address}/api/v1/events`)
    expect(response.status).toBe(200)
    expect(response.headers.get('content-type')).toBe('text/event-stream; charset=utf-8')
    const reader = response.body!.getReader() as ReadableStreamDefaultReader<Uint8Array>
    let text = ''
    const until = async (pattern: RegExp): Promise<void> => {
      while (!pattern.test(text)) {
        const { value, done } = await reader.read()
        if (done) throw new Error(`stream ended before ${String(pattern)}: ${text}`)
        text += new TextDecoder().decode(value)
      }
    }
    await until(/event: status\ndata: (.*)\n\n/)
    const data = /event: status\ndata: (.*)\n\n/.exec(text)![1]!
    expect((JSON.parse(data) as StatusList).edges.map((e) => e.edgeId)).toEqual(['a-b'])

    server.topologyEvents.notify({ clustersUpdated: ['zzz'] })
    await until(/event: topology\ndata: .*"clustersUpdated":\["zzz"\]/)

    // Closing the server ends the open stream instead of waiting for the client.
    await server.close()
    await until(/$^/).catch((error: unknown) => {
      expect(String(error)).toMatch(/stream ended/)
    })
  })
})

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
}
