/**
 * Cluster probes (PRODUCT.md, "Topology rules"): every filer address of a cluster answers
 * `GetFilerConfiguration` with the same non-zero store signature, and that signature is no other
 * cluster's. Both rules protect loop prevention and checkpoints, which key on the signature
 * (filer-sync-protocol.md §3.1, §3.4 and hazard 17).
 */
import { FilerClient } from '@seasync/sync-core'
import type { ClusterTlsMaterial } from '../repositories/clusters-repository.js'

/**
 * Asks one filer address for its store signature; rejects when the filer cannot be reached or
 * answers with an error (the message says why).
 */
export type FilerProbe = (
  address: string,
  options: { readonly tls: ClusterTlsMaterial | null; readonly timeoutMs: number },
) => Promise<number>

/** Probe defaults. */
export const ClusterProbeDefaults = Object.freeze({
  /** Deadline of each address's `GetFilerConfiguration`, milliseconds. */
  timeoutMs: 5000,
})

/**
 * The default {@link FilerProbe}: `GetFilerConfiguration` over plaintext gRPC through sync-core's
 * `FilerClient`. Clusters with TLS material are refused for now: sync-core takes TLS only as
 * grpc-js `ChannelCredentials`, which this package cannot build without its own `@grpc/grpc-js`.
 */
export const probeFilerSignature: FilerProbe = async (address, { tls, timeoutMs }) => {
  if (tls !== null) {
    throw new Error(
      'not probed: this build cannot open mTLS connections yet (the TLS material is valid)',
    )
  }
  const client = new FilerClient(address, { unaryTimeoutMs: timeoutMs })
  try {
    const configuration = await client.getConfiguration({ timeoutMs })
    // proto3 without defaults: an absent signature is 0.
    return configuration.signature ?? 0
  } finally {
    client.close()
  }
}

/** What one address answered. */
export interface AddressProbe {
  readonly address: string
  readonly reachable: boolean
  /** The reported signature, when reachable. */
  readonly signature?: number
  /** Why it is not reachable. */
  readonly error?: string
}

/** The probe of one cluster: each address's answer, the signature, the problems found. */
export interface ClusterProbeReport {
  readonly cluster: string
  readonly name: string
  readonly addresses: readonly AddressProbe[]
  /** The one signature all addresses reported; null when they did not agree or some failed. */
  readonly signature: number | null
  /** Human-readable problems; empty when the cluster passed. */
  readonly problems: string[]
}

/** Probes every address of one cluster in parallel and checks they agree on a non-zero signature. */
export async function probeCluster(
  cluster: {
    readonly id: string
    readonly name: string
    readonly addresses: readonly string[]
    readonly tls: ClusterTlsMaterial | null
  },
  probe: FilerProbe,
  timeoutMs: number,
): Promise<ClusterProbeReport> {
  const addresses = await Promise.all(
    cluster.addresses.map(async (address): Promise<AddressProbe> => {
      try {
        const signature = await probe(address, { tls: cluster.tls, timeoutMs })
        return { address, reachable: true, signature }
      } catch (error) {
        return {
          address,
          reachable: false,
          error: error instanceof Error ? error.message : String(error),
        }
      }
    }),
  )
  const problems: string[] = []
  for (const answer of addresses) {
    if (!answer.reachable) problems.push(`filer ${answer.address} did not answer: ${answer.error}`)
    else if (answer.signature === 0) {
      problems.push(
        `filer ${answer.address} reports signature 0: a store without identity turns off loop protection`,
      )
    }
  }
  const signatures = [
    ...new Set(addresses.flatMap((a) => (a.signature === undefined ? [] : [a.signature]))),
  ]
  if (signatures.length > 1) {
    problems.push(
      `the addresses report different signatures (${addresses
        .filter((a) => a.reachable)
        .map((a) => `${a.address}: ${a.signature}`)
        .join(', ')}): they are not one filer store`,
    )
  }
  const signature =
    problems.length === 0 && signatures.length === 1 ? (signatures[0] ?? null) : null
  return { cluster: cluster.id, name: cluster.name, addresses, signature, problems }
}
