import { describe, expect, it } from 'vitest'
import {
  cluster,
  clusterStatus,
  demoTopology,
  direction,
  edge,
  edgeStatus,
  statusOf,
} from '../../test/fixtures'
import { buildGraphElements, edgeLabel, PROPOSED_EDGE_ID } from './graph-model'

describe('buildGraphElements', () => {
  it('makes a node per cluster and an edge per sync edge, ids kept', () => {
    const topology = demoTopology()
    const elements = buildGraphElements(topology, statusOf(topology))
    expect(elements.filter((e) => e.group === 'nodes').map((e) => e.data.id)).toEqual([
      'demo-a',
      'demo-b',
      'demo-c',
    ])
    const edges = elements.filter((e) => e.group === 'edges')
    expect(edges.map((e) => [e.data.id, e.data['source'], e.data['target']])).toEqual([
      ['demo-a-demo-b', 'demo-a', 'demo-b'],
      ['demo-b-demo-c', 'demo-b', 'demo-c'],
    ])
  })

  it('classes edges by state and mode, and nodes by health and embedded', () => {
    const topology = demoTopology()
    topology.clusters[0] = cluster('demo-a', { embedded: true })
    const [ab, bc] = topology.edges
    const status = statusOf(
      topology,
      [
        edgeStatus(bc!, { state: 'stalled', lagSeconds: 75 }, [
          direction('demo-b', 'demo-c', { state: 'stalled', lagSeconds: 75 }),
        ]),
      ],
      [clusterStatus(topology.clusters[2]!, 'unreachable')],
    )
    const byId = new Map(buildGraphElements(topology, status).map((e) => [e.data.id, e]))
    expect(byId.get('demo-a-demo-b')?.classes).toEqual(['active-active', 'in-sync'])
    expect(byId.get('demo-b-demo-c')?.classes).toEqual(['one-way', 'stalled'])
    expect(byId.get('demo-a')?.classes).toEqual(['cluster', 'embedded', 'health-reachable'])
    // The node's health is the server's probe of its filers, not its edges' state.
    expect(byId.get('demo-b')?.classes).toEqual(['cluster', 'health-reachable'])
    expect(byId.get('demo-c')?.classes).toEqual(['cluster', 'health-unreachable'])
    expect(ab).toBeDefined()
  })

  it('without status yet, paused edges read paused and others starting', () => {
    const topology = demoTopology()
    topology.edges[1] = { ...topology.edges[1]!, paused: true }
    const byId = new Map(buildGraphElements(topology, undefined).map((e) => [e.data.id, e]))
    expect(byId.get('demo-a-demo-b')?.data['state']).toBe('starting')
    expect(byId.get('demo-b-demo-c')?.data['state']).toBe('paused')
    expect(byId.get('demo-a')?.data['health']).toBe('unknown')
  })

  it('marks a refused loop and draws the proposed edge dashed', () => {
    const topology = demoTopology()
    const elements = buildGraphElements(topology, undefined, {
      edges: ['demo-a-demo-b', 'demo-b-demo-c', 'demo-c-demo-a'],
      clusters: ['demo-a', 'demo-b', 'demo-c'],
      proposed: { id: 'demo-c-demo-a', source: 'demo-c', target: 'demo-a' },
    })
    const loop = elements.filter((e) => e.classes.includes('loop')).map((e) => e.data.id)
    expect(loop).toEqual([
      'demo-a',
      'demo-b',
      'demo-c',
      'demo-a-demo-b',
      'demo-b-demo-c',
      PROPOSED_EDGE_ID,
    ])
    const proposed = elements.find((e) => e.data.id === PROPOSED_EDGE_ID)
    expect(proposed?.data).toMatchObject({ source: 'demo-c', target: 'demo-a' })
    expect(proposed?.classes).toContain('proposed')
  })

  it('skips edges whose clusters are unknown (a topology mid-refetch)', () => {
    const topology = { clusters: [cluster('x')], edges: [edge('x-y', 'x', 'y')] }
    expect(buildGraphElements(topology, undefined).map((e) => e.data.id)).toEqual(['x'])
  })
})

describe('edgeLabel', () => {
  it('shows the path mapping and each direction’s lag, naming states other than in sync', () => {
    const e = edge('a-b', 'a', 'b', {
      b: { cluster: 'b', path: '/backup', excludes: [] },
    })
    const label = edgeLabel(
      e,
      edgeStatus(e, {}, [
        direction('a', 'b', { lagSeconds: 0 }),
        direction('b', 'a', { direction: 'b-a', lagSeconds: 12.44, state: 'catching-up' }),
      ]),
    )
    expect(label).toBe('/ ↔ /backup\n→ 0 s   ← 12.4 s · catching up')
  })

  it('one-way edges have one arrow and one lag', () => {
    const e = edge('a-b', 'a', 'b', { mode: 'one-way' })
    expect(edgeLabel(e, edgeStatus(e))).toBe('/ → /\n→ 0 s')
    expect(edgeLabel(e, undefined)).toBe('/ → /\nno status yet')
  })
})
