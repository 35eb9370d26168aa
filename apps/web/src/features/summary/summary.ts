/** Pure: the figures of the summary bar. */
import type { StatusList, TopologyGraph } from '@seasync/server/api-types'

export interface Summary {
  readonly clusters: number
  readonly edges: number
  /** The largest lag of any direction, seconds; undefined before the first status. */
  readonly worstLagSeconds: number | undefined
  /** The edge with that lag, when the lag is above 0. */
  readonly worstEdgeId: string | undefined
  /** Edges whose state is anything but `in-sync` (paused ones included); undefined before status. */
  readonly notInSync: number | undefined
  /** Edges in `error` or `stalled`. */
  readonly failing: number | undefined
}

export function computeSummary(topology: TopologyGraph, status: StatusList | undefined): Summary {
  if (status === undefined) {
    return {
      clusters: topology.clusters.length,
      edges: topology.edges.length,
      worstLagSeconds: undefined,
      worstEdgeId: undefined,
      notInSync: undefined,
      failing: undefined,
    }
  }
  const byId = new Map(status.edges.map((s) => [s.edgeId, s]))
  let worst = 0
  let worstEdgeId: string | undefined
  let notInSync = 0
  let failing = 0
  for (const edge of topology.edges) {
    const s = byId.get(edge.id)
    if (s === undefined || s.state !== 'in-sync') notInSync += 1
    if (s !== undefined && (s.state === 'error' || s.state === 'stalled')) failing += 1
    if (s !== undefined && s.lagSeconds > worst) {
      worst = s.lagSeconds
      worstEdgeId = edge.id
    }
  }
  return {
    clusters: topology.clusters.length,
    edges: topology.edges.length,
    worstLagSeconds: worst,
    worstEdgeId,
    notInSync,
    failing,
  }
}
