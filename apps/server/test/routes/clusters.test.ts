import { describe, expect, it } from 'vitest'
import { openDatabase } from '../../src/plugins/db.js'
import { TopologyEvents } from '../../src/plugins/topology-events.js'
import { TopologyService } from '../../src/services/topology-service.js'
import {
  createClusters,
  DEAD_ADDRESS,
  edgeBody,
  expectError,
  otherSpelling,
  rows,
  send,
  snapshot,
  TEST_TLS,
  topologyApp,
  useFilers,
} from './topology-test-kit.js'

interface ClusterBody {
  id: string
  name: string
  addresses: string[]
  filerProxy: boolean
  embedded: boolean
  signature: number | null
  tls?: { ca: string; cert: string; hasKey: boolean; https: boolean }
  createdAt: string
  updatedAt: string
}

const filers = useFilers(3)

describe('POST /api/v1/clusters', () => {
  it('probes the address, stores the cluster with a slug id and its signature, audits, notifies', async () => {
    const { app, events } = await topologyApp()
    const response = await send(app, 'POST', '/clusters', {
      name: 'DC1 Paris',
      addresses: [filers[0]!.address],
    })
    expect(response.statusCode).toBe(201)
    const body = response.json<ClusterBody>()
    expect(body).toEqual({
      id: 'dc1-paris',
      name: 'DC1 Paris',
      addresses: [filers[0]!.address],
      filerProxy: false,
      embedded: false,
      signature: filers[0]!.signature,
      createdAt: expect.any(String) as string,
      updatedAt: body.createdAt,
      // The health monitor probes the new cluster at once; this answer is from before that.
      status: { clusterId: 'dc1-paris', health: 'unknown', checkedAt: null, addresses: [] },
    })
    expect(app.topology.clusters.get('dc1-paris')?.signature).toBe(filers[0]!.signature)
    expect(app.topology.audit.list()).toMatchObject([
      {
        action: 'cluster.create',
        actor: 'api:127.0.0.1',
        details: { clusters: { added: ['dc1-paris'], updated: [], removed: [] } },
      },
    ])
    expect(events).toEqual([
      {
        clustersAdded: ['dc1-paris'],
        clustersUpdated: [],
        clustersRemoved: [],
        edgesAdded: [],
        edgesUpdated: [],
        edgesRemoved: [],
      },
    ])
  })

  it('takes a given id, and derives -2 when the slug of the name is taken', async () => {
    const { app } = await topologyApp()
    const first = await send(app, 'POST', '/clusters', {
      id: 'paris',
      name: 'first',
      addresses: [filers[0]!.address],
      filerProxy: true,
      embedded: true,
    })
    expect(first.statusCode).toBe(201)
    expect(first.json()).toMatchObject({ id: 'paris', filerProxy: true, embedded: true })
    const second = await send(app, 'POST', '/clusters', {
      name: 'Paris',
      addresses: [filers[1]!.address],
    })
    expect(second.json()).toMatchObject({ id: 'paris-2', name: 'Paris' })
  })

  it('accepts several addresses of one store (the same filer spelled twice)', async () => {
    const { app } = await topologyApp()
    const response = await send(app, 'POST', '/clusters', {
      name: 'twice',
      addresses: [filers[0]!.address, otherSpelling(filers[0]!)],
    })
    expect(response.statusCode).toBe(201)
    expect(response.json()).toMatchObject({ signature: filers[0]!.signature })
  })

  it('refuses an unreachable address with 422 and what each address answered; stores nothing', async () => {
    const { app, events } = await topologyApp()
    const response = await send(app, 'POST', '/clusters', {
      name: 'half down',
      addresses: [filers[0]!.address, DEAD_ADDRESS],
    })
    const error = expectError(response, 422, 'CLUSTER_PROBE_FAILED')
    expect(error.message).toMatch(
      /^Cluster "half down" failed the probe: filer 127\.0\.0\.1:1\.2 did not answer: /,
    )
    expect(error.details).toEqual({
      clusters: [
        {
          cluster: 'half-down',
          name: 'half down',
          signature: null,
          addresses: [
            { address: filers[0]!.address, reachable: true, signature: filers[0]!.signature },
            { address: DEAD_ADDRESS, reachable: false, error: expect.any(String) as string },
          ],
          problems: [expect.stringContaining('127.0.0.1:1.2 did not answer')],
        },
      ],
    })
    expect(rows(app)).toEqual({ clusters: 0, edges: 0, audit: 0 })
    expect(events).toEqual([])
  })

  it('refuses addresses of two different stores with 422 naming both signatures', async () => {
    const { app } = await topologyApp()
    const response = await send(app, 'POST', '/clusters', {
      name: 'mixed',
      addresses: [filers[0]!.address, filers[1]!.address],
    })
    const error = expectError(response, 422, 'CLUSTER_PROBE_FAILED')
    expect(error.message).toContain('the addresses report different signatures')
    expect(error.message).toContain(`${filers[0]!.address}: ${filers[0]!.signature}`)
    expect(error.message).toContain(`${filers[1]!.address}: ${filers[1]!.signature}`)
    expect(rows(app).clusters).toBe(0)
  })

  it("refuses a store that is already another cluster's (same signature) with 422", async () => {
    const { app } = await topologyApp()
    await createClusters(app, [filers[0]!])
    const before = snapshot(app)
    const response = await send(app, 'POST', '/clusters', {
      name: 'copy',
      addresses: [otherSpelling(filers[0]!)],
    })
    const error = expectError(response, 422, 'CLUSTER_PROBE_FAILED')
    expect(error.message).toBe(
      `Cluster "copy" failed the probe: signature ${filers[0]!.signature} is also cluster "a"'s: ` +
        'two clusters must be two filer stores (is one a copy of the other?)',
    )
    expect(snapshot(app)).toEqual(before)
  })

  it('refuses bad input with 400 naming the field, and stores nothing', async () => {
    const { app } = await topologyApp()
    const cases: [unknown, string][] = [
      [{ addresses: [filers[0]!.address] }, 'Invalid request: body/name is required'],
      [
        { name: 'x', addresses: [] },
        'Invalid request: body/addresses must NOT have fewer than 1 items',
      ],
      [
        { name: 'x', addresses: ['nope:99999'] },
        'Invalid request: body/addresses/0 is not a filer address host:httpPort[.grpcPort] (HTTP port 99999 is outside 1-65535)',
      ],
      [
        { name: 'x', addresses: [filers[0]!.address, filers[0]!.address] },
        `Invalid request: body/addresses/1 repeats the gRPC endpoint ${filers[0]!.grpcAddress}`,
      ],
      [
        { name: 'x', addresses: [filers[0]!.address], adresses: [] },
        'Invalid request: body/adresses is not allowed',
      ],
      [
        { name: 'x', id: 'Not A Slug', addresses: [filers[0]!.address] },
        'Invalid request: body/id must match pattern "^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$"',
      ],
      [
        {
          name: 'x',
          addresses: [filers[0]!.address],
          tls: { ca: TEST_TLS.cert, cert: TEST_TLS.cert },
        },
        'Invalid request: body/tls/key is required (no key is stored for this cluster)',
      ],
      [
        {
          name: 'x',
          addresses: [filers[0]!.address],
          tls: { ca: TEST_TLS.cert, cert: TEST_TLS.cert, key: TEST_TLS.otherKey },
        },
        'Invalid request: body/tls/key does not match tls/cert',
      ],
      [
        {
          name: 'x',
          addresses: [filers[0]!.address],
          tls: { ca: '-----BEGIN CERTIFICATE-----\nnope', cert: TEST_TLS.cert, key: TEST_TLS.key },
        },
        'Invalid request: body/tls/ca is not a PEM certificate',
      ],
    ]
    for (const [payload, message] of cases) {
      const response = await send(app, 'POST', '/clusters', payload)
      expect(expectError(response, 400, 'VALIDATION_FAILED').message, JSON.stringify(payload)).toBe(
        message,
      )
    }
    expect(rows(app)).toEqual({ clusters: 0, edges: 0, audit: 0 })
  })

  it('refuses a taken name or id with 409 CONFLICT and an address in use with 400', async () => {
    const { app } = await topologyApp()
    await createClusters(app, [filers[0]!])
    const before = snapshot(app)
    const name = await send(app, 'POST', '/clusters', {
      name: 'A',
      addresses: [filers[1]!.address],
    })
    expect(expectError(name, 409, 'CONFLICT')).toEqual({
      code: 'CONFLICT',
      message: 'The name "A" is taken by cluster "a"',
      details: { name: 'A', cluster: 'a' },
    })
    const id = await send(app, 'POST', '/clusters', {
      id: 'a',
      name: 'other',
      addresses: [filers[1]!.address],
    })
    expect(expectError(id, 409, 'CONFLICT').message).toBe('A cluster with id "a" exists')
    const address = await send(app, 'POST', '/clusters', {
      name: 'other',
      addresses: [filers[0]!.address],
    })
    expect(expectError(address, 400, 'VALIDATION_FAILED').message).toBe(
      'Invalid request: body/addresses/0 is already an address of cluster "a"',
    )
    expect(snapshot(app)).toEqual(before)
  })
})

describe('GET /api/v1/clusters and /clusters/:id', () => {
  it('lists the clusters oldest first and gets one; 404 for an unknown id', async () => {
    const { app } = await topologyApp()
    expect((await send(app, 'GET', '/clusters')).json()).toEqual({ clusters: [] })
    await createClusters(app, filers.slice(0, 2))
    const list = (await send(app, 'GET', '/clusters')).json<{ clusters: ClusterBody[] }>()
    expect(list.clusters.map((c) => c.id)).toEqual(['a', 'b'])
    const one = await send(app, 'GET', '/clusters/b')
    expect(one.statusCode).toBe(200)
    expect(one.json()).toEqual(list.clusters[1])
    expect(expectError(await send(app, 'GET', '/clusters/zz'), 404, 'NOT_FOUND').message).toBe(
      'No cluster with id "zz"',
    )
  })
})

describe('PATCH /api/v1/clusters/:id', () => {
  it('renames without probing (the filer may be down), keeping the id', async () => {
    const { app, events } = await topologyApp()
    const { startEmbeddedFiler } = await import('@seasync/embedded-filer')
    const temporary = await startEmbeddedFiler()
    await createClusters(app, [temporary])
    await temporary.close()
    const response = await send(app, 'PATCH', '/clusters/a', { name: 'Renamed', filerProxy: true })
    expect(response.statusCode).toBe(200)
    expect(response.json()).toMatchObject({ id: 'a', name: 'Renamed', filerProxy: true })
    expect(events.at(-1)).toMatchObject({ clustersUpdated: ['a'], edgesUpdated: [] })
  })

  it('probes new addresses: another spelling of the same store passes, a dead one is refused', async () => {
    const { app } = await topologyApp()
    await createClusters(app, [filers[0]!])
    const ok = await send(app, 'PATCH', '/clusters/a', {
      addresses: [otherSpelling(filers[0]!)],
    })
    expect(ok.statusCode).toBe(200)
    expect(ok.json()).toMatchObject({ addresses: [otherSpelling(filers[0]!)] })
    const before = snapshot(app)
    const dead = await send(app, 'PATCH', '/clusters/a', { addresses: [DEAD_ADDRESS] })
    expectError(dead, 422, 'CLUSTER_PROBE_FAILED')
    expect(snapshot(app)).toEqual(before)
  })

  it('refuses an unknown id (404), an empty body (400), a taken name (409); stores nothing', async () => {
    const { app } = await topologyApp()
    await createClusters(app, filers.slice(0, 2))
    const before = snapshot(app)
    expectError(await send(app, 'PATCH', '/clusters/zz', { name: 'x' }), 404, 'NOT_FOUND')
    expect(
      expectError(await send(app, 'PATCH', '/clusters/a', {}), 400, 'VALIDATION_FAILED').message,
    ).toBe('Invalid request: body must NOT have fewer than 1 properties')
    expectError(await send(app, 'PATCH', '/clusters/a', { name: 'B' }), 409, 'CONFLICT')
    expectError(
      await send(app, 'PATCH', '/clusters/a', { embedded: true }),
      400,
      'VALIDATION_FAILED',
    )
    expect(snapshot(app)).toEqual(before)
  })
})

describe('DELETE /api/v1/clusters/:id', () => {
  it('deletes a cluster without edges (204); 409 naming the edges otherwise; 404 unknown', async () => {
    const { app, events } = await topologyApp()
    await createClusters(app, filers.slice(0, 3))
    expect((await send(app, 'POST', '/edges', edgeBody('A:/', 'B:/'))).statusCode).toBe(201)
    const before = snapshot(app)
    const refused = await send(app, 'DELETE', '/clusters/a')
    expect(expectError(refused, 409, 'CONFLICT')).toEqual({
      code: 'CONFLICT',
      message: 'Cluster "a" still has edges (a-b): delete them first',
      details: { edges: ['a-b'] },
    })
    expect(snapshot(app)).toEqual(before)
    expectError(await send(app, 'DELETE', '/clusters/zz'), 404, 'NOT_FOUND')
    const deleted = await send(app, 'DELETE', '/clusters/c')
    expect(deleted.statusCode).toBe(204)
    expect(deleted.body).toBe('')
    expect(app.topology.clusters.get('c')).toBeNull()
    expect(events.at(-1)).toMatchObject({ clustersRemoved: ['c'] })
  })
})

describe('DELETE /api/v1/clusters?embedded=true', () => {
  it('removes every embedded cluster and its edges in one change', async () => {
    const { app, events } = await topologyApp()
    for (const [i, name] of ['demo-a', 'demo-b', 'real'].entries()) {
      const response = await send(app, 'POST', '/clusters', {
        name,
        addresses: [filers[i]!.address],
        embedded: name.startsWith('demo'),
      })
      expect(response.statusCode).toBe(201)
    }
    await send(app, 'POST', '/edges', edgeBody('demo-a:/', 'demo-b:/'))
    await send(app, 'POST', '/edges', edgeBody('demo-b:/x', 'real:/x', 'one-way'))
    const response = await send(app, 'DELETE', '/clusters?embedded=true')
    expect(response.statusCode).toBe(200)
    expect(response.json()).toEqual({
      clusters: ['demo-a', 'demo-b'],
      edges: ['demo-a-demo-b', 'demo-b-real'],
    })
    expect(rows(app)).toMatchObject({ clusters: 1, edges: 0 })
    expect(events.at(-1)).toMatchObject({
      clustersRemoved: ['demo-a', 'demo-b'],
      edgesRemoved: ['demo-a-demo-b', 'demo-b-real'],
    })
    expect(app.topology.audit.list()[0]).toMatchObject({ action: 'cluster.remove-embedded' })
    // Nothing embedded left: nothing to do.
    expect((await send(app, 'DELETE', '/clusters?embedded=true')).json()).toEqual({
      clusters: [],
      edges: [],
    })
  })

  it('refuses a missing or false flag and unknown parameters with 400; stores nothing', async () => {
    const { app } = await topologyApp()
    await send(app, 'POST', '/clusters', {
      name: 'demo',
      addresses: [filers[0]!.address],
      embedded: true,
    })
    const before = snapshot(app)
    expect(
      expectError(await send(app, 'DELETE', '/clusters'), 400, 'VALIDATION_FAILED').message,
    ).toBe('Invalid request: querystring/embedded is required')
    expect(
      expectError(await send(app, 'DELETE', '/clusters?embedded=false'), 400, 'BAD_REQUEST')
        .message,
    ).toMatch(/^Only embedded=true is supported here/)
    expect(
      expectError(
        await send(app, 'DELETE', '/clusters?embedded=true&all=1'),
        400,
        'VALIDATION_FAILED',
      ).message,
    ).toBe('Invalid request: querystring/all is not allowed')
    expect(snapshot(app)).toEqual(before)
  })
})

describe('TLS material (service level, with a stand-in probe)', () => {
  it('is stored, never answered with its key, kept when an update leaves the key out', async () => {
    const { db } = openDatabase({ file: ':memory:' })
    try {
      const probed: { address: string; tls: boolean }[] = []
      const service = new TopologyService(db, new TopologyEvents(), {
        probe: async (address, { tls }) => {
          probed.push({ address, tls: tls !== null })
          return 42
        },
      })
      const tls = { ca: TEST_TLS.cert, cert: TEST_TLS.cert, key: TEST_TLS.key }
      await service.createCluster({ name: 'secure', addresses: ['filer:8888'], tls }, 'test')
      expect(service.clusters.get('secure')?.tls).toEqual(tls)
      expect(probed).toEqual([{ address: 'filer:8888', tls: true }])
      // Same certificates without the key: the stored key stays, nothing changes, no probe.
      await service.updateCluster(
        'secure',
        { tls: { ca: TEST_TLS.cert, cert: TEST_TLS.cert } },
        'test',
      )
      expect(service.clusters.get('secure')?.tls).toEqual(tls)
      expect(probed).toHaveLength(1)
      expect(service.audit.list()).toHaveLength(1)
      // null removes it, and the cluster is probed again (plaintext now).
      await service.updateCluster('secure', { tls: null }, 'test')
      expect(service.clusters.get('secure')?.tls).toBeNull()
      expect(probed).toHaveLength(2)
    } finally {
      db.close()
    }
  })

  it('is refused by the default probe when the filer does not speak TLS, saying so', async () => {
    const { app } = await topologyApp()
    const response = await send(app, 'POST', '/clusters', {
      name: 'secure',
      addresses: [filers[0]!.address],
      tls: { ca: TEST_TLS.cert, cert: TEST_TLS.cert, key: TEST_TLS.key },
    })
    expect(expectError(response, 422, 'CLUSTER_PROBE_FAILED').message).toContain(
      'TLS handshake failed: the server does not speak TLS on this port (plaintext)',
    )
    expect(rows(app).clusters).toBe(0)
  })

  it('answers the certificates and hasKey, never the key', async () => {
    const { toClusterDto } = await import('../../src/services/topology-dto.js')
    const dto = toClusterDto({
      id: 's',
      name: 's',
      addresses: ['f:1'],
      embedded: false,
      filerProxy: false,
      tls: { ca: 'CA', cert: 'CERT', key: 'KEY' },
      signature: 1,
      createdAtMs: 0,
      updatedAtMs: 0,
    })
    expect(dto.tls).toEqual({ ca: 'CA', cert: 'CERT', hasKey: true, https: true })
    expect(JSON.stringify(dto)).not.toContain('KEY')
  })
})

describe('authentication', () => {
  it('the cluster routes need the token when one is configured', async () => {
    const { buildTestApp } = await import('../support/app.js')
    const app = buildTestApp({ apiToken: 'cluster-token-0123456789' })
    const response = await app.inject({ method: 'GET', url: '/api/v1/clusters' })
    expect(response.statusCode).toBe(401)
  })
})
