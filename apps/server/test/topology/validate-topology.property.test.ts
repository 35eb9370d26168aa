import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { contains, normalizePath } from '../../src/topology/path-components.js'
import type { EdgeSpec, Endpoint, LoopStep } from '../../src/topology/topology-model.js'
import { validateChange, validateTopology } from '../../src/topology/validate-topology.js'
import { loopEdgeIds } from './topology-fixtures.js'

/** A generated forest: its edges, and for each of its endpoints the tree that holds it. */
interface Forest {
  readonly edges: EdgeSpec[]
  readonly nodes: { readonly endpoint: Endpoint; readonly tree: number }[]
}

const nodeSpec = fc.record({
  attach: fc.constantFrom('root', 'edge', 'edge', 'contains', 'contains'),
  parentPick: fc.nat(),
  cluster: fc.constantFrom('A', 'B', 'C', 'D'),
  rootAtSlash: fc.boolean(),
  extraDepth: fc.integer({ min: 0, max: 2 }),
  pendant: fc.boolean(),
  flip: fc.boolean(),
  mode: fc.constantFrom('active-active' as const, 'one-way' as const),
})

/**
 * A random forest of endpoints, then turned into edges. Node i is a tree root, an edge-child or a
 * containment-child of an earlier node. Tree roots sit at `/t<i>` on a shared cluster or at `/` on a
 * cluster of their own; edge-children at `/t<i>…` on a shared cluster (disjoint from every other
 * endpoint there); containment-children under their parent's path on its cluster, so their nearest
 * enclosing endpoint is that parent. Every node gets at least one edge (a pendant edge to a fresh
 * cluster's `/` if needed), so every node is a vertex and "same tree" means "connected".
 */
const forestArb: fc.Arbitrary<Forest> = fc
  .array(nodeSpec, { minLength: 1, maxLength: 14 })
  .map((specs) => {
    const nodes: { endpoint: Endpoint; tree: number; hasEdge: boolean }[] = []
    const edges: EdgeSpec[] = []
    specs.forEach((spec, i) => {
      const extra = '/s'.repeat(spec.extraDepth)
      const parent = i === 0 || spec.attach === 'root' ? undefined : nodes[spec.parentPick % i]!
      if (parent === undefined) {
        const endpoint = spec.rootAtSlash
          ? { cluster: `R${i}`, path: '/' }
          : { cluster: spec.cluster, path: `/t${i}${extra}` }
        nodes.push({ endpoint, tree: i, hasEdge: false })
      } else if (spec.attach === 'contains') {
        const base = parent.endpoint.path === '/' ? '' : parent.endpoint.path
        const endpoint = { cluster: parent.endpoint.cluster, path: `${base}/n${i}${extra}` }
        nodes.push({ endpoint, tree: parent.tree, hasEdge: false })
      } else {
        const endpoint = { cluster: spec.cluster, path: `/t${i}${extra}` }
        nodes.push({ endpoint, tree: parent.tree, hasEdge: true })
        parent.hasEdge = true
        const [a, b] = spec.flip ? [endpoint, parent.endpoint] : [parent.endpoint, endpoint]
        edges.push({ id: `e${i}`, a, b, mode: spec.mode })
      }
    })
    specs.forEach((spec, i) => {
      const node = nodes[i]!
      if (node.hasEdge && !spec.pendant) return
      edges.push({
        id: `p${i}`,
        a: node.endpoint,
        b: { cluster: `P${i}`, path: '/' },
        mode: spec.mode,
      })
    })
    return { edges, nodes: nodes.map(({ endpoint, tree }) => ({ endpoint, tree })) }
  })

/** Small vocabularies, so random edges often share endpoints, nest and close loops. */
const randomEdgesArb: fc.Arbitrary<EdgeSpec[]> = fc
  .array(
    fc.record({
      a: fc.record({
        cluster: fc.constantFrom('A', 'B', 'C'),
        path: fc.constantFrom('/', '/a', '/a/b', '/ab', '/b/'),
      }),
      b: fc.record({
        cluster: fc.constantFrom('A', 'B', 'C'),
        path: fc.constantFrom('/', '/a', '/a/b', '/ab', '/b/'),
      }),
      mode: fc.constantFrom('active-active' as const, 'one-way' as const),
    }),
    { maxLength: 5 },
  )
  .map((sides) => sides.map((side, i) => ({ id: `r${i}`, ...side })))

const key = (cluster: string, path: string) => `${cluster}:${normalizePath(path)}`

/**
 * Checks that `loop` is a simple closed walk over `edges` and containment links: endpoints and
 * links alternate, it ends where it starts, each link joins the endpoints on either side of it, and
 * no endpoint or edge repeats.
 */
function expectClosedWalk(loop: readonly LoopStep[], edges: readonly EdgeSpec[]): void {
  expect(loop.length % 2).toBe(1)
  expect(loop.length).toBeGreaterThanOrEqual(3)
  const vertexKeys: string[] = []
  for (const [i, step] of loop.entries()) {
    if (i % 2 === 0) {
      if (step.kind !== 'endpoint') throw new Error(`step ${i} should be an endpoint`)
      vertexKeys.push(key(step.cluster, step.path))
    }
  }
  expect(vertexKeys.at(-1)).toBe(vertexKeys[0])
  expect(new Set(vertexKeys.slice(0, -1)).size).toBe(vertexKeys.length - 1)
  const ids = loopEdgeIds(loop)
  expect(new Set(ids).size).toBe(ids.length)

  for (let i = 1; i < loop.length; i += 2) {
    const step = loop[i]!
    const ends = [vertexKeys[(i - 1) / 2]!, vertexKeys[(i + 1) / 2]!].sort()
    if (step.kind === 'edge') {
      const edge = edges.find((candidate) => candidate.id === step.edgeId)
      if (edge === undefined) throw new Error(`unknown edge ${step.edgeId}`)
      expect([key(edge.a.cluster, edge.a.path), key(edge.b.cluster, edge.b.path)].sort()).toEqual(
        ends,
      )
    } else if (step.kind === 'contains') {
      expect([key(step.cluster, step.outer), key(step.cluster, step.inner)].sort()).toEqual(ends)
      expect(contains(step.outer, step.inner) && step.outer !== step.inner).toBe(true)
    } else {
      throw new Error(`step ${i} should be a link`)
    }
  }
}

describe('validateTopology properties', () => {
  it('(1) accepts any random forest of endpoints turned into edges', () => {
    fc.assert(
      fc.property(forestArb, ({ edges }) => {
        expect(validateTopology(edges)).toEqual({ valid: true })
      }),
      { numRuns: 500 },
    )
  })

  it('(2) refuses an edge between two connected endpoints, naming it in a closed walk', () => {
    const arb = forestArb.chain((forest) =>
      fc.record({
        forest: fc.constant(forest),
        from: fc.nat(forest.nodes.length - 1),
        toPick: fc.nat(),
        at: fc.nat(forest.edges.length),
        slashes: fc.boolean(),
        mode: fc.constantFrom('active-active' as const, 'one-way' as const),
      }),
    )
    fc.assert(
      fc.property(arb, ({ forest, from, toPick, at, slashes, mode }) => {
        const a = forest.nodes[from]!
        const sameTree = forest.nodes.filter((node) => node.tree === a.tree)
        const b = sameTree[toPick % sameTree.length]!
        // Spelling the path with extra slashes must not make it another endpoint.
        const path = slashes ? `/${b.endpoint.path}/` : b.endpoint.path
        const added: EdgeSpec = { id: 'new', a: a.endpoint, b: { ...b.endpoint, path }, mode }

        const edges = forest.edges.toSpliced(at, 0, added)
        const result = validateTopology(edges)
        if (result.valid) throw new Error('expected a refusal')
        expect(loopEdgeIds(result.loop)).toContain('new')
        expectClosedWalk(result.loop, edges)

        const change = validateChange(forest.edges, { add: [added] })
        if (change.valid) throw new Error('expected a refusal')
        expect(change.loop.at(-2)).toEqual({ kind: 'edge', edgeId: 'new' })
        expectClosedWalk(change.loop, change.edges)
      }),
      { numRuns: 500 },
    )
  })

  it('(3) validity does not depend on edge order', () => {
    const edgesArb = fc.oneof(
      forestArb.map((forest) => forest.edges),
      randomEdgesArb,
      fc.tuple(forestArb, randomEdgesArb).map(([forest, extra]) => [...forest.edges, ...extra]),
    )
    const arb = edgesArb.chain((edges) =>
      fc.tuple(
        fc.constant(edges),
        fc.shuffledSubarray(edges, { minLength: edges.length, maxLength: edges.length }),
      ),
    )
    fc.assert(
      fc.property(arb, ([edges, shuffled]) => {
        const original = validateTopology(edges)
        const reordered = validateTopology(shuffled)
        expect(reordered.valid).toBe(original.valid)
        if (!original.valid) expectClosedWalk(original.loop, edges)
        if (!reordered.valid) expectClosedWalk(reordered.loop, shuffled)
      }),
      { numRuns: 500 },
    )
  })
})
