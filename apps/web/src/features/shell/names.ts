import type { Edge, TopologyGraph } from '@seasync/server/api-types'

/** A cluster's display name by id (the id itself when it is unknown). */
export function clusterName(topology: TopologyGraph, id: string): string {
  return topology.clusters.find((c) => c.id === id)?.name ?? id
}

/** `A → B`, or `A ↔ B` for active-active, by cluster names. */
export function edgeTitle(topology: TopologyGraph, edge: Edge): string {
  const arrow = edge.mode === 'active-active' ? '↔' : '→'
  return `${clusterName(topology, edge.a.cluster)} ${arrow} ${clusterName(topology, edge.b.cluster)}`
}
