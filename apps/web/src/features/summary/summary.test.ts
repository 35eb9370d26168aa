import { describe, expect, it } from 'vitest'
import { demoTopology, direction, edgeStatus, statusOf } from '../../test/fixtures'
import { computeSummary } from './summary'

describe('computeSummary', () => {
  it('counts clusters and edges, finds the worst lag and the edges not in sync', () => {
    const topology = demoTopology()
    const [ab, bc] = topology.edges
    const status = statusOf(topology, [
      edgeStatus(ab!, { state: 'catching-up', lagSeconds: 12.4 }, [
        direction('demo-a', 'demo-b', { lagSeconds: 12.4, state: 'catching-up' }),
      ]),
      edgeStatus(bc!, { state: 'error', lagSeconds: 3 }),
    ])
    expect(computeSummary(topology, status)).toEqual({
      clusters: 3,
      edges: 2,
      worstLagSeconds: 12.4,
      worstEdgeId: 'demo-a-demo-b',
      notInSync: 2,
      failing: 1,
    })
  })

  it('all in sync: no lag, nothing out of sync; paused counts as not in sync', () => {
    const topology = demoTopology()
    expect(computeSummary(topology, statusOf(topology))).toMatchObject({
      worstLagSeconds: 0,
      worstEdgeId: undefined,
      notInSync: 0,
    })
    const paused = statusOf(topology, [edgeStatus(topology.edges[0]!, { state: 'paused' })])
    expect(computeSummary(topology, paused).notInSync).toBe(1)
  })

  it('before the first status, only the counts are known', () => {
    expect(computeSummary(demoTopology(), undefined)).toMatchObject({
      clusters: 3,
      edges: 2,
      worstLagSeconds: undefined,
      notInSync: undefined,
    })
  })
})
