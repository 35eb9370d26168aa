/**
 * A cluster's health as the dashboard shows it: the server's probe of every filer address
 * (`ClusterStatus`, see the server's `runtime/cluster-health.ts`). The status event's copy
 * (`StatusList.clusters`, every second) wins over the one the topology was fetched with
 * (`cluster.status`), so a status tick updates the graph without refetching the topology.
 */
import type { Cluster, ClusterStatus, StatusList } from '@seasync/server/api-types'

export type ClusterHealthKind = ClusterStatus['health']

export interface ClusterHealth {
  readonly kind: ClusterHealthKind
  /** A few words: `filer unreachable`, `1 of 2 filers unreachable`, `reachable`. */
  readonly text: string
  /** One or two words for the graph's node label. */
  readonly short: string
  /** The evidence (the first address's error), when there is one. */
  readonly detail: string | undefined
  /** The probe it comes from; undefined before the first one. */
  readonly live: ClusterStatus | undefined
}

/** The freshest probe of `cluster`: from the status stream, else from the fetched topology. */
export function liveClusterStatus(
  cluster: Cluster,
  status: StatusList | undefined,
): ClusterStatus | undefined {
  return status?.clusters?.find((c) => c.clusterId === cluster.id) ?? cluster.status
}

export function clusterHealth(cluster: Cluster, status: StatusList | undefined): ClusterHealth {
  const live = liveClusterStatus(cluster, status)
  const kind = live?.health ?? 'unknown'
  const down = live?.addresses.filter((a) => !a.reachable) ?? []
  const detail = down.map((a) => `${a.address}: ${a.error ?? 'no answer'}`)[0]
  switch (kind) {
    case 'reachable':
      return { kind, text: 'reachable', short: 'reachable', detail: undefined, live }
    case 'degraded':
      return {
        kind,
        text: `${down.length} of ${live?.addresses.length ?? 0} filers unreachable`,
        short: 'degraded',
        detail,
        live,
      }
    case 'unreachable':
      return { kind, text: 'filer unreachable', short: 'unreachable', detail, live }
    case 'mismatch':
      return {
        kind,
        text: 'signature mismatch',
        short: 'signature mismatch',
        detail: mismatchDetail(cluster, live),
        live,
      }
    case 'unknown':
      return { kind, text: 'not checked yet', short: 'checking…', detail: undefined, live }
  }
}

/** Which address answered which signature, against the stored one. */
function mismatchDetail(cluster: Cluster, live: ClusterStatus | undefined): string {
  const answers = (live?.addresses ?? [])
    .filter((a) => a.reachable)
    .map((a) => `${a.address}: ${a.signature}`)
    .join(', ')
  return `stored signature ${cluster.signature ?? 'none'}; answered ${answers}`
}
