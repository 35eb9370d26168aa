/**
 * Cluster probes (PRODUCT.md, "Topology rules"): every filer address of a cluster answers
 * `GetFilerConfiguration` with the same non-zero store signature, and that signature is no other
 * cluster's. Both rules protect loop prevention and checkpoints, which key on the signature
 * (filer-sync-protocol.md §3.1, §3.4 and hazard 17).
 */
import { clusterTls, diagnoseGrpcTls, FilerClient, type ClusterTls } from '@seasync/sync-core'
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
 * The default {@link FilerProbe}: `GetFilerConfiguration` through sync-core's `FilerClient`, over
 * mutual TLS with the cluster's material when it has some (as its replicators dial), else
 * plaintext h2c. When the call fails, one raw TLS handshake with the same material finds out
 * what grpc-js reports only as "Failed to connect": the message then names the problem
 * (`TLS handshake failed: certificate signed by unknown authority …`, a missing or refused client
 * certificate, TLS material for a plaintext filer, or a TLS filer without material).
 */
export const probeFilerSignature: FilerProbe = async (address, { tls, timeoutMs }) => {
  const sideTls = probeTls(tls)
  const client = new FilerClient(address, { unaryTimeoutMs: timeoutMs, tls: sideTls })
  try {
    const configuration = await client.getConfiguration({ timeoutMs })
    // proto3 without defaults: an absent signature is 0.
    return configuration.signature ?? 0
  } catch (error) {
    const diagnosis = await diagnoseGrpcTls(address, sideTls, { timeoutMs }).catch(() => undefined)
    if (diagnosis === undefined) throw error
    throw new Error(diagnosis, { cause: error })
  } finally {
    client.close()
  }
}

/** gRPC TLS of a probe: the cluster's material (HTTP is not used by a probe). */
function probeTls(tls: ClusterTlsMaterial | null): ClusterTls | undefined {
  if (tls === null) return undefined
  return clusterTls({ ca: tls.ca, cert: tls.cert, key: tls.key }, { https: false })
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
