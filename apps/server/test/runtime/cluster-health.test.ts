/**
 * The cluster health monitor: the verdict table, rounds that never overlap, topology changes
 * (probe at once, forget removed, drop stale answers) against a fake probe; then the routes,
 * the status event's list and `/metrics` against real embedded filers, one of which goes down
 * and comes back on the same port and directory (same signature).
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startEmbeddedFiler, type EmbeddedFiler } from '@seasync/embedded-filer'
import type { FastifyBaseLogger } from 'fastify'
import { afterEach, describe, expect, it } from 'vitest'
import { TopologyEvents } from '../../src/plugins/topology-events.js'
import type { ClusterRecord } from '../../src/repositories/clusters-repository.js'
import { ClusterHealthMonitor, verdict } from '../../src/runtime/cluster-health.js'
import type { AddressHealth, ClusterStatus } from '../../src/schemas/clusters.js'
import type { StatusList } from '../../src/schemas/runtime.js'
import type { TopologyGraph } from '../../src/schemas/topology.js'
import { buildTestApp } from '../support/app.js'
import { DEAD_ADDRESS, otherSpelling, send } from '../routes/topology-test-kit.js'

const cleanups: (() => unknown)[] = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
})

const up = (address: string, signature: number): AddressHealth => ({
  address,
  reachable: true,
  signature,
  error: null,
  latencyMs: 1,
})
const down = (address: string): AddressHealth => ({
  address,
  reachable: false,
  signature: null,
  error: 'refused',
  latencyMs: null,
})

describe('verdict', () => {
  it.each([
    ['reachable', [up('a', 7), up('b', 7)], 7],
    ['reachable', [up('a', 7)], null],
    ['degraded', [up('a', 7), down('b')], 7],
    ['unreachable', [down('a'), down('b')], 7],
    ['mismatch', [up('a', 7), up('b', 8)], null],
    ['mismatch', [up('a', 8)], 7],
    ['mismatch', [up('a', 8), down('b')], 7],
    ['unknown', [], 7],
  ] as const)('%s for %j (stored %s)', (expected, addresses, stored) => {
    expect(verdict(addresses, stored)).toBe(expected)
  })
})

const silentLog = { info: () => {}, error: () => {} } as unknown as FastifyBaseLogger

function record(id: string, addresses: string[], signature: number | null = 7): ClusterRecord {
  return {
    id,
    name: id,
    addresses,
    embedded: false,
    filerProxy: false,
    tls: null,
    signature,
    createdAtMs: 0,
    updatedAtMs: 0,
  }
}

/** A monitor over an in-memory cluster table and a probe the test answers by hand. */
function fakeMonitor(intervalMs = 60_000) {
  const stored = new Map<string, ClusterRecord>()
  const events = new TopologyEvents()
  const calls: { address: string; answer: (signature: number | Error) => void }[] = []
  let inFlight = 0
  let maxInFlight = 0
  const monitor = new ClusterHealthMonitor(
    {
      clusters: { list: () => [...stored.values()], get: (id) => stored.get(id) ?? null },
      events,
      log: silentLog,
    },
    {
      intervalMs,
      timeoutMs: 5000,
      probe: (address) =>
        new Promise<number>((resolve, reject) => {
          inFlight += 1
          maxInFlight = Math.max(maxInFlight, inFlight)
          calls.push({
            address,
            answer: (value) => {
              inFlight -= 1
              if (value instanceof Error) reject(value)
              else resolve(value)
            },
          })
        }),
    },
  )
  cleanups.push(() => monitor.close())
  /** Answers every waiting call: `signatures[address]`, or an error when absent. */
  const answerAll = async (signatures: Record<string, number>) => {
    for (const call of calls.splice(0)) {
      const signature = signatures[call.address]
      call.answer(signature === undefined ? new Error('connection refused') : signature)
    }
    await new Promise((resolve) => setImmediate(resolve))
  }
  return { monitor, stored, events, calls, answerAll, maxInFlight: () => maxInFlight }
}

describe('ClusterHealthMonitor', () => {
  it('is unknown until probed, then judges every address, one round at a time', async () => {
    const { monitor, stored, calls, answerAll, maxInFlight } = fakeMonitor(20)
    stored.set('x', record('x', ['a:1', 'b:1']))
    expect(monitor.statusAll()).toEqual([
      { clusterId: 'x', health: 'unknown', checkedAt: null, addresses: [] },
    ])
    monitor.start()
    expect(calls.map((c) => c.address)).toEqual(['a:1', 'b:1'])
    // Ticks while the round waits start nothing new.
    await new Promise((resolve) => setTimeout(resolve, 100))
    expect(calls).toHaveLength(2)
    await answerAll({ 'a:1': 7 })
    const status = monitor.statusAll()[0]!
    expect(status).toMatchObject({
      clusterId: 'x',
      health: 'degraded',
      addresses: [
        { address: 'a:1', reachable: true, signature: 7, error: null },
        { address: 'b:1', reachable: false, signature: null, error: 'connection refused' },
      ],
    })
    expect(status.addresses[0]!.latencyMs).toBeGreaterThanOrEqual(0)
    expect(Date.parse(status.checkedAt!)).toBeGreaterThan(0)
    // The pending tick starts the next round as soon as this one ended.
    await vitestWaitFor(() => calls.length === 2)
    await answerAll({ 'a:1': 7, 'b:1': 7 })
    expect(monitor.statusAll()[0]!.health).toBe('reachable')
    expect(maxInFlight()).toBe(2)
  })

  it('probes added and changed clusters at once, forgets removed ones, drops stale answers', async () => {
    const { monitor, stored, events, calls, answerAll } = fakeMonitor()
    monitor.start()
    stored.set('x', record('x', ['a:1']))
    events.notify({ clustersAdded: ['x'] })
    await vitestWaitFor(() => calls.length === 1)
    expect(calls.map((c) => c.address)).toEqual(['a:1'])
    await answerAll({ 'a:1': 7 })
    expect(monitor.statusAll()[0]!.health).toBe('reachable')

    // A change of addresses: the old answer no longer counts, the new address is probed.
    stored.set('x', record('x', ['c:1']))
    expect(monitor.statusAll()[0]!.health).toBe('unknown')
    events.notify({ clustersUpdated: ['x'] })
    await vitestWaitFor(() => calls.length === 1)
    // ...and an answer about the old addresses that arrives after another change is dropped.
    stored.set('x', record('x', ['d:1']))
    await answerAll({ 'c:1': 7 })
    expect(monitor.statusAll()[0]!.health).toBe('unknown')

    stored.delete('x')
    events.notify({ clustersRemoved: ['x'] })
    expect(monitor.statusAll()).toEqual([])
    await monitor.close()
    events.notify({ clustersAdded: ['y'] })
    expect(calls).toHaveLength(0)
  })
})

/** Polls `condition` every 10 ms for up to 5 s. */
async function vitestWaitFor(condition: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time')
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
}

describe('cluster health against real filers', () => {
  const INTERVAL_MS = 300

  async function filer(dir?: string, port?: number, grpcPort?: number): Promise<EmbeddedFiler> {
    const f = await startEmbeddedFiler({ dir, port, grpcPort })
    let closed = false
    cleanups.push(() => (closed ? undefined : f.close()))
    return Object.assign(Object.create(f) as EmbeddedFiler, {
      close: async () => {
        closed = true
        await f.close()
      },
    })
  }

  async function healthOf(app: ReturnType<typeof buildTestApp>, id: string) {
    const response = await send(app, 'GET', `/clusters/${id}`)
    expect(response.statusCode).toBe(200)
    return response.json<{ status: ClusterStatus }>().status
  }

  /** Polls the cluster's health until it is `health`, within a few probe intervals. */
  async function until(app: ReturnType<typeof buildTestApp>, id: string, health: string) {
    const deadline = Date.now() + 6 * INTERVAL_MS + 3000
    for (;;) {
      const status = await healthOf(app, id)
      if (status.health === health) return status
      if (Date.now() > deadline) throw new Error(`${id} is ${status.health}, not ${health}`)
      await new Promise((resolve) => setTimeout(resolve, 50))
    }
  }

  it('reachable → filer closed → unreachable, degraded → restarted → reachable; routes and metrics', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'seasync-health-'))
    cleanups.push(() => rm(dir, { recursive: true, force: true }))
    const first = await filer(dir)
    const second = await filer()
    const app = buildTestApp({}, { clusterHealth: { intervalMs: INTERVAL_MS, timeoutMs: 1000 } })
    await app.ready()
    for (const [name, address] of [
      ['one', first.address],
      ['two', second.address],
    ]) {
      const created = await send(app, 'POST', '/clusters', { name, addresses: [address] })
      expect(created.statusCode, created.body).toBe(201)
    }
    // A cluster with a second address that is down (stored directly: the API probes every one).
    const now = Date.now()
    app.db
      .prepare(
        'INSERT INTO clusters (id, name, addresses, signature, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)',
      )
      .run(
        'half',
        'Half',
        JSON.stringify([otherSpelling(second), DEAD_ADDRESS]),
        second.signature,
        now,
        now,
      )
    app.topologyEvents.notify({ clustersAdded: ['half'] })

    const one = await until(app, 'one', 'reachable')
    expect(one.addresses).toEqual([
      {
        address: first.address,
        reachable: true,
        signature: first.signature,
        error: null,
        latencyMs: expect.any(Number) as number,
      },
    ])
    const half = await until(app, 'half', 'degraded')
    expect(half.addresses.map((a) => a.reachable)).toEqual([true, false])
    expect(half.addresses[1]!.error).toEqual(expect.any(String))

    // The list, the topology (which PUT takes back unchanged) and the status list agree.
    const list = (await send(app, 'GET', '/clusters')).json<{
      clusters: { status: ClusterStatus }[]
    }>()
    expect(list.clusters.map((c) => c.status.health).sort()).toEqual([
      'degraded',
      'reachable',
      'reachable',
    ])
    const graph = (await send(app, 'GET', '/topology')).json<TopologyGraph>()
    expect(graph.clusters.find((c) => c.id === 'one')?.status?.health).toBe('reachable')
    const putBack = await send(app, 'PUT', '/topology', graph)
    expect(putBack.statusCode, putBack.body).toBe(200)
    const status = (await send(app, 'GET', '/status')).json<StatusList>()
    expect(status.clusters.map((c) => [c.clusterId, c.health])).toEqual([
      ['half', 'degraded'],
      ['one', 'reachable'],
      ['two', 'reachable'],
    ])
    const metrics = (await app.inject({ method: 'GET', url: '/metrics' })).body
    expect(metrics).toContain('# TYPE seasync_cluster_up gauge')
    expect(metrics).toContain(`seasync_cluster_up{cluster="one",address="${first.address}"} 1`)
    expect(metrics).toContain(`seasync_cluster_up{cluster="half",address="${DEAD_ADDRESS}"} 0`)

    // Down: within a probe interval (plus the probe's deadline).
    const [host, ports] = first.address.split(':') as [string, string]
    const [port, grpcPort] = ports.split('.').map(Number) as [number, number]
    await first.close()
    const gone = await until(app, 'one', 'unreachable')
    expect(gone.addresses[0]).toMatchObject({ reachable: false, signature: null, latencyMs: null })
    expect(gone.addresses[0]!.error).toEqual(expect.any(String))
    expect((await app.inject({ method: 'GET', url: '/metrics' })).body).toContain(
      `seasync_cluster_up{cluster="one",address="${first.address}"} 0`,
    )
    expect((await healthOf(app, 'two')).health).toBe('reachable')

    // Back on the same ports and directory: the same store, reachable again.
    expect(host).toBe('127.0.0.1')
    const again = await filer(dir, port, grpcPort)
    expect(again.signature).toBe(first.signature)
    await until(app, 'one', 'reachable')
  })

  it('says mismatch when a filer answers with another signature than the stored one', async () => {
    const app = buildTestApp({}, { clusterHealth: { intervalMs: INTERVAL_MS, timeoutMs: 1000 } })
    const f = await filer()
    await app.ready()
    const now = Date.now()
    app.db
      .prepare(
        'INSERT INTO clusters (id, name, addresses, signature, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)',
      )
      .run('moved', 'Moved', JSON.stringify([f.address]), f.signature + 1, now, now)
    app.topologyEvents.notify({ clustersAdded: ['moved'] })
    const status = await until(app, 'moved', 'mismatch')
    expect(status.addresses[0]).toMatchObject({ reachable: true, signature: f.signature })
  })
})
