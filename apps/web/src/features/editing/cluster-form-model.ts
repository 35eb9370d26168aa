/** Pure: the cluster form's text → API bodies, and a probe refusal → per-address results. */
import type { Cluster, ClusterCreateBody, ClusterPatchBody } from '@seasync/server/api-types'

export interface ClusterFormValues {
  readonly name: string
  readonly addresses: string
  readonly filerProxy: boolean
}

/** One filer address per line (commas and spaces also separate); blanks dropped. */
export function parseAddresses(text: string): string[] {
  return text
    .split(/[\n,\s]+/)
    .map((s) => s.trim())
    .filter((s) => s !== '')
}

const ADDRESS = /^[^\s:/]+:[0-9]{1,5}(\.[0-9]{1,5})?$/

export function checkClusterValues(
  values: ClusterFormValues,
): Partial<Record<'Name' | 'Filer addresses', string>> {
  const errors: Partial<Record<'Name' | 'Filer addresses', string>> = {}
  if (values.name.trim() === '') errors.Name = 'A name is required'
  const addresses = parseAddresses(values.addresses)
  if (addresses.length === 0) errors['Filer addresses'] = 'At least one filer address, host:port'
  const bad = addresses.find((a) => !ADDRESS.test(a))
  if (bad !== undefined)
    errors['Filer addresses'] = `"${bad}" is not host:port or host:port.grpcPort`
  return errors
}

export function toClusterCreate(values: ClusterFormValues): ClusterCreateBody {
  return {
    name: values.name.trim(),
    addresses: parseAddresses(values.addresses),
    ...(values.filerProxy && { filerProxy: true }),
  }
}

/** Only the changed fields; undefined when nothing changed. */
export function toClusterPatch(
  cluster: Cluster,
  values: ClusterFormValues,
): ClusterPatchBody | undefined {
  const patch: { -readonly [K in keyof ClusterPatchBody]: ClusterPatchBody[K] } = {}
  if (values.name.trim() !== cluster.name) patch.name = values.name.trim()
  const addresses = parseAddresses(values.addresses)
  if (addresses.join('\n') !== cluster.addresses.join('\n')) patch.addresses = addresses
  if (values.filerProxy !== cluster.filerProxy) patch.filerProxy = values.filerProxy
  return Object.keys(patch).length === 0 ? undefined : patch
}

export interface AddressProbe {
  readonly address: string
  readonly reachable: boolean
  readonly signature: number | undefined
  readonly error: string | undefined
}

/**
 * The per-address probe results in a `CLUSTER_PROBE_FAILED` error's details
 * (`details.clusters[].addresses[]`), and the problems the server named.
 */
export function probeResults(details: Record<string, unknown> | undefined): {
  addresses: AddressProbe[]
  problems: string[]
} {
  const clusters = Array.isArray(details?.['clusters']) ? (details['clusters'] as unknown[]) : []
  const addresses: AddressProbe[] = []
  const problems: string[] = []
  for (const c of clusters) {
    const cluster = c as { addresses?: unknown; problems?: unknown }
    if (Array.isArray(cluster.problems)) problems.push(...cluster.problems.map(String))
    if (!Array.isArray(cluster.addresses)) continue
    for (const a of cluster.addresses as Record<string, unknown>[]) {
      addresses.push({
        address: String(a['address']),
        reachable: a['reachable'] === true,
        signature: typeof a['signature'] === 'number' ? a['signature'] : undefined,
        error: typeof a['error'] === 'string' ? a['error'] : undefined,
      })
    }
  }
  return { addresses, problems }
}
