import { describe, expect, it } from 'vitest'
import { cluster, demoTopology, direction, edge, edgeStatus, statusOf } from '../../test/fixtures'
import { addressSpellings, clusterHealth } from './cluster-health'

describe('addressSpellings', () => {
  it('gives the HTTP and gRPC host:port of a filer address', () => {
    expect(addressSpellings('127.0.0.1:46291.36565')).toEqual([
      '127.0.0.1:46291',
      '127.0.0.1:36565',
    ])
    expect(addressSpellings('filer:8888')).toEqual(['filer:8888', 'filer:18888'])
  })
})

describe('clusterHealth', () => {
  const far = cluster('far', { addresses: ['127.0.0.1:46291.36565'] })
  const e = edge('c-far', 'demo-c', 'far')
  const topology = { clusters: [cluster('demo-c'), far], edges: [e] }

  it('is unreachable when a touching direction’s error names one of its addresses', () => {
    const status = statusOf(topology, [
      edgeStatus(e, { state: 'error' }, [
        direction('demo-c', 'far'),
        direction('far', 'demo-c', {
          direction: 'b-a',
          state: 'error',
          replicatorState: 'backing-off',
          lastError:
            'SubscribeMetadata / on 127.0.0.1:36565: UNAVAILABLE No connection established.',
        }),
      ]),
    ])
    const health = clusterHealth(far, status)
    expect(health.kind).toBe('unreachable')
    expect(health.detail).toContain('127.0.0.1:36565')
    // The other end is not blamed for it, but its edge needs attention.
    expect(clusterHealth(topology.clusters[0]!, status).kind).toBe('warning')
  })

  it('does not match an address inside a longer port', () => {
    const c = cluster('x', { addresses: ['10.0.0.1:80.90'] })
    const e2 = edge('x-y', 'x', 'y')
    const status = statusOf({ clusters: [c], edges: [e2] }, [
      edgeStatus(e2, { state: 'error' }, [
        direction('x', 'y', { state: 'error', lastError: 'connect ECONNREFUSED 10.0.0.1:8080' }),
      ]),
    ])
    expect(clusterHealth(c, status).kind).toBe('warning')
  })

  it('is ok with healthy edges, idle without edges, unknown without status', () => {
    const demo = demoTopology()
    expect(clusterHealth(demo.clusters[0]!, statusOf(demo)).kind).toBe('ok')
    expect(clusterHealth(cluster('lonely'), statusOf(demo)).kind).toBe('idle')
    expect(clusterHealth(demo.clusters[0]!, undefined).kind).toBe('unknown')
  })
})
