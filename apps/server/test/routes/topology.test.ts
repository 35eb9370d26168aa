import type { EmbeddedFiler } from '@seasync/embedded-filer'
import { describe, expect, it } from 'vitest'
import type { Plan, TopologyDocument, TopologyGraph } from '../../src/schemas/topology.js'
import { stringify as stringifyYaml } from 'yaml'
import {
  createClusters,
  DEAD_ADDRESS,
  edgeBody,
  expectError,
  otherSpelling,
  rows,
  send,
  snapshot,
  topologyApp,
  useFilers,
} from './topology-test-kit.js'

const filers = useFilers(5)

type Declared = TopologyDocument['edges'][number]

/** Cluster declarations `a`…`e` on the five filers. */
function clusters(count = 5, address = (f: EmbeddedFiler) => f.address) {
  return filers.slice(0, count).map((filer, i) => ({
    id: 'abcde'[i]!,
    name: 'ABCDE'[i]!,
    addresses: [address(filer)],
  }))
}

/** An edge declaration written as in the wiki: `edge('e1', 'A:/', 'B:/')`. */
function edge(
  id: string,
  a: string,
  b: string,
  mode: 'active-active' | 'one-way' = 'active-active',
  extra: Partial<Declared> = {},
): Declared {
  return { id, ...(edgeBody(a, b, mode) as Omit<Declared, 'id'>), ...extra }
}

const emptyPlan: Plan = {
  start: [],
  stop: [],
  restart: [],
  unchanged: [],
  edges: { added: [], updated: [], removed: [] },
  clusters: { added: [], updated: [], removed: [] },
}

// The seed topologies of filer-sync-wiki.md, each accepted as one PUT.
const seeds: Record<string, Declared[]> = {
  'chained setup A → B → C': [
    edge('ab', 'A:/', 'B:/', 'one-way'),
    edge('bc', 'B:/', 'C:/', 'one-way'),
  ],
  'chained active-active A ↔ B ↔ C': [edge('ab', 'A:/', 'B:/'), edge('bc', 'B:/', 'C:/')],
  'one master, multiple followers': ['b', 'c', 'd'].map((to) =>
    edge(`a${to}`, 'A:/', `${to.toUpperCase()}:/`, 'one-way'),
  ),
  'active-active pair with chained followers': [
    edge('ab', 'A:/', 'B:/'),
    edge('bc', 'B:/', 'C:/', 'one-way'),
    edge('cd', 'C:/', 'D:/', 'one-way'),
    edge('ae', 'A:/', 'E:/', 'one-way'),
  ],
  'different strategies for different folders': [
    edge('x', 'A:/buckets/x', 'B:/buckets/x'),
    edge('y', 'A:/buckets/y', 'B:/buckets/y', 'one-way'),
    edge('logs', 'B:/logs', 'A:/logs', 'one-way'),
  ],
  'path mapping': [
    edge('data', 'A:/data', 'B:/backup/data', 'one-way'),
    edge('backup', 'B:/backup', 'C:/', 'one-way'),
  ],
}

describe('GET /api/v1/topology', () => {
  it('answers every cluster and edge', async () => {
    const { app } = await topologyApp()
    expect((await send(app, 'GET', '/topology')).json()).toEqual({ clusters: [], edges: [] })
    await createClusters(app, filers.slice(0, 2))
    await send(app, 'POST', '/edges', edgeBody('A:/', 'B:/'))
    const graph = (await send(app, 'GET', '/topology')).json<TopologyGraph>()
    expect(graph.clusters.map((c) => c.id)).toEqual(['a', 'b'])
    expect(graph.edges).toMatchObject([{ id: 'a-b', a: { cluster: 'a' }, b: { cluster: 'b' } }])
    expect(graph.edges[0]).not.toHaveProperty('status')
  })
})

describe('PUT /api/v1/topology', () => {
  for (const [name, edges] of Object.entries(seeds)) {
    it(`accepts the seed topology: ${name}`, async () => {
      const { app, events } = await topologyApp()
      const response = await send(app, 'PUT', '/topology', { clusters: clusters(), edges })
      expect(response.statusCode, response.body).toBe(200)
      const { topology, plan } = response.json<{ topology: TopologyGraph; plan: Plan }>()
      // Listed oldest first, then by id (one PUT stores them at one instant).
      expect(topology.edges.map((e) => e.id)).toEqual(edges.map((e) => e.id).sort())
      expect(topology.clusters.map((c) => c.signature)).toEqual(filers.map((f) => f.signature))
      expect(plan.start).toEqual(edges.map((e) => ({ edge: e.id, reason: 'added' })))
      expect(plan.clusters.added).toEqual(['a', 'b', 'c', 'd', 'e'])
      expect(events).toHaveLength(1)
      expect(app.topology.audit.list()).toMatchObject([{ action: 'topology.replace' }])
    })
  }

  it('refuses the fully connected triangle with 409 and the loop; stores nothing', async () => {
    const { app, events } = await topologyApp()
    await send(app, 'PUT', '/topology', {
      clusters: clusters(),
      edges: [edge('keep', 'D:/', 'E:/')],
    })
    const before = snapshot(app)
    events.length = 0
    const response = await send(app, 'PUT', '/topology', {
      clusters: clusters(),
      edges: [edge('e1', 'A:/', 'B:/'), edge('e2', 'B:/', 'C:/'), edge('e3', 'C:/', 'A:/')],
    })
    const error = expectError(response, 409, 'TOPOLOGY_LOOP')
    expect(error.details).toMatchObject({
      description: 'a:/ —e1— b:/ —e2— c:/ —e3— a:/',
      edges: ['e1', 'e2', 'e3'],
    })
    expect(snapshot(app)).toEqual(before)
    expect(events).toEqual([])
  })

  it('applies a diff: only the changed edges restart, the rest keep running and their rows', async () => {
    const { app, events } = await topologyApp()
    const first = [
      edge('ab', 'A:/', 'B:/'),
      edge('bc', 'B:/', 'C:/', 'one-way'),
      edge('cd', 'C:/', 'D:/', 'one-way'),
      edge('old', 'A:/x', 'E:/', 'one-way', { paused: true }),
    ]
    await send(app, 'PUT', '/topology', { clusters: clusters(), edges: first })
    const before = app.topology.edges.list()
    events.length = 0
    const response = await send(app, 'PUT', '/topology', {
      clusters: clusters(),
      edges: [
        edge('ab', 'A:/', 'B:/'),
        edge('bc', 'B:/', 'C:/', 'one-way', { options: { concurrency: 4 } }),
        edge('cd', 'C:/', 'D:/', 'one-way', { paused: true }),
        edge('new', 'A:/y', 'E:/y', 'one-way'),
      ],
    })
    expect(response.statusCode, response.body).toBe(200)
    expect(response.json<{ plan: Plan }>().plan).toEqual({
      start: [{ edge: 'new', reason: 'added' }],
      stop: [{ edge: 'cd', reason: 'paused' }],
      restart: [{ edge: 'bc', reason: 'changed' }],
      unchanged: ['ab'],
      edges: { added: ['new'], updated: ['bc', 'cd'], removed: ['old'] },
      clusters: { added: [], updated: [], removed: [] },
    })
    expect(events).toEqual([
      {
        clustersAdded: [],
        clustersUpdated: [],
        clustersRemoved: [],
        edgesAdded: ['new'],
        edgesUpdated: ['bc', 'cd'],
        edgesRemoved: ['old'],
      },
    ])
    const after = new Map(app.topology.edges.list().map((e) => [e.id, e]))
    // The unchanged edge's row is untouched; the changed one keeps its creation time.
    expect(after.get('ab')).toEqual(before.find((e) => e.id === 'ab'))
    expect(after.get('bc')?.createdAtMs).toBe(before.find((e) => e.id === 'bc')?.createdAtMs)
  })

  it("restarts the edges of a cluster whose addresses changed (probed again), not the others'", async () => {
    const { app, events } = await topologyApp()
    const edges = [edge('ab', 'A:/', 'B:/'), edge('cd', 'C:/', 'D:/')]
    await send(app, 'PUT', '/topology', { clusters: clusters(), edges })
    events.length = 0
    const moved = clusters().map((c, i) =>
      c.id === 'a' ? { ...c, addresses: [otherSpelling(filers[i]!)] } : c,
    )
    const response = await send(app, 'PUT', '/topology', { clusters: moved, edges })
    expect(response.json<{ plan: Plan }>().plan).toMatchObject({
      restart: [{ edge: 'ab', reason: 'cluster-changed' }],
      unchanged: ['cd'],
      clusters: { updated: ['a'] },
    })
    expect(events).toMatchObject([{ clustersUpdated: ['a'], edgesUpdated: ['ab'] }])
  })

  it('takes back what GET answered unchanged: nothing stored, no audit row, no event', async () => {
    const { app, events } = await topologyApp()
    await send(app, 'PUT', '/topology', {
      clusters: clusters(),
      edges: [edge('ab', 'A:/', 'B:/', 'one-way', { options: { a: { filerProxy: true } } })],
    })
    // With the clusters' live health in the answer: read-only, taken back and ignored.
    await app.clusterHealth.idle()
    const graph = (await send(app, 'GET', '/topology')).json<TopologyGraph>()
    expect(graph.clusters[0]?.status?.health).toBe('reachable')
    const before = snapshot(app)
    events.length = 0
    const response = await send(app, 'PUT', '/topology', graph)
    expect(response.statusCode, response.body).toBe(200)
    expect(response.json<{ plan: Plan }>().plan).toEqual({ ...emptyPlan, unchanged: ['ab'] })
    expect(snapshot(app)).toEqual(before)
    expect(events).toEqual([])
  })

  it('removes what is not declared (an empty document empties the store)', async () => {
    const { app } = await topologyApp()
    await send(app, 'PUT', '/topology', { clusters: clusters(), edges: [edge('ab', 'A:/', 'B:/')] })
    const response = await send(app, 'PUT', '/topology', { clusters: [], edges: [] })
    expect(response.json<{ plan: Plan }>().plan).toMatchObject({
      stop: [{ edge: 'ab', reason: 'removed' }],
      clusters: { removed: ['a', 'b', 'c', 'd', 'e'] },
    })
    expect(rows(app)).toMatchObject({ clusters: 0, edges: 0 })
  })

  it('refuses bad documents with 4xx naming the field; stores nothing', async () => {
    const { app } = await topologyApp()
    await send(app, 'PUT', '/topology', { clusters: clusters(2), edges: [] })
    const before = snapshot(app)
    const cases: [unknown, number, string, string][] = [
      [
        { clusters: clusters(2) },
        400,
        'VALIDATION_FAILED',
        'Invalid request: body/edges is required',
      ],
      [
        { clusters: [{ name: 'A', addresses: [filers[0]!.address] }], edges: [] },
        400,
        'VALIDATION_FAILED',
        'Invalid request: body/clusters/0/id is required',
      ],
      [
        { clusters: clusters(2), edges: [{ ...edgeBody('A:/', 'B:/') }] },
        400,
        'VALIDATION_FAILED',
        'Invalid request: body/edges/0/id is required',
      ],
      [
        { clusters: [...clusters(2), { ...clusters(1)[0]!, name: 'other' }], edges: [] },
        400,
        'VALIDATION_FAILED',
        'Invalid request: body/clusters/2/id repeats clusters/0/id',
      ],
      [
        { clusters: [clusters(1)[0]!, { ...clusters(2)[1]!, name: 'A' }], edges: [] },
        400,
        'VALIDATION_FAILED',
        'Invalid request: body/clusters/1/name repeats clusters/0/name',
      ],
      [
        { clusters: clusters(2), edges: [edge('x', 'A:/x', 'B:/x'), edge('x', 'A:/y', 'B:/y')] },
        400,
        'VALIDATION_FAILED',
        'Invalid request: body/edges/1/id repeats edges/0/id',
      ],
      [
        { clusters: clusters(2), edges: [edge('x', 'A:/', 'C:/')] },
        400,
        'VALIDATION_FAILED',
        'Invalid request: body/edges/0/b/cluster names no cluster ("c")',
      ],
      [
        { clusters: clusters(2), edges: [], extra: true },
        400,
        'VALIDATION_FAILED',
        'Invalid request: body/extra is not allowed',
      ],
      [
        { clusters: [{ ...clusters(1)[0]!, addresses: [DEAD_ADDRESS] }], edges: [] },
        422,
        'CLUSTER_PROBE_FAILED',
        'Cluster "A" failed the probe: filer 127.0.0.1:1.2 did not answer: ',
      ],
    ]
    for (const [payload, status, code, message] of cases) {
      const response = await send(app, 'PUT', '/topology', payload)
      expect(expectError(response, status, code).message.startsWith(message), response.body).toBe(
        true,
      )
    }
    expect(snapshot(app)).toEqual(before)
  })

  it('accepts the same document as YAML', async () => {
    const { app } = await topologyApp()
    const response = await app.inject({
      method: 'PUT',
      url: '/api/v1/topology',
      headers: { 'content-type': 'application/yaml' },
      payload: stringifyYaml({ clusters: clusters(), edges: [edge('ab', 'A:/', 'B:/')] }),
    })
    expect(response.statusCode, response.body).toBe(200)
    const { topology } = response.json<{ topology: TopologyGraph }>()
    expect(topology.edges.map((e) => e.id)).toEqual(['ab'])
    expect(rows(app)).toMatchObject({ clusters: 5, edges: 1 })
  })

  it('refuses malformed YAML with 400 and other media types with 415; stores nothing', async () => {
    const { app } = await topologyApp()
    const bad = await app.inject({
      method: 'PUT',
      url: '/api/v1/topology',
      headers: { 'content-type': 'application/yaml' },
      payload: 'clusters: [\n  - {name: a\n',
    })
    expect(bad.statusCode).toBe(400)
    expect(bad.json<{ error: { message: string } }>().error.message).toMatch(/^Invalid YAML/)
    const text = await app.inject({
      method: 'PUT',
      url: '/api/v1/topology',
      headers: { 'content-type': 'application/xml' },
      payload: '<clusters/>',
    })
    expectError(text, 415, 'UNSUPPORTED_MEDIA_TYPE')
    expect(rows(app)).toEqual({ clusters: 0, edges: 0, audit: 0 })
  })
})

describe('POST /api/v1/topology/validate', () => {
  it('dry-runs a whole document: valid, the plan, nothing stored', async () => {
    const { app, events } = await topologyApp()
    const response = await send(app, 'POST', '/topology/validate', {
      topology: { clusters: clusters(3), edges: seeds['chained setup A → B → C'] },
    })
    expect(response.statusCode).toBe(200)
    expect(response.json()).toEqual({
      valid: true,
      plan: {
        ...emptyPlan,
        start: [
          { edge: 'ab', reason: 'added' },
          { edge: 'bc', reason: 'added' },
        ],
        edges: { added: ['ab', 'bc'], updated: [], removed: [] },
        clusters: { added: ['a', 'b', 'c'], updated: [], removed: [] },
      },
    })
    expect(rows(app)).toEqual({ clusters: 0, edges: 0, audit: 0 })
    expect(events).toEqual([])
  })

  it('answers the triangle as invalid with the loop, its description and the error PUT would get', async () => {
    const { app } = await topologyApp()
    const response = await send(app, 'POST', '/topology/validate', {
      topology: {
        clusters: clusters(3),
        edges: [edge('e1', 'A:/', 'B:/'), edge('e2', 'B:/', 'C:/'), edge('e3', 'C:/', 'A:/')],
      },
    })
    expect(response.statusCode).toBe(200)
    const body = response.json<{
      valid: boolean
      loop: unknown[]
      description: string
      error: { code: string }
    }>()
    expect(body).toMatchObject({
      valid: false,
      description: 'a:/ —e1— b:/ —e2— c:/ —e3— a:/',
      error: { code: 'TOPOLOGY_LOOP', details: { edges: ['e1', 'e2', 'e3'] } },
      plan: { start: [{ edge: 'e1' }, { edge: 'e2' }, { edge: 'e3' }] },
    })
    expect(body.loop).toHaveLength(7)
    expect(rows(app).clusters).toBe(0)
  })

  it('dry-runs lists of changes against the stored topology', async () => {
    const { app } = await topologyApp()
    await createClusters(app, filers.slice(0, 3))
    await send(app, 'POST', '/edges', edgeBody('A:/', 'B:/', 'active-active', { id: 'ab' }))
    await send(app, 'POST', '/edges', edgeBody('B:/', 'C:/', 'one-way', { id: 'bc' }))
    const before = snapshot(app)
    const closing = await send(app, 'POST', '/topology/validate', {
      edges: { add: [edgeBody('C:/', 'A:/', 'one-way', { id: 'ca' })] },
    })
    expect(closing.json()).toMatchObject({
      valid: false,
      description: 'a:/ —ab— b:/ —bc— c:/ —ca— a:/',
    })
    const rerouted = await send(app, 'POST', '/topology/validate', {
      edges: {
        remove: ['bc'],
        update: [{ id: 'ab', options: { concurrency: 2 } }],
        add: [edgeBody('C:/', 'A:/', 'one-way', { id: 'ca' })],
      },
      clusters: { update: [{ id: 'c', name: 'Sea' }] },
    })
    expect(rerouted.json()).toEqual({
      valid: true,
      plan: {
        start: [{ edge: 'ca', reason: 'added' }],
        stop: [{ edge: 'bc', reason: 'removed' }],
        restart: [{ edge: 'ab', reason: 'changed' }],
        unchanged: [],
        edges: { added: ['ca'], updated: ['ab'], removed: ['bc'] },
        clusters: { added: [], updated: ['c'], removed: [] },
      },
    })
    // Removing a cluster together with its edges is one valid change.
    const removal = await send(app, 'POST', '/topology/validate', {
      edges: { remove: ['bc'] },
      clusters: { remove: ['c'] },
    })
    expect(removal.json()).toMatchObject({ valid: true, plan: { clusters: { removed: ['c'] } } })
    expect(snapshot(app)).toEqual(before)
  })

  it('answers every refusal of the change as valid: false with its error', async () => {
    const { app } = await topologyApp()
    await createClusters(app, filers.slice(0, 2))
    await send(app, 'POST', '/edges', edgeBody('A:/', 'B:/', 'active-active', { id: 'ab' }))
    const before = snapshot(app)
    const verdict = async (payload: unknown) => {
      const response = await send(app, 'POST', '/topology/validate', payload)
      expect(response.statusCode).toBe(200)
      return response.json<{ valid: boolean; error: { code: string; message: string } }>()
    }
    expect(await verdict({ edges: { remove: ['zz'] } })).toMatchObject({
      valid: false,
      error: { code: 'NOT_FOUND', message: 'No edge with id "zz"' },
    })
    expect(await verdict({ clusters: { remove: ['a'] } })).toMatchObject({
      valid: false,
      error: { code: 'CONFLICT' },
    })
    expect(
      await verdict({ clusters: { add: [{ name: 'x', addresses: ['bad address'] }] } }),
    ).toMatchObject({
      valid: false,
      error: {
        code: 'VALIDATION_FAILED',
        message: expect.stringContaining('body/clusters/add/0/addresses/0') as string,
      },
    })
    const probe = await verdict({ clusters: { add: [{ name: 'x', addresses: [DEAD_ADDRESS] }] } })
    expect(probe).toMatchObject({
      valid: false,
      error: { code: 'CLUSTER_PROBE_FAILED' },
      plan: { clusters: { added: ['x'] } },
    })
    expect(snapshot(app)).toEqual(before)
  })

  it('refuses a request it cannot read with 400', async () => {
    const { app } = await topologyApp()
    const bad = async (payload: unknown) =>
      expectError(await send(app, 'POST', '/topology/validate', payload), 400, 'VALIDATION_FAILED')
        .message
    expect(await bad({})).toBe('Invalid request: body must NOT have fewer than 1 properties')
    expect(await bad({ topology: { clusters: [], edges: [] }, edges: {} })).toBe(
      'Invalid request: body/topology cannot be combined with clusters or edges: send one or the other',
    )
    expect(await bad({ edges: { insert: [] } })).toBe(
      'Invalid request: body/edges/insert is not allowed',
    )
    expect(await bad({ edges: { add: [{ a: {}, b: {} }] } })).toMatch(
      /^Invalid request: body\/edges\/add\/0/,
    )
  })
})

describe('OpenAPI', () => {
  it('documents every topology route with its schemas', async () => {
    const { app } = await topologyApp()
    const doc = (await send(app, 'GET', '/openapi.json')).json<{
      paths: Record<
        string,
        Record<string, { requestBody?: unknown; responses: Record<string, unknown> }>
      >
    }>()
    const routes = Object.entries(doc.paths).flatMap(([path, methods]) =>
      Object.keys(methods).map((method) => `${method.toUpperCase()} ${path}`),
    )
    expect(routes).toEqual(
      expect.arrayContaining([
        'GET /api/v1/clusters',
        'POST /api/v1/clusters',
        'DELETE /api/v1/clusters',
        'GET /api/v1/clusters/{id}',
        'PATCH /api/v1/clusters/{id}',
        'DELETE /api/v1/clusters/{id}',
        'GET /api/v1/edges',
        'POST /api/v1/edges',
        'GET /api/v1/edges/{id}',
        'PATCH /api/v1/edges/{id}',
        'DELETE /api/v1/edges/{id}',
        'GET /api/v1/topology',
        'PUT /api/v1/topology',
        'POST /api/v1/topology/validate',
      ]),
    )
    expect(doc.paths['/api/v1/topology']!.put!.requestBody).toBeDefined()
    expect(Object.keys(doc.paths['/api/v1/edges']!.post!.responses).sort()).toEqual([
      '201',
      '4XX',
      '5XX',
    ])
  })
})
