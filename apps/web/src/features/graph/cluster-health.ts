/**
 * A cluster's health as the dashboard shows it, derived from the live status of the edges that
 * touch it (the API reports per-direction states and errors, not per cluster). A direction in
 * `error` whose last error names one of the cluster's filer addresses (HTTP or gRPC) means that
 * filer did not answer: the cluster is `unreachable`. Any other trouble on a touching edge makes
 * it `warning`; no edges at all, `idle`.
 */
import type { Cluster, StatusList } from '@seasync/server/api-types'

export type ClusterHealthKind = 'ok' | 'warning' | 'unreachable' | 'idle' | 'unknown'

export interface ClusterHealth {
  readonly kind: ClusterHealthKind
  /** A few words: `filer unreachable`, `2 edges need attention`, `in sync`. */
  readonly text: string
  /** One or two words for the graph's node label. */
  readonly short: string
  /** The evidence (an error message), when there is one. */
  readonly detail: string | undefined
}

/** `host:http[.grpc]` → the `host:port` spellings an error message may use for it. */
export function addressSpellings(address: string): string[] {
  const match = /^(.*):([0-9]+)(?:\.([0-9]+))?$/.exec(address.trim())
  if (match === null) return [address]
  const [, host, http, grpc] = match
  const grpcPort = grpc ?? String(Number(http) + 10000)
  return [`${host}:${http}`, `${host}:${grpcPort}`]
}

export function clusterHealth(cluster: Cluster, status: StatusList | undefined): ClusterHealth {
  if (status === undefined)
    return { kind: 'unknown', text: 'status unknown', short: 'status unknown', detail: undefined }
  const spellings = cluster.addresses.flatMap(addressSpellings)
  const touching = status.edges.filter((edge) =>
    edge.directions.some((d) => d.sourceCluster === cluster.id || d.targetCluster === cluster.id),
  )
  if (touching.length === 0)
    return { kind: 'idle', text: 'no edges', short: 'no edges', detail: undefined }
  for (const edge of touching) {
    for (const d of edge.directions) {
      if (d.sourceCluster !== cluster.id && d.targetCluster !== cluster.id) continue
      const error = d.lastError ?? edge.problem
      if (error !== null && spellings.some((s) => containsAddress(error, s))) {
        return {
          kind: 'unreachable',
          text: 'filer unreachable',
          short: 'unreachable',
          detail: error,
        }
      }
    }
  }
  const troubled = touching.filter((e) => e.state === 'error' || e.state === 'stalled')
  if (troubled.length > 0) {
    const first = troubled[0]?.directions.find((d) => d.state === 'error' || d.state === 'stalled')
    return {
      kind: 'warning',
      short: 'needs attention',
      text:
        troubled.length === 1
          ? '1 edge needs attention'
          : `${troubled.length} edges need attention`,
      detail:
        first === undefined
          ? undefined
          : `${first.sourceCluster} → ${first.targetCluster}: ${first.lastError ?? first.reason}`,
    }
  }
  return { kind: 'ok', text: 'reachable', short: 'reachable', detail: undefined }
}

/** `text` mentions `address` as a whole (`1.2.3.4:80` does not match inside `1.2.3.4:8080`). */
function containsAddress(text: string, address: string): boolean {
  let from = 0
  for (;;) {
    const at = text.indexOf(address, from)
    if (at === -1) return false
    const next = text.charAt(at + address.length)
    if (!/[0-9]/.test(next)) return true
    from = at + 1
  }
}
