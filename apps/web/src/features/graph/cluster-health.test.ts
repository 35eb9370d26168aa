import { describe, expect, it } from 'vitest'
import { cluster, clusterStatus, demoTopology, statusOf } from '../../test/fixtures'
import { clusterHealth } from './cluster-health'

describe('clusterHealth', () => {
  const two = cluster('two', { addresses: ['10.0.0.1:8888', '10.0.0.2:8888'], signature: 7 })
  const topology = { clusters: [two], edges: [] }

  it('reads the server’s probe: reachable, even for a cluster without edges', () => {
    const health = clusterHealth(two, statusOf(topology))
    expect(health).toMatchObject({ kind: 'reachable', text: 'reachable', detail: undefined })
    expect(health.live?.addresses).toHaveLength(2)
  })

  it('degraded names how many filers are down and the first one’s error', () => {
    const live = clusterStatus(two, 'degraded', {
      addresses: [
        { address: '10.0.0.1:8888', reachable: true, signature: 7, error: null, latencyMs: 3 },
        {
          address: '10.0.0.2:8888',
          reachable: false,
          signature: null,
          error: 'connect ECONNREFUSED 10.0.0.2:18888',
          latencyMs: null,
        },
      ],
    })
    const health = clusterHealth(two, statusOf(topology, [], [live]))
    expect(health.kind).toBe('degraded')
    expect(health.text).toBe('1 of 2 filers unreachable')
    expect(health.detail).toBe('10.0.0.2:8888: connect ECONNREFUSED 10.0.0.2:18888')
  })

  it('unreachable and mismatch', () => {
    const down = clusterHealth(two, statusOf(topology, [], [clusterStatus(two, 'unreachable')]))
    expect(down).toMatchObject({ kind: 'unreachable', text: 'filer unreachable' })
    const other = clusterStatus(two, 'mismatch', {
      addresses: [
        { address: '10.0.0.1:8888', reachable: true, signature: 9, error: null, latencyMs: 1 },
      ],
    })
    const mismatch = clusterHealth(two, statusOf(topology, [], [other]))
    expect(mismatch.text).toBe('signature mismatch')
    expect(mismatch.detail).toBe('stored signature 7; answered 10.0.0.1:8888: 9')
  })

  it('prefers the status stream over the fetched topology, and is unknown without either', () => {
    const fetched = { ...two, status: clusterStatus(two, 'unreachable') }
    expect(clusterHealth(fetched, undefined).kind).toBe('unreachable')
    expect(clusterHealth(fetched, statusOf(topology)).kind).toBe('reachable')
    const demo = demoTopology()
    expect(clusterHealth(demo.clusters[0]!, undefined)).toMatchObject({
      kind: 'unknown',
      text: 'not checked yet',
    })
  })
})
