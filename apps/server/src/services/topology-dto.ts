/**
 * Stored records → API bodies: timestamps as ISO 8601, TLS material without its private key. The
 * one place the API shape of a cluster or an edge is built (with the cluster's live health as `status`).
 */
import type { ClusterRecord } from '../repositories/clusters-repository.js'
import type { EdgeRecord } from '../repositories/edges-repository.js'
import type { Cluster, ClusterStatus } from '../schemas/clusters.js'
import type { Edge } from '../schemas/edges.js'

/** `status`: the cluster's live health, when the caller has it (the API routes always do). */
export function toClusterDto(cluster: ClusterRecord, status?: ClusterStatus): Cluster {
  return {
    id: cluster.id,
    name: cluster.name,
    addresses: [...cluster.addresses],
    filerProxy: cluster.filerProxy,
    embedded: cluster.embedded,
    ...(cluster.tls !== null && {
      tls: {
        ca: cluster.tls.ca,
        cert: cluster.tls.cert,
        hasKey: cluster.tls.key !== '',
        https: cluster.tls.https !== false,
      },
    }),
    signature: cluster.signature,
    createdAt: new Date(cluster.createdAtMs).toISOString(),
    updatedAt: new Date(cluster.updatedAtMs).toISOString(),
    ...(status !== undefined && { status }),
  }
}

export function toEdgeDto(edge: EdgeRecord): Edge {
  const side = (s: EdgeRecord['a']) => ({
    cluster: s.cluster,
    path: s.path,
    excludes: [...s.excludes],
  })
  return {
    id: edge.id,
    a: side(edge.a),
    b: side(edge.b),
    mode: edge.mode,
    options: edge.options,
    paused: edge.paused,
    createdAt: new Date(edge.createdAtMs).toISOString(),
    updatedAt: new Date(edge.updatedAtMs).toISOString(),
  }
}
