import { SyncError } from './errors.js'
import type { ClusterTls } from './filer/cluster-tls.js'

/** One side's placement of replicated chunks on the target (`-b.replication`, …). */
export interface TargetPlacement {
  replication?: string
  collection?: string
  ttlSec?: number
  diskType?: string
}

/**
 * Options of one direction X→Y. Addresses use SeaweedFS's filer syntax `host:port[.grpcPort]`.
 * Units are in the names; defaults are in {@link ReplicatorDefaults}.
 */
export interface ReplicatorOptions {
  /** The filer followed (X), as given on the command line (used verbatim in `client_name`). */
  sourceAddress: string
  /** The filer written to (Y). */
  targetAddress: string
  /** Subtree of the source to replicate. Default `/`. */
  sourcePath?: string
  /** Where it lands on the target. Default `/`. */
  targetPath?: string
  /** Source directories whose events are ignored (by path components). Default none. */
  excludePaths?: string[]
  /** Propagate deletes (and the delete half of renames). Default true. */
  doDeleteFiles?: boolean
  /** Read chunks through the source filer's HTTP proxy instead of its volume servers. */
  sourceFilerProxy?: boolean
  /** Write chunks through the target filer's HTTP proxy instead of its volume servers. */
  targetFilerProxy?: boolean
  /** AssignVolume placement on the target. */
  placement?: TargetPlacement
  /** Events applied in parallel, 1–1024. Default 32 (upstream 0 deadlocks; refused here). */
  concurrency?: number
  /** Chunks copied in parallel for this direction, 1–1024. Default 32. */
  chunkConcurrency?: number
  /** When > 0, written as the checkpoint before subscribing (`-a.fromTsMs`). Default 0. */
  fromTsMs?: number
  /** Checkpoint save period while the watermark moves. Default 3000 (upstream's 3 s). */
  checkpointIntervalMs?: number
  /** Log every received event (`-a.debug`). Default false. */
  logReceivedEvents?: boolean
  /** Random non-zero int32 shared by a process's directions; generated when absent. */
  clientId?: number
  /**
   * TLS of the SOURCE cluster (`-a.security` for A→B): gRPC mutual TLS and/or HTTPS for its
   * volume servers and filer HTTP. Default plaintext. `clusterTls({ ca, cert, key })` uses one
   * set of PEM material for both.
   */
  sourceTls?: ClusterTls
  /** TLS of the TARGET cluster, likewise. */
  targetTls?: ClusterTls
}

export type ResolvedReplicatorOptions = Required<
  Omit<ReplicatorOptions, 'clientId' | 'placement' | 'sourceTls' | 'targetTls'>
> & {
  clientId: number | undefined
  placement: TargetPlacement
  sourceTls: ClusterTls | undefined
  targetTls: ClusterTls | undefined
}

export const ReplicatorDefaults = Object.freeze({
  sourcePath: '/',
  targetPath: '/',
  excludePaths: [] as string[],
  doDeleteFiles: true,
  sourceFilerProxy: false,
  targetFilerProxy: false,
  concurrency: 32,
  chunkConcurrency: 32,
  fromTsMs: 0,
  checkpointIntervalMs: 3000,
  logReceivedEvents: false,
})

/** Check and complete options; a SyncError('SYNC_ERR_OPTIONS') names the first bad one. */
export function validateOptions(options: ReplicatorOptions): Readonly<ResolvedReplicatorOptions> {
  const bad = (name: string, why: string): never => {
    throw new SyncError('SYNC_ERR_OPTIONS', `option ${name}: ${why}`)
  }
  if (!options.sourceAddress) bad('sourceAddress', 'required')
  if (!options.targetAddress) bad('targetAddress', 'required')
  const resolved = {
    ...ReplicatorDefaults,
    ...Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)),
    clientId: options.clientId,
    placement: options.placement ?? {},
    sourceTls: options.sourceTls,
    targetTls: options.targetTls,
  } as ResolvedReplicatorOptions
  for (const name of ['concurrency', 'chunkConcurrency'] as const) {
    const v = resolved[name]
    if (!Number.isInteger(v) || v < 1 || v > 1024)
      bad(name, `must be an integer from 1 to 1024, got ${v}`)
  }
  if (!Number.isFinite(resolved.fromTsMs) || resolved.fromTsMs < 0) bad('fromTsMs', 'must be >= 0')
  if (!Number.isFinite(resolved.checkpointIntervalMs) || resolved.checkpointIntervalMs < 100) {
    bad('checkpointIntervalMs', 'must be >= 100')
  }
  for (const name of ['sourcePath', 'targetPath'] as const) {
    if (!resolved[name].startsWith('/'))
      bad(name, `must be absolute, got ${JSON.stringify(resolved[name])}`)
  }
  if (
    resolved.clientId !== undefined &&
    (!Number.isInteger(resolved.clientId) || resolved.clientId === 0)
  ) {
    bad('clientId', 'must be a non-zero int32')
  }
  return Object.freeze(resolved)
}
