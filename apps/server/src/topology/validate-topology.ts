/**
 * Loop refusal (PRODUCT.md, "Topology rules"). The graph: one vertex per distinct endpoint
 * `(cluster, normalized path)`; one link per edge joining its two endpoints; and on each cluster one
 * containment link from every endpoint to its nearest enclosing endpoint (by path components). A
 * topology is valid only if this undirected graph is a forest; edge direction and mode do not matter.
 *
 * Detection is union-find over the links, O(L α(V)): containment links first (on their own they
 * always form a forest, since each endpoint has at most one nearest enclosing endpoint), then the
 * edges in the order given. The first edge whose endpoints are already connected closes a loop; the
 * loop is that edge plus the unique path between its endpoints in the forest built so far, found by
 * a breadth-first search with parent pointers.
 */
import { normalizePath, parentPath } from './path-components.js'
import type {
  ClusterId,
  EdgeId,
  EdgeSpec,
  Endpoint,
  LoopStep,
  ValidationResult,
} from './topology-model.js'

/** A link of the graph between vertices `u` and `v`. For containment, `u` is the outer one. */
type Link =
  | { readonly kind: 'edge'; readonly edgeId: EdgeId; readonly u: number; readonly v: number }
  | { readonly kind: 'contains'; readonly u: number; readonly v: number }

/** Disjoint sets over vertex numbers, with union by size and path halving. */
class DisjointSets {
  private readonly parent: number[] = []
  private readonly size: number[] = []

  add(): void {
    this.parent.push(this.parent.length)
    this.size.push(1)
  }

  find(x: number): number {
    let root = x
    while (this.parent[root] !== root) {
      const grandparent = this.parent[this.parent[root]!]!
      this.parent[root] = grandparent
      root = grandparent
    }
    return root
  }

  /** Joins the sets of `x` and `y`; false when they were already one set. */
  union(x: number, y: number): boolean {
    let rx = this.find(x)
    let ry = this.find(y)
    if (rx === ry) return false
    if (this.size[rx]! < this.size[ry]!) [rx, ry] = [ry, rx]
    this.parent[ry] = rx
    this.size[rx] = this.size[rx]! + this.size[ry]!
    return true
  }
}

/** The endpoint graph of one topology, with links added while they keep it a forest. */
class EndpointForest {
  private readonly vertices: Endpoint[] = []
  private readonly byCluster = new Map<ClusterId, Map<string, number>>()
  private readonly sets = new DisjointSets()
  private readonly adjacent: { readonly link: Link; readonly to: number }[][] = []

  /** The vertex of `endpoint`, created on first use; its path is normalized. */
  vertexOf(endpoint: Endpoint): number {
    const path = normalizePath(endpoint.path)
    let paths = this.byCluster.get(endpoint.cluster)
    if (paths === undefined) {
      paths = new Map()
      this.byCluster.set(endpoint.cluster, paths)
    }
    let vertex = paths.get(path)
    if (vertex === undefined) {
      vertex = this.vertices.length
      this.vertices.push({ cluster: endpoint.cluster, path })
      paths.set(path, vertex)
      this.sets.add()
      this.adjacent.push([])
    }
    return vertex
  }

  /** Every endpoint joined to its nearest enclosing endpoint on the same cluster. */
  containmentLinks(): Link[] {
    const links: Link[] = []
    for (const paths of this.byCluster.values()) {
      for (const [path, inner] of paths) {
        for (let up = parentPath(path); up !== undefined; up = parentPath(up)) {
          const outer = paths.get(up)
          if (outer !== undefined) {
            links.push({ kind: 'contains', u: outer, v: inner })
            break
          }
        }
      }
    }
    return links
  }

  /** Adds `link` and returns undefined, or returns the loop it would close (adding nothing). */
  tryAdd(link: Link): LoopStep[] | undefined {
    if (!this.sets.union(link.u, link.v)) return this.loopClosedBy(link)
    this.adjacent[link.u]!.push({ link, to: link.v })
    this.adjacent[link.v]!.push({ link, to: link.u })
    return undefined
  }

  /** `v` … `u` along the forest, then `closing` back to `v`. */
  private loopClosedBy(closing: Link): LoopStep[] {
    const { u, v } = closing
    const cameFrom = new Map<number, { readonly from: number; readonly link: Link }>()
    const queue = [v]
    const seen = new Set([v])
    for (let head = 0; head < queue.length && !seen.has(u); head++) {
      const at = queue[head]!
      for (const { link, to } of this.adjacent[at]!) {
        if (seen.has(to)) continue
        seen.add(to)
        cameFrom.set(to, { from: at, link })
        queue.push(to)
      }
    }
    // Walk back from u to v, so the steps read forwards from v.
    const backwards: LoopStep[] = [this.endpointStep(u)]
    for (let at = u; at !== v;) {
      const step = cameFrom.get(at)
      if (step === undefined) throw new Error('union-find and forest disagree (bug)')
      backwards.push(this.linkStep(step.link), this.endpointStep(step.from))
      at = step.from
    }
    return [...backwards.reverse(), this.linkStep(closing), this.endpointStep(v)]
  }

  private endpointStep(vertex: number): LoopStep {
    const { cluster, path } = this.vertices[vertex]!
    return { kind: 'endpoint', cluster, path }
  }

  private linkStep(link: Link): LoopStep {
    if (link.kind === 'edge') return { kind: 'edge', edgeId: link.edgeId }
    const outer = this.vertices[link.u]!
    const inner = this.vertices[link.v]!
    return { kind: 'contains', cluster: outer.cluster, outer: outer.path, inner: inner.path }
  }
}

/**
 * Validates a topology: valid only if its endpoint graph (see the module comment) is a forest.
 * A refusal returns the loop closed by the first edge, in the order given, whose endpoints were
 * already connected: steps alternate endpoint and link, start at that edge's `b` side (or its `a`
 * side for a self-loop), and end with that edge and the starting endpoint. Two edges joining the
 * same two endpoints are a loop of two edges; an edge joining an endpoint to itself, a loop of one.
 */
export function validateTopology(edges: readonly EdgeSpec[]): ValidationResult {
  const forest = new EndpointForest()
  const edgeLinks: Link[] = edges.map((edge) => ({
    kind: 'edge',
    edgeId: edge.id,
    u: forest.vertexOf(edge.a),
    v: forest.vertexOf(edge.b),
  }))
  for (const link of [...forest.containmentLinks(), ...edgeLinks]) {
    const loop = forest.tryAdd(link)
    if (loop !== undefined) return { valid: false, loop }
  }
  return { valid: true }
}

/** A change to a topology, applied in this order: `remove`, then `replace`, then `add`. */
export interface TopologyChange {
  /** New edges, appended; their ids must not be in use after `remove`. */
  readonly add?: readonly EdgeSpec[]
  /** Ids of existing edges to delete. */
  readonly remove?: readonly EdgeId[]
  /** Edges that take the place (and list position) of the existing edges with the same ids. */
  readonly replace?: readonly EdgeSpec[]
}

/** The verdict on a changed topology, with its edge list (stored only when valid). */
export type ChangeValidation =
  | { readonly valid: true; readonly edges: readonly EdgeSpec[] }
  | {
      readonly valid: false
      readonly loop: readonly LoopStep[]
      readonly edges: readonly EdgeSpec[]
    }

/** Why a change cannot even be applied: it names an edge that is missing or already in use. */
export class TopologyChangeError extends Error {
  override readonly name = 'TopologyChangeError'

  constructor(
    /** `unknown-edge`: removed or replaced id not found; `duplicate-edge`: an id occurs twice. */
    readonly reason: 'unknown-edge' | 'duplicate-edge',
    readonly edgeId: EdgeId,
  ) {
    super(
      reason === 'unknown-edge'
        ? `no edge with id ${JSON.stringify(edgeId)}`
        : `edge id ${JSON.stringify(edgeId)} is used more than once`,
    )
  }
}

/**
 * Dry-runs `change` on `current`: the changed edge list and {@link validateTopology}'s verdict on
 * it. Nothing is stored, so the caller stores `edges` only when `valid`. The unchanged edges are
 * checked before the replaced and added ones, so when `current` is valid the loop is closed by
 * (and names) an edge of the change.
 *
 * @throws {TopologyChangeError} when a removed or replaced id is not in `current`, or an id would
 *   occur twice in the result.
 */
export function validateChange(
  current: readonly EdgeSpec[],
  change: TopologyChange,
): ChangeValidation {
  const removed = new Set(change.remove)
  const replacements = new Map<EdgeId, EdgeSpec>()
  for (const edge of change.replace ?? []) {
    if (replacements.has(edge.id)) throw new TopologyChangeError('duplicate-edge', edge.id)
    replacements.set(edge.id, edge)
  }
  const currentIds = new Set(current.map((edge) => edge.id))
  for (const id of [...removed, ...replacements.keys()]) {
    if (!currentIds.has(id) || (removed.has(id) && replacements.has(id))) {
      throw new TopologyChangeError('unknown-edge', id)
    }
  }

  const edges = current
    .filter((edge) => !removed.has(edge.id))
    .map((edge) => replacements.get(edge.id) ?? edge)
    .concat(change.add ?? [])
  const ids = new Set<EdgeId>()
  for (const { id } of edges) {
    if (ids.has(id)) throw new TopologyChangeError('duplicate-edge', id)
    ids.add(id)
  }

  const changed = new Set([...replacements.keys(), ...(change.add ?? []).map((edge) => edge.id)])
  const checkOrder = [
    ...edges.filter((edge) => !changed.has(edge.id)),
    ...edges.filter((edge) => changed.has(edge.id)),
  ]
  const verdict = validateTopology(checkOrder)
  return verdict.valid ? { valid: true, edges } : { valid: false, loop: verdict.loop, edges }
}

/**
 * A loop as one line for messages: endpoints as `cluster:path`, edges as `—id—`, containment as
 * `⊃` (outer to inner) or `⊂` (inner to outer), e.g. `A:/ —e1— B:/ ⊃ B:/y —e2— A:/x ⊂ A:/`.
 */
export function describeLoop(loop: readonly LoopStep[]): string {
  let text = ''
  let previousPath: string | undefined
  for (const step of loop) {
    switch (step.kind) {
      case 'endpoint':
        text += `${step.cluster}:${step.path}`
        previousPath = step.path
        break
      case 'edge':
        text += ` —${step.edgeId}— `
        break
      case 'contains':
        text += previousPath === step.outer ? ' ⊃ ' : ' ⊂ '
        break
    }
  }
  return text
}
