/**
 * What a change does (pure): the stored diff between the current topology and a draft, and the
 * plan for the running edges (`start`, `stop`, `restart`, `unchanged`), as `POST
 * /topology/validate` and `PUT /topology` report it and the edge runtime acts on it.
 */
import type { Plan, PlanItem } from '../schemas/topology.js'
import {
  canonicalJson,
  edgeSettingsDiffer,
  type DraftCluster,
  type DraftEdge,
  type TopologyState,
} from './topology-draft.js'

/** Ids added, changed and removed by a change, per kind. */
export interface TopologyDiff {
  readonly clusters: {
    readonly added: readonly string[]
    readonly updated: readonly string[]
    readonly removed: readonly string[]
    /** Updated clusters whose addresses or TLS material changed: they are probed again. */
    readonly reconnected: readonly string[]
    /** Updated clusters whose edges restart: addresses, TLS or the filer-proxy default changed. */
    readonly restarting: readonly string[]
  }
  readonly edges: {
    readonly added: readonly string[]
    readonly updated: readonly string[]
    readonly removed: readonly string[]
  }
}

/** The draft as the diff needs it. */
export interface DraftTopology {
  readonly clusters: readonly DraftCluster[]
  readonly edges: readonly DraftEdge[]
}

const connection = (c: Pick<DraftCluster, 'addresses' | 'tls'>): string =>
  canonicalJson([c.addresses, c.tls])

/** The stored diff from `current` to `draft` (clusters and edges matched by id). */
export function diffTopology(current: TopologyState, draft: DraftTopology): TopologyDiff {
  const storedClusters = new Map(current.clusters.map((c) => [c.id, c]))
  const draftClusters = new Set(draft.clusters.map((c) => c.id))
  const clusters = {
    added: [] as string[],
    updated: [] as string[],
    removed: current.clusters.filter((c) => !draftClusters.has(c.id)).map((c) => c.id),
    reconnected: [] as string[],
    restarting: [] as string[],
  }
  for (const cluster of draft.clusters) {
    const stored = storedClusters.get(cluster.id)
    if (stored === undefined) {
      clusters.added.push(cluster.id)
      continue
    }
    const reconnected = connection(stored) !== connection(cluster)
    if (reconnected) clusters.reconnected.push(cluster.id)
    if (reconnected || stored.filerProxy !== cluster.filerProxy)
      clusters.restarting.push(cluster.id)
    if (
      reconnected ||
      stored.filerProxy !== cluster.filerProxy ||
      stored.name !== cluster.name ||
      stored.embedded !== cluster.embedded
    ) {
      clusters.updated.push(cluster.id)
    }
  }

  const storedEdges = new Map(current.edges.map((e) => [e.id, e]))
  const draftEdges = new Set(draft.edges.map((e) => e.id))
  const edges = {
    added: [] as string[],
    updated: [] as string[],
    removed: current.edges.filter((e) => !draftEdges.has(e.id)).map((e) => e.id),
  }
  for (const edge of draft.edges) {
    const stored = storedEdges.get(edge.id)
    if (stored === undefined) edges.added.push(edge.id)
    else if (stored.paused !== edge.paused || edgeSettingsDiffer(stored, edge)) {
      edges.updated.push(edge.id)
    }
  }
  return { clusters, edges }
}

/** Whether the change stores nothing new. */
export function isEmptyDiff(diff: TopologyDiff): boolean {
  return (
    diff.clusters.added.length +
      diff.clusters.updated.length +
      diff.clusters.removed.length +
      diff.edges.added.length +
      diff.edges.updated.length +
      diff.edges.removed.length ===
    0
  )
}

/** The plan for the running edges (see `Plan` in `src/schemas/topology.ts`). */
export function planChange(current: TopologyState, draft: DraftTopology, diff: TopologyDiff): Plan {
  const stored = new Map(current.edges.map((e) => [e.id, e]))
  const restarting = new Set(diff.clusters.restarting)
  const start: PlanItem[] = []
  const stop: PlanItem[] = []
  const restart: PlanItem[] = []
  const unchanged: string[] = []
  for (const edge of draft.edges) {
    const before = stored.get(edge.id)
    if (before === undefined) {
      if (!edge.paused) start.push({ edge: edge.id, reason: 'added' })
      continue
    }
    if (before.paused && edge.paused) unchanged.push(edge.id)
    else if (edge.paused) stop.push({ edge: edge.id, reason: 'paused' })
    else if (before.paused) start.push({ edge: edge.id, reason: 'resumed' })
    else if (edgeSettingsDiffer(before, edge)) restart.push({ edge: edge.id, reason: 'changed' })
    else if (restarting.has(edge.a.cluster) || restarting.has(edge.b.cluster)) {
      restart.push({ edge: edge.id, reason: 'cluster-changed' })
    } else unchanged.push(edge.id)
  }
  for (const id of diff.edges.removed) {
    if (stored.get(id)?.paused === false) stop.push({ edge: id, reason: 'removed' })
  }
  return {
    start,
    stop,
    restart,
    unchanged,
    edges: {
      added: [...diff.edges.added],
      updated: [...diff.edges.updated],
      removed: [...diff.edges.removed],
    },
    clusters: {
      added: [...diff.clusters.added],
      updated: [...diff.clusters.updated],
      removed: [...diff.clusters.removed],
    },
  }
}
