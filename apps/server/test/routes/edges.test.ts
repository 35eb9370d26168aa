import { describe, expect, it } from 'vitest'
import {
  createClusters,
  edgeBody,
  expectError,
  rows,
  send,
  snapshot,
  topologyApp,
  useFilers,
} from './topology-test-kit.js'

interface EdgeResponse {
  id: string
  a: { cluster: string; path: string; excludes: string[] }
  b: { cluster: string; path: string; excludes: string[] }
  mode: string
  options: Record<string, unknown>
  paused: boolean
  createdAt: string
  updatedAt: string
}

const filers = useFilers(3)

/** An app with clusters a, b, c (one embedded filer each). */
async function threeClusters() {
  const context = await topologyApp()
  await createClusters(context.app, filers)
  context.events.length = 0
  return context
}

describe('POST /api/v1/edges', () => {
  it('stores an edge with a derived id, normal paths and its options; audits and notifies', async () => {
    const { app, events } = await threeClusters()
    const options = {
      concurrency: 8,
      chunkConcurrency: 4,
      doDeleteFiles: false,
      a: { filerProxy: true },
      b: { replication: '001', collection: 'photos', ttlSec: 3600, diskType: 'ssd' },
    }
    const response = await send(app, 'POST', '/edges', {
      a: {
        cluster: 'a',
        path: '/buckets//photos/',
        excludes: ['/buckets/photos/tmp/', '/buckets/photos/tmp'],
      },
      b: { cluster: 'b', path: '/backup/photos' },
      mode: 'one-way',
      options,
    })
    expect(response.statusCode).toBe(201)
    const edge = response.json<EdgeResponse>()
    expect(edge).toEqual({
      id: 'a-b',
      a: { cluster: 'a', path: '/buckets/photos', excludes: ['/buckets/photos/tmp'] },
      b: { cluster: 'b', path: '/backup/photos', excludes: [] },
      mode: 'one-way',
      options,
      paused: false,
      createdAt: expect.any(String) as string,
      updatedAt: edge.createdAt,
    })
    expect(events).toEqual([
      {
        clustersAdded: [],
        clustersUpdated: [],
        clustersRemoved: [],
        edgesAdded: ['a-b'],
        edgesUpdated: [],
        edgesRemoved: [],
      },
    ])
    expect(app.topology.audit.list()[0]).toMatchObject({
      action: 'edge.create',
      details: { edges: { added: ['a-b'], updated: [], removed: [] } },
    })
    // A second edge between the same clusters on other folders gets the next id.
    const second = await send(app, 'POST', '/edges', edgeBody('A:/logs', 'B:/logs', 'one-way'))
    expect(second.json()).toMatchObject({ id: 'a-b-2' })
  })

  it('accepts the seed shapes: several folders between two clusters, chains, path mapping', async () => {
    const { app } = await threeClusters()
    for (const body of [
      edgeBody('A:/buckets/x', 'B:/buckets/x'),
      edgeBody('A:/buckets/y', 'B:/buckets/y', 'one-way'),
      edgeBody('B:/logs', 'A:/logs', 'one-way'),
      edgeBody('B:/backup', 'C:/', 'one-way', { id: 'backup' }),
    ]) {
      const response = await send(app, 'POST', '/edges', body)
      expect(response.statusCode, response.body).toBe(201)
    }
    expect(rows(app).edges).toBe(4)
  })

  it('refuses the edge closing a triangle with 409 TOPOLOGY_LOOP and the loop; stores nothing', async () => {
    const { app, events } = await threeClusters()
    await send(app, 'POST', '/edges', edgeBody('A:/', 'B:/', 'active-active', { id: 'e1' }))
    await send(app, 'POST', '/edges', edgeBody('B:/', 'C:/', 'active-active', { id: 'e2' }))
    const before = snapshot(app)
    events.length = 0
    const response = await send(
      app,
      'POST',
      '/edges',
      edgeBody('C:/', 'A:/', 'active-active', { id: 'e3' }),
    )
    expect(expectError(response, 409, 'TOPOLOGY_LOOP')).toEqual({
      code: 'TOPOLOGY_LOOP',
      message:
        'This change would close a loop: a:/ —e1— b:/ —e2— c:/ —e3— a:/. Only trees and chains ' +
        'can sync: remove, narrow or re-route one of the edges e1, e2, e3',
      details: {
        loop: [
          { kind: 'endpoint', cluster: 'a', path: '/' },
          { kind: 'edge', edgeId: 'e1' },
          { kind: 'endpoint', cluster: 'b', path: '/' },
          { kind: 'edge', edgeId: 'e2' },
          { kind: 'endpoint', cluster: 'c', path: '/' },
          { kind: 'edge', edgeId: 'e3' },
          { kind: 'endpoint', cluster: 'a', path: '/' },
        ],
        description: 'a:/ —e1— b:/ —e2— c:/ —e3— a:/',
        edges: ['e1', 'e2', 'e3'],
      },
    })
    expect(snapshot(app)).toEqual(before)
    expect(events).toEqual([])
  })

  it('refuses a second edge between the same endpoints and one into a synced subtree', async () => {
    const { app } = await threeClusters()
    await send(app, 'POST', '/edges', edgeBody('A:/', 'B:/', 'active-active', { id: 'e1' }))
    const before = snapshot(app)
    const twice = await send(app, 'POST', '/edges', edgeBody('A:/', 'B:/', 'one-way', { id: 'e2' }))
    expect(expectError(twice, 409, 'TOPOLOGY_LOOP').details).toMatchObject({
      description: 'b:/ —e1— a:/ —e2— b:/',
    })
    const nested = await send(
      app,
      'POST',
      '/edges',
      edgeBody('A:/x', 'B:/y', 'one-way', { id: 'e3' }),
    )
    expect(expectError(nested, 409, 'TOPOLOGY_LOOP').details).toMatchObject({
      description: 'b:/y ⊂ b:/ —e1— a:/ ⊃ a:/x —e3— b:/y',
    })
    expect(snapshot(app)).toEqual(before)
  })

  it('refuses bad input with 400 naming the field, and stores nothing', async () => {
    const { app } = await threeClusters()
    const cases: [unknown, string][] = [
      [{ a: { cluster: 'a', path: '/' }, mode: 'one-way' }, 'Invalid request: body/b is required'],
      [
        edgeBody('A:/', 'B:/', 'both-ways' as 'one-way'),
        'Invalid request: body/mode must be equal to one of the allowed values',
      ],
      [
        edgeBody('A:relative', 'B:/'),
        'Invalid request: body/a/path must match pattern "^/[^\\u0000]*$"',
      ],
      [
        edgeBody('A:/', 'B:/', 'one-way', { options: { concurrency: 0 } }),
        'Invalid request: body/options/concurrency must be >= 1',
      ],
      [
        edgeBody('A:/', 'B:/', 'one-way', { options: { chunkConcurrency: 2000 } }),
        'Invalid request: body/options/chunkConcurrency must be <= 1024',
      ],
      [
        edgeBody('A:/', 'B:/', 'one-way', { options: { b: { replication: '1' } } }),
        'Invalid request: body/options/b/replication must match pattern "^[0-9]{3}$"',
      ],
      [
        edgeBody('A:/', 'B:/', 'one-way', { options: { a: { filerproxy: true } } }),
        'Invalid request: body/options/a/filerproxy is not allowed',
      ],
      [
        { ...edgeBody('A:/', 'B:/'), a: { cluster: 'a', path: '/', exclude: ['/tmp'] } },
        'Invalid request: body/a/exclude is not allowed',
      ],
      [edgeBody('A:/', 'Z:/'), 'Invalid request: body/b/cluster names no cluster ("z")'],
      [
        edgeBody('A:/x', 'A:/y'),
        'Invalid request: body/b/cluster is the same cluster as a/cluster: an edge joins two different clusters (one store signature on both sides turns off loop protection)',
      ],
      [
        { ...edgeBody('A:/data', 'B:/'), a: { cluster: 'a', path: '/data', excludes: ['/other'] } },
        'Invalid request: body/a/excludes/0 ("/other") is not a folder inside a/path ("/data")',
      ],
      [
        { ...edgeBody('A:/data', 'B:/'), a: { cluster: 'a', path: '/data', excludes: ['/data/'] } },
        'Invalid request: body/a/excludes/0 ("/data") is not a folder inside a/path ("/data")',
      ],
      [
        edgeBody('A:/', 'B:/', 'one-way', { id: 'Bad Id' }),
        'Invalid request: body/id must match pattern "^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$"',
      ],
    ]
    for (const [payload, message] of cases) {
      const response = await send(app, 'POST', '/edges', payload)
      expect(expectError(response, 400, 'VALIDATION_FAILED').message, JSON.stringify(payload)).toBe(
        message,
      )
    }
    expect(rows(app)).toMatchObject({ edges: 0, audit: 3 })
  })

  it('refuses a taken id with 409 CONFLICT', async () => {
    const { app } = await threeClusters()
    await send(app, 'POST', '/edges', edgeBody('A:/x', 'B:/x', 'one-way', { id: 'x' }))
    const before = snapshot(app)
    const response = await send(
      app,
      'POST',
      '/edges',
      edgeBody('A:/y', 'B:/y', 'one-way', { id: 'x' }),
    )
    expect(expectError(response, 409, 'CONFLICT').message).toBe('An edge with id "x" exists')
    expect(snapshot(app)).toEqual(before)
  })
})

describe('GET /api/v1/edges and /edges/:id', () => {
  it('lists every edge or those on one cluster, gets one, 404 for an unknown id', async () => {
    const { app } = await threeClusters()
    expect((await send(app, 'GET', '/edges')).json()).toEqual({ edges: [] })
    await send(app, 'POST', '/edges', edgeBody('A:/', 'B:/', 'one-way', { id: 'ab' }))
    await send(app, 'POST', '/edges', edgeBody('B:/', 'C:/', 'one-way', { id: 'bc' }))
    const ids = async (url: string) =>
      (await send(app, 'GET', url)).json<{ edges: EdgeResponse[] }>().edges.map((e) => e.id)
    expect(await ids('/edges')).toEqual(['ab', 'bc'])
    expect(await ids('/edges?cluster=c')).toEqual(['bc'])
    expect(await ids('/edges?cluster=b')).toEqual(['ab', 'bc'])
    expect((await send(app, 'GET', '/edges/bc')).json()).toMatchObject({
      id: 'bc',
      mode: 'one-way',
    })
    expectError(await send(app, 'GET', '/edges/zz'), 404, 'NOT_FOUND')
    expectError(await send(app, 'GET', '/edges?clusterr=a'), 400, 'VALIDATION_FAILED')
  })
})

describe('PATCH /api/v1/edges/:id', () => {
  it('changes the given fields, keeps createdAt, notifies edgesUpdated', async () => {
    const { app, events } = await threeClusters()
    const created = (
      await send(
        app,
        'POST',
        '/edges',
        edgeBody('A:/x', 'B:/x', 'one-way', { options: { concurrency: 4 } }),
      )
    ).json<EdgeResponse>()
    events.length = 0
    const response = await send(app, 'PATCH', '/edges/a-b', {
      mode: 'active-active',
      options: { chunkConcurrency: 2 },
      paused: true,
    })
    expect(response.statusCode).toBe(200)
    expect(response.json()).toMatchObject({
      id: 'a-b',
      a: { path: '/x' },
      mode: 'active-active',
      options: { chunkConcurrency: 2 },
      paused: true,
      createdAt: created.createdAt,
    })
    expect(events).toMatchObject([{ edgesUpdated: ['a-b'], edgesAdded: [] }])
    expect(app.topology.audit.list()[0]).toMatchObject({ action: 'edge.update' })
  })

  it('refuses a change that closes a loop (409) and leaves the edge as it was', async () => {
    const { app } = await threeClusters()
    await send(app, 'POST', '/edges', edgeBody('A:/', 'B:/', 'active-active', { id: 'e1' }))
    await send(app, 'POST', '/edges', edgeBody('B:/', 'C:/x', 'one-way', { id: 'e2' }))
    await send(app, 'POST', '/edges', edgeBody('C:/y', 'A:/y', 'one-way', { id: 'e3' }))
    const before = snapshot(app)
    const response = await send(app, 'PATCH', '/edges/e3', { a: { cluster: 'c', path: '/x/y' } })
    expect(expectError(response, 409, 'TOPOLOGY_LOOP').details).toMatchObject({
      edges: ['e1', 'e2', 'e3'],
    })
    expect(snapshot(app)).toEqual(before)
  })

  it('refuses an unknown id (404), an empty or bad body (400); stores nothing', async () => {
    const { app } = await threeClusters()
    await send(app, 'POST', '/edges', edgeBody('A:/', 'B:/'))
    const before = snapshot(app)
    expectError(await send(app, 'PATCH', '/edges/zz', { paused: true }), 404, 'NOT_FOUND')
    expectError(await send(app, 'PATCH', '/edges/a-b', {}), 400, 'VALIDATION_FAILED')
    expectError(await send(app, 'PATCH', '/edges/a-b', { id: 'new' }), 400, 'VALIDATION_FAILED')
    expectError(
      await send(app, 'PATCH', '/edges/a-b', { b: { cluster: 'a', path: '/y' } }),
      400,
      'VALIDATION_FAILED',
    )
    expect(snapshot(app)).toEqual(before)
  })

  it('a patch that changes nothing stores nothing and notifies nobody', async () => {
    const { app, events } = await threeClusters()
    await send(app, 'POST', '/edges', edgeBody('A:/', 'B:/'))
    const before = snapshot(app)
    events.length = 0
    const response = await send(app, 'PATCH', '/edges/a-b', { mode: 'active-active' })
    expect(response.statusCode).toBe(200)
    expect(snapshot(app)).toEqual(before)
    expect(events).toEqual([])
  })
})

describe('DELETE /api/v1/edges/:id', () => {
  it('deletes (204), then 404; notifies edgesRemoved', async () => {
    const { app, events } = await threeClusters()
    await send(app, 'POST', '/edges', edgeBody('A:/', 'B:/'))
    events.length = 0
    const response = await send(app, 'DELETE', '/edges/a-b')
    expect(response.statusCode).toBe(204)
    expect(rows(app).edges).toBe(0)
    expect(events).toMatchObject([{ edgesRemoved: ['a-b'] }])
    expectError(await send(app, 'DELETE', '/edges/a-b'), 404, 'NOT_FOUND')
  })
})
