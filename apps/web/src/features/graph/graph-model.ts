/**
 * Pure: the topology and the live status → Cytoscape element definitions (STYLE.md §15). Nodes
 * are clusters (id = cluster id), edges are sync edges (id = edge id, source = side A's cluster,
 * target = side B's). What is drawn is in `data` (labels) and `classes` (state, mode, health,
 * `loop`), so a status tick changes data and classes in place and never the structure.
 */
import type {
  Cluster,
  Edge,
  EdgeStatus,
  StatusList,
  TopologyGraph,
} from '@seasync/server/api-types'
import { formatSeconds, stateText } from '../../lib/format'
import type { LagState } from '../../lib/states'
import { clusterHealth } from './cluster-health'

export type ElementData = Readonly<Record<string, string | number | boolean>>

export interface GraphElement {
  readonly group: 'nodes' | 'edges'
  readonly data: ElementData & { readonly id: string }
  /** Sorted, so two equal element sets compare equal. */
  readonly classes: readonly string[]
}

/** The elements of a refused loop, and the edge that would have closed it (not stored). */
export interface LoopHighlight {
  readonly edges: readonly string[]
  readonly clusters: readonly string[]
  /** The proposed edge, drawn dashed between its clusters when it is not in the graph. */
  readonly proposed?: { readonly id: string; readonly source: string; readonly target: string }
}

/** The id of the element that draws a proposed (refused) edge. */
export const PROPOSED_EDGE_ID = '__proposed'

export function buildGraphElements(
  topology: TopologyGraph,
  status: StatusList | undefined,
  loop?: LoopHighlight,
): GraphElement[] {
  const statusById = new Map(status?.edges.map((s) => [s.edgeId, s]))
  const names = new Map(topology.clusters.map((c) => [c.id, c.name]))
  const loopEdges = new Set(loop?.edges)
  const loopClusters = new Set(loop?.clusters)
  const nodes = topology.clusters.map((cluster) =>
    clusterElement(cluster, status, loopClusters.has(cluster.id)),
  )
  const edges = topology.edges
    .filter((edge) => names.has(edge.a.cluster) && names.has(edge.b.cluster))
    .map((edge) => edgeElement(edge, statusById.get(edge.id), loopEdges.has(edge.id)))
  const proposed = loop?.proposed
  if (
    proposed !== undefined &&
    !topology.edges.some((e) => e.id === proposed.id) &&
    names.has(proposed.source) &&
    names.has(proposed.target)
  ) {
    edges.push({
      group: 'edges',
      data: {
        id: PROPOSED_EDGE_ID,
        source: proposed.source,
        target: proposed.target,
        label: 'refused: closes a loop',
      },
      classes: ['loop', 'proposed'],
    })
  }
  return [...nodes, ...edges]
}

function clusterElement(
  cluster: Cluster,
  status: StatusList | undefined,
  inLoop: boolean,
): GraphElement {
  const health = clusterHealth(cluster, status)
  const address = cluster.addresses[0] ?? ''
  const more = cluster.addresses.length > 1 ? ` +${cluster.addresses.length - 1}` : ''
  const lines = [cluster.name, `${address}${more}`]
  lines.push(cluster.embedded ? `embedded · ${health.short}` : health.short)
  const classes = ['cluster', `health-${health.kind}`]
  if (cluster.embedded) classes.push('embedded')
  if (inLoop) classes.push('loop')
  return {
    group: 'nodes',
    data: { id: cluster.id, name: cluster.name, label: lines.join('\n'), health: health.kind },
    classes: classes.sort(),
  }
}

function edgeElement(edge: Edge, status: EdgeStatus | undefined, inLoop: boolean): GraphElement {
  const state: LagState = status?.state ?? (edge.paused ? 'paused' : 'starting')
  const classes: string[] = [state, edge.mode]
  if (inLoop) classes.push('loop')
  return {
    group: 'edges',
    data: {
      id: edge.id,
      source: edge.a.cluster,
      target: edge.b.cluster,
      state,
      label: edgeLabel(edge, status),
    },
    classes: classes.sort(),
  }
}

/**
 * Two lines: the path mapping (`/buckets/photos → /mirror/photos`, `↔` for active-active) and
 * each direction's lag (`→ 0 s`, `← 12.4 s · catching up`), the state named when not in sync.
 */
export function edgeLabel(edge: Edge, status: EdgeStatus | undefined): string {
  const arrow = edge.mode === 'active-active' ? '↔' : '→'
  const paths = `${edge.a.path} ${arrow} ${edge.b.path}`
  if (status === undefined) return `${paths}\n${edge.paused ? 'paused' : 'no status yet'}`
  if (status.problem !== null && status.directions.length === 0)
    return `${paths}\n${status.problem}`
  const lags = status.directions.map((d) => {
    const symbol = d.direction === 'a-b' ? '→' : '←'
    const lag = `${symbol} ${formatSeconds(d.lagSeconds)}`
    return d.state === 'in-sync' ? lag : `${lag} · ${stateText(d.state)}`
  })
  return `${paths}\n${lags.join('   ')}`
}
