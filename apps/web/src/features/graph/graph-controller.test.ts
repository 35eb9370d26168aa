import { afterEach, describe, expect, it } from 'vitest'
import {
  demoTopology,
  direction,
  edgeStatus,
  statusOf,
  cluster,
  clusterStatus,
  edge,
} from '../../test/fixtures'
import { GraphController, type GraphSelection } from './graph-controller'
import { buildGraphElements } from './graph-model'
import { memoryPositionStore } from './positions'

let controller: GraphController | undefined
afterEach(() => controller?.destroy())

function setup(positions = memoryPositionStore()) {
  const selected: (GraphSelection | null)[] = []
  const connected: [string, string][] = []
  controller = new GraphController(
    { onSelect: (s) => selected.push(s), onConnect: (a, b) => connected.push([a, b]) },
    positions,
  )
  const cy = controller.mount(undefined)
  return { controller, cy, selected, connected, positions }
}

const positionsOf = (cy: ReturnType<typeof setup>['cy']) =>
  Object.fromEntries(cy.nodes().map((n) => [n.id(), { ...n.position() }]))

describe('GraphController (headless Cytoscape)', () => {
  it('lays out once, then applies status ticks in place without moving anything', () => {
    const { controller, cy } = setup()
    const topology = demoTopology()
    controller.setElements(buildGraphElements(topology, statusOf(topology)))
    expect(controller.layoutRuns).toBe(1)
    expect(window.__seasyncCy).toBe(cy)
    const before = positionsOf(cy)
    const edgeBefore = cy.$id('demo-b-demo-c')

    const [, bc] = topology.edges
    const nodeBefore = cy.$id('demo-c')
    expect(nodeBefore.hasClass('health-reachable')).toBe(true)
    const stalled = statusOf(
      topology,
      [
        edgeStatus(bc!, { state: 'stalled', lagSeconds: 80 }, [
          direction('demo-b', 'demo-c', { state: 'stalled', lagSeconds: 80 }),
        ]),
      ],
      [clusterStatus(topology.clusters[2]!, 'unreachable')],
    )
    controller.setElements(buildGraphElements(topology, stalled))

    expect(controller.layoutRuns).toBe(1)
    expect(positionsOf(cy)).toEqual(before)
    // The same element object, changed in place: no remove/add, so nothing flickers.
    expect(cy.$id('demo-b-demo-c').same(edgeBefore)).toBe(true)
    expect(cy.$id('demo-b-demo-c').hasClass('stalled')).toBe(true)
    expect(cy.$id('demo-b-demo-c').hasClass('in-sync')).toBe(false)
    expect(String(cy.$id('demo-b-demo-c').data('label'))).toContain('1 min 20 s · stalled')
    // A cluster's health from the same tick: its node restyled in place.
    expect(cy.$id('demo-c').same(nodeBefore)).toBe(true)
    expect(cy.$id('demo-c').hasClass('health-unreachable')).toBe(true)
    expect(cy.$id('demo-c').hasClass('health-reachable')).toBe(false)
    expect(String(cy.$id('demo-c').data('label'))).toContain('unreachable')
  })

  it('places a new cluster beside its neighbour and keeps every other position', () => {
    const { controller, cy } = setup()
    const topology = demoTopology()
    controller.setElements(buildGraphElements(topology, undefined))
    const before = positionsOf(cy)
    const grown = {
      clusters: [...topology.clusters, cluster('demo-d')],
      edges: [...topology.edges, edge('demo-c-demo-d', 'demo-c', 'demo-d')],
    }
    controller.setElements(buildGraphElements(grown, undefined))
    expect(controller.layoutRuns).toBe(1)
    const after = positionsOf(cy)
    for (const id of Object.keys(before)) expect(after[id]).toEqual(before[id])
    const d = after['demo-d']!
    for (const id of Object.keys(before)) {
      const p = before[id]!
      expect(Math.abs(p.x - d.x) > 150 || Math.abs(p.y - d.y) > 80).toBe(true)
    }
  })

  it('puts nodes where they were remembered, without a layout', () => {
    const store = memoryPositionStore({
      'demo-a': { x: 10, y: 20 },
      'demo-b': { x: 300, y: 20 },
      'demo-c': { x: 600, y: 20 },
    })
    const { controller, cy } = setup(store)
    controller.setElements(buildGraphElements(demoTopology(), undefined))
    expect(controller.layoutRuns).toBe(0)
    expect(cy.$id('demo-b').position()).toEqual({ x: 300, y: 20 })
  })

  it('removes deleted elements', () => {
    const { controller, cy } = setup()
    const topology = demoTopology()
    controller.setElements(buildGraphElements(topology, undefined))
    controller.setElements(
      buildGraphElements({ clusters: topology.clusters, edges: [topology.edges[0]!] }, undefined),
    )
    expect(cy.$id('demo-b-demo-c').empty()).toBe(true)
    expect(cy.edges().length).toBe(1)
  })

  it('search marks matches, dims the rest, and survives a status tick', () => {
    const { controller, cy } = setup()
    const topology = demoTopology()
    controller.setElements(buildGraphElements(topology, undefined))
    expect(controller.search('DEMO-C')).toEqual(['demo-c'])
    expect(cy.$id('demo-c').hasClass('match')).toBe(true)
    expect(cy.$id('demo-a').hasClass('dimmed')).toBe(true)
    expect(cy.$id('demo-b-demo-c').hasClass('dimmed')).toBe(false)
    controller.setElements(buildGraphElements(topology, statusOf(topology)))
    expect(cy.$id('demo-a').hasClass('dimmed')).toBe(true)
    expect(controller.search('')).toEqual([])
    expect(cy.$('.dimmed').length).toBe(0)
  })

  it('reports taps on edges and clusters as selections', () => {
    const { controller, cy, selected } = setup()
    controller.setElements(buildGraphElements(demoTopology(), undefined))
    cy.$id('demo-a-demo-b').emit('tap')
    cy.$id('demo-c').emit('tap')
    expect(selected).toEqual([
      { kind: 'edge', id: 'demo-a-demo-b' },
      { kind: 'cluster', id: 'demo-c' },
    ])
  })

  it('in connect mode, press on one cluster and release on another connects them', () => {
    const { controller, cy, connected, selected } = setup(
      memoryPositionStore({
        'demo-a': { x: 0, y: 0 },
        'demo-b': { x: 400, y: 0 },
        'demo-c': { x: 800, y: 0 },
      }),
    )
    controller.setElements(buildGraphElements(demoTopology(), undefined))
    controller.setConnectMode(true)
    cy.$id('demo-a').emit({ type: 'tapstart', position: { x: 0, y: 0 } } as never)
    expect(cy.$id('demo-a').hasClass('connect-source')).toBe(true)
    cy.emit({ type: 'tapdrag', position: { x: 600, y: 0 } } as never)
    cy.emit({ type: 'tapend', position: { x: 805, y: 4 } } as never)
    expect(connected).toEqual([['demo-a', 'demo-c']])
    expect(cy.$id('demo-a').hasClass('connect-source')).toBe(false)
    expect(cy.nodes().length).toBe(3) // the ghost is gone
    // Releasing on empty space connects nothing; taps do not select in connect mode.
    cy.$id('demo-b').emit({ type: 'tapstart', position: { x: 400, y: 0 } } as never)
    cy.emit({ type: 'tapend', position: { x: 400, y: 500 } } as never)
    cy.$id('demo-b').emit('tap')
    expect(connected).toHaveLength(1)
    expect(selected).toEqual([])
  })
})

it('select marks one element and leaves an unchanged selection alone', () => {
  const { controller, cy } = setup()
  controller.setElements(buildGraphElements(demoTopology(), undefined))
  controller.select({ kind: 'edge', id: 'demo-a-demo-b' })
  expect(cy.$(':selected').map((e) => e.id())).toEqual(['demo-a-demo-b'])
  let events = 0
  cy.on('select unselect', () => (events += 1))
  controller.select({ kind: 'edge', id: 'demo-a-demo-b' })
  expect(events).toBe(0)
  controller.select({ kind: 'cluster', id: 'demo-c' })
  expect(cy.$(':selected').map((e) => e.id())).toEqual(['demo-c'])
  controller.select(null)
  expect(cy.$(':selected').length).toBe(0)
})
