/**
 * The cluster health monitor: every stored cluster's every filer address is asked for its store
 * signature (`GetFilerConfiguration`, with the cluster's TLS material, as `cluster-prober.ts`
 * dials) every `intervalMs`, each call bounded by `timeoutMs`. The verdict per cluster:
 *
 *   unknown      no probe finished yet (or the cluster changed since)
 *   reachable    every address answered, all with the same signature as the stored one
 *   degraded     some addresses did not answer; those that did agree
 *   unreachable  no address answered
 *   mismatch     the answers disagree among themselves or with the stored signature
 *                (loop prevention and checkpoints key on it: worse than degraded)
 *
 * Probe rounds never overlap: a tick or a topology change while a round runs marks the clusters
 * for the next round, which starts when the running one ends. A topology change probes the added
 * and changed clusters at once and forgets removed ones; an answer about addresses or TLS
 * material that changed meanwhile is dropped. Nothing here touches replication: the edge runtime
 * dials its own connections, and readers get an in-memory snapshot.
 */
import type { FastifyBaseLogger } from 'fastify'
import type { TopologyChange, TopologyEvents } from '../plugins/topology-events.js'
import type { ClusterRecord } from '../repositories/clusters-repository.js'
import type { AddressHealth, ClusterHealth, ClusterStatus } from '../schemas/clusters.js'
import { probeFilerSignature, type FilerProbe } from '../services/cluster-prober.js'

/** Settings of the monitor; durations in milliseconds. */
export interface ClusterHealthOptions {
  /** Period of the probe rounds. Default 10 000. */
  readonly intervalMs?: number
  /** Deadline of each address's probe. Default 3000. */
  readonly timeoutMs?: number
  /** How an address is asked for its signature. Default {@link probeFilerSignature}. */
  readonly probe?: FilerProbe
}

export const ClusterHealthDefaults = Object.freeze({ intervalMs: 10_000, timeoutMs: 3000 })

/** The longest `close()` waits for a running round, ms. */
const CLOSE_WAIT_MS = 1000

export interface ClusterHealthDeps {
  /** The stored clusters (read at every round, so it sees every committed change). */
  readonly clusters: {
    list(): readonly ClusterRecord[]
    get(id: string): ClusterRecord | null
  }
  readonly events: TopologyEvents
  readonly log: FastifyBaseLogger
}

/** What a probe result is valid for: the cluster's addresses and TLS material as probed. */
function probeKey(cluster: ClusterRecord): string {
  return JSON.stringify([cluster.addresses, cluster.tls, cluster.signature])
}

interface Entry {
  readonly key: string
  readonly status: ClusterStatus
}

export class ClusterHealthMonitor {
  private readonly entries = new Map<string, Entry>()
  private readonly settings: Required<ClusterHealthOptions>
  /** Clusters to probe in the next round; `all` for every stored one. */
  private pending: Set<string> | 'all' | null = null
  private running: Promise<void> | null = null
  private timer: NodeJS.Timeout | undefined
  private closed = false

  constructor(
    private readonly deps: ClusterHealthDeps,
    options: ClusterHealthOptions = {},
  ) {
    this.settings = {
      intervalMs: options.intervalMs ?? ClusterHealthDefaults.intervalMs,
      timeoutMs: options.timeoutMs ?? ClusterHealthDefaults.timeoutMs,
      probe: options.probe ?? probeFilerSignature,
    }
  }

  /** Follows topology changes and starts the first round (without waiting for it). */
  start(): void {
    this.deps.events.on('changed', this.onChange)
    this.request('all')
    this.timer = setInterval(() => this.request('all'), this.settings.intervalMs)
    this.timer.unref()
  }

  /**
   * Stops the rounds. Waits for the running one at most {@link CLOSE_WAIT_MS} (its answers are
   * dropped anyway; each probe closes its own connection at its deadline), so shutdown keeps its
   * grace for the replicators' drain.
   */
  async close(): Promise<void> {
    this.closed = true
    this.deps.events.off('changed', this.onChange)
    clearInterval(this.timer)
    this.pending = null
    if (this.running === null) return
    let timer: NodeJS.Timeout | undefined
    await Promise.race([
      this.running,
      new Promise<void>((resolve) => (timer = setTimeout(resolve, CLOSE_WAIT_MS))),
    ])
    clearTimeout(timer)
  }

  /** The health of one stored cluster (`unknown` until probed). */
  status(cluster: ClusterRecord): ClusterStatus {
    const entry = this.entries.get(cluster.id)
    if (entry !== undefined && entry.key === probeKey(cluster)) return entry.status
    return { clusterId: cluster.id, health: 'unknown', checkedAt: null, addresses: [] }
  }

  /** Every stored cluster's health, in id order. */
  statusAll(): ClusterStatus[] {
    return this.deps.clusters
      .list()
      .map((cluster) => this.status(cluster))
      .sort((a, b) => (a.clusterId < b.clusterId ? -1 : a.clusterId > b.clusterId ? 1 : 0))
  }

  /** Resolves when no round runs or is pending (tests). @internal */
  async idle(): Promise<void> {
    while (this.running !== null) await this.running
  }

  private readonly onChange = (change: TopologyChange): void => {
    for (const id of change.clustersRemoved) this.entries.delete(id)
    const touched = [...change.clustersAdded, ...change.clustersUpdated]
    if (touched.length > 0) this.request(touched)
  }

  /** Adds clusters to the next round and starts it unless one runs. */
  private request(ids: readonly string[] | 'all'): void {
    if (this.closed) return
    if (ids === 'all' || this.pending === 'all') this.pending = 'all'
    else this.pending = new Set([...(this.pending ?? []), ...ids])
    if (this.running === null) this.running = this.loop()
  }

  private async loop(): Promise<void> {
    try {
      while (this.pending !== null && !this.closed) {
        const wanted = this.pending
        this.pending = null
        const clusters =
          wanted === 'all'
            ? this.deps.clusters.list()
            : [...wanted].flatMap((id) => this.deps.clusters.get(id) ?? [])
        await Promise.all(clusters.map((cluster) => this.probeCluster(cluster)))
      }
    } catch (error) {
      this.deps.log.error({ err: error }, 'cluster health round failed')
    } finally {
      this.running = null
    }
  }

  private async probeCluster(cluster: ClusterRecord): Promise<void> {
    const addresses = await Promise.all(
      cluster.addresses.map((address) => this.probeAddress(cluster, address)),
    )
    // Drop the answer when the cluster went away or changed while it was probed.
    const current = this.deps.clusters.get(cluster.id)
    if (this.closed || current === null || probeKey(current) !== probeKey(cluster)) return
    const health = verdict(addresses, cluster.signature)
    const previous = this.entries.get(cluster.id)?.status.health
    if (previous !== undefined && previous !== health) {
      this.deps.log.info({ cluster: cluster.id, from: previous, to: health }, 'cluster health')
    }
    this.entries.set(cluster.id, {
      key: probeKey(cluster),
      status: { clusterId: cluster.id, health, checkedAt: new Date().toISOString(), addresses },
    })
  }

  private async probeAddress(cluster: ClusterRecord, address: string): Promise<AddressHealth> {
    const { probe, timeoutMs } = this.settings
    const started = performance.now()
    let timer: NodeJS.Timeout | undefined
    try {
      // The probe has its own deadline; this one also bounds its TLS diagnosis after a failure.
      const deadline = new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`no answer within ${timeoutMs} ms`)),
          timeoutMs + 500,
        )
      })
      const signature = await Promise.race([
        probe(address, { tls: cluster.tls, timeoutMs }),
        deadline,
      ])
      const latencyMs = Math.round((performance.now() - started) * 10) / 10
      return { address, reachable: true, signature, error: null, latencyMs }
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error)
      return { address, reachable: false, signature: null, error: message, latencyMs: null }
    } finally {
      clearTimeout(timer)
    }
  }
}

/** The verdict of one probe (see the module comment). @internal */
export function verdict(addresses: readonly AddressHealth[], stored: number | null): ClusterHealth {
  const answered = addresses.filter((a) => a.reachable)
  if (answered.length === 0) return addresses.length === 0 ? 'unknown' : 'unreachable'
  const signatures = new Set(answered.map((a) => a.signature))
  if (signatures.size > 1 || (stored !== null && !signatures.has(stored))) return 'mismatch'
  return answered.length === addresses.length ? 'reachable' : 'degraded'
}
