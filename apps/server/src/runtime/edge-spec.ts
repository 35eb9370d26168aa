/**
 * What the runtime runs for one stored edge: its directions (A→B, and B→A when active-active),
 * each as sync-core replicator options, read from the `edges` and `clusters` rows
 * (`src/db/migrations.ts`). The mapping per direction X→Y is `weed filer.sync`'s (spec §6.2,
 * §8.4): X's path, excludes and filer proxy for the source, Y's path, filer proxy and placement
 * for the target; concurrency, chunk concurrency and delete propagation are per edge.
 */
import type Database from 'better-sqlite3'
import {
  clusterTls,
  parseFilerAddress,
  type ClusterTls,
  type ReplicatorOptions,
  type TargetPlacement,
} from '@seasync/sync-core'
import type { ClusterTlsMaterial } from '../repositories/clusters-repository.js'
import type { EdgeRow as EdgeTableRow } from '../repositories/edges-repository.js'

/** A direction's name: which side it reads (first) and writes (second). */
export type DirectionName = 'a-b' | 'b-a'
export const DIRECTION_NAMES: readonly DirectionName[] = ['a-b', 'b-a']

/** The labels of `SeaweedFS_filerSync_sync_offset` (spec §9.1). */
export interface SyncOffsetLabels {
  /** HTTP address of the source filer (`.grpcPort` stripped). */
  readonly sourceFiler: string
  /** HTTP address of the target filer. */
  readonly targetFiler: string
  /** `syncFrom_<X>_To_<Y>` with the addresses as stored. */
  readonly clientName: string
  /** The source path as stored. */
  readonly path: string
}

/** One direction, ready for `new Replicator({ ...options, clientId, checkpointIntervalMs })`. */
export interface DirectionSpec {
  readonly name: DirectionName
  readonly sourceCluster: string
  readonly targetCluster: string
  readonly options: Readonly<
    Required<
      Pick<
        ReplicatorOptions,
        | 'sourceAddress'
        | 'targetAddress'
        | 'sourcePath'
        | 'targetPath'
        | 'excludePaths'
        | 'doDeleteFiles'
        | 'sourceFilerProxy'
        | 'targetFilerProxy'
        | 'placement'
      >
    > &
      Pick<ReplicatorOptions, 'concurrency' | 'chunkConcurrency'> & {
        /** The source cluster's TLS (gRPC and, unless it opted out, HTTPS); absent: plaintext. */
        readonly sourceTls?: ClusterTls
        /** The target cluster's TLS. */
        readonly targetTls?: ClusterTls
      }
  >
  readonly labels: SyncOffsetLabels
}

/** One edge as the runtime runs it. */
export interface EdgeSpec {
  readonly id: string
  readonly mode: 'active-active' | 'one-way'
  readonly paused: boolean
  readonly directions: readonly DirectionSpec[]
}

/** One `edges` row joined with its two clusters. */
export interface EdgeRow extends Omit<EdgeTableRow, 'created_at' | 'updated_at'> {
  a_addresses: string
  a_filer_proxy: number
  b_addresses: string
  b_filer_proxy: number
  /** The cluster's mutual-TLS material (JSON, private key included), or null. */
  a_tls: string | null
  b_tls: string | null
}

/** The joined select; `tls` only where the schema has it (migration 2). */
function edgeSelect(withTls: boolean): string {
  return /* sql */ `
    SELECT e.id, e.a_cluster, e.a_path, e.a_excludes, e.b_cluster, e.b_path, e.b_excludes,
           e.mode, e.options, e.paused,
           ca.addresses AS a_addresses, ca.filer_proxy AS a_filer_proxy,
           cb.addresses AS b_addresses, cb.filer_proxy AS b_filer_proxy,
           ${withTls ? 'ca.tls AS a_tls, cb.tls AS b_tls' : 'NULL AS a_tls, NULL AS b_tls'}
    FROM edges e
    JOIN clusters ca ON ca.id = e.a_cluster
    JOIN clusters cb ON cb.id = e.b_cluster`
}

/** A stored edge that cannot run as stored (no address, a malformed option). */
export class EdgeSpecError extends Error {
  override readonly name = 'EdgeSpecError'
}

/** Reads edges and their clusters; prepared once per database. */
export class EdgeSpecReader {
  private readonly one: Database.Statement<[string], EdgeRow>
  private readonly all: Database.Statement<[], EdgeRow>
  private readonly byCluster: Database.Statement<[string, string], { id: string }>

  constructor(db: Database.Database) {
    const columns = db.pragma('table_info(clusters)') as { name: string }[]
    const select = edgeSelect(columns.some((column) => column.name === 'tls'))
    this.one = db.prepare(`${select} WHERE e.id = ?`)
    this.all = db.prepare(`${select} ORDER BY e.created_at, e.id`)
    this.byCluster = db.prepare('SELECT id FROM edges WHERE a_cluster = ? OR b_cluster = ?')
  }

  /** Ids of every stored edge. */
  ids(): string[] {
    return this.all.all().map((row) => row.id)
  }

  /** The edge's spec; undefined when no such edge is stored; throws {@link EdgeSpecError}. */
  read(id: string): EdgeSpec | undefined {
    const row = this.one.get(id)
    return row === undefined ? undefined : specFromRow(row)
  }

  /** Ids of the edges with an endpoint on `clusterId`. */
  edgesOfCluster(clusterId: string): string[] {
    return this.byCluster.all(clusterId, clusterId).map((row) => row.id)
  }
}

interface SideOptions {
  filerProxy?: boolean
  replication?: string
  collection?: string
  ttlSec?: number
  diskType?: string
}

interface EdgeOptions {
  concurrency?: number
  chunkConcurrency?: number
  doDeleteFiles?: boolean
  a?: SideOptions
  b?: SideOptions
}

/** The spec of one joined row (exported for tests). */
export function specFromRow(row: EdgeRow): EdgeSpec {
  if (row.mode !== 'active-active' && row.mode !== 'one-way') {
    throw new EdgeSpecError(`edge ${row.id}: unknown mode ${JSON.stringify(row.mode)}`)
  }
  const options = parseJson<EdgeOptions>(row.options, `edge ${row.id} options`) ?? {}
  const sides = {
    a: {
      cluster: row.a_cluster,
      tls: tlsOf(row.a_tls, row.a_cluster),
      address: firstAddress(row.a_addresses, row.a_cluster),
      path: row.a_path,
      excludes: parseJson<string[]>(row.a_excludes, `edge ${row.id} a_excludes`) ?? [],
      filerProxy: options.a?.filerProxy ?? row.a_filer_proxy === 1,
      side: options.a ?? {},
    },
    b: {
      cluster: row.b_cluster,
      tls: tlsOf(row.b_tls, row.b_cluster),
      address: firstAddress(row.b_addresses, row.b_cluster),
      path: row.b_path,
      excludes: parseJson<string[]>(row.b_excludes, `edge ${row.id} b_excludes`) ?? [],
      filerProxy: options.b?.filerProxy ?? row.b_filer_proxy === 1,
      side: options.b ?? {},
    },
  }
  const direction = (from: 'a' | 'b', to: 'a' | 'b'): DirectionSpec => {
    const source = sides[from]
    const target = sides[to]
    let http: { source: string; target: string }
    try {
      http = {
        source: parseFilerAddress(source.address).httpAddress,
        target: parseFilerAddress(target.address).httpAddress,
      }
    } catch (error) {
      throw new EdgeSpecError(
        `edge ${row.id}: ${error instanceof Error ? error.message : String(error)}`,
      )
    }
    return Object.freeze({
      name: `${from}-${to}` as DirectionName,
      sourceCluster: source.cluster,
      targetCluster: target.cluster,
      options: Object.freeze({
        sourceAddress: source.address,
        targetAddress: target.address,
        sourcePath: source.path,
        targetPath: target.path,
        excludePaths: source.excludes.map((p) => absoluteUnder(source.path, p)),
        doDeleteFiles: options.doDeleteFiles ?? true,
        sourceFilerProxy: source.filerProxy,
        targetFilerProxy: target.filerProxy,
        placement: placementOf(target.side),
        ...(source.tls === undefined ? {} : { sourceTls: source.tls }),
        ...(target.tls === undefined ? {} : { targetTls: target.tls }),
        ...(options.concurrency === undefined ? {} : { concurrency: options.concurrency }),
        ...(options.chunkConcurrency === undefined
          ? {}
          : { chunkConcurrency: options.chunkConcurrency }),
      }),
      labels: Object.freeze({
        sourceFiler: http.source,
        targetFiler: http.target,
        clientName: `syncFrom_${source.address}_To_${target.address}`,
        path: source.path,
      }),
    })
  }
  return Object.freeze({
    id: row.id,
    mode: row.mode,
    paused: row.paused === 1,
    directions: Object.freeze(
      row.mode === 'one-way' ? [direction('a', 'b')] : [direction('a', 'b'), direction('b', 'a')],
    ),
  })
}

/** Whether two specs run the same replicators (everything but `paused`). */
export function sameDirections(a: EdgeSpec, b: EdgeSpec): boolean {
  return JSON.stringify(a.directions) === JSON.stringify(b.directions)
}

/**
 * A cluster's stored material as sync-core's per-side TLS: one set for gRPC and for HTTPS to its
 * volume servers and filers, unless the cluster says its HTTP is plain (`https: false`).
 */
function tlsOf(json: string | null, clusterId: string): ClusterTls | undefined {
  if (json === null) return undefined
  const material = parseJson<ClusterTlsMaterial>(json, `cluster ${clusterId} tls`)
  if (!material?.ca || !material.cert || !material.key) {
    throw new EdgeSpecError(`cluster ${clusterId} has incomplete TLS material`)
  }
  return Object.freeze(
    clusterTls(
      { ca: material.ca, cert: material.cert, key: material.key },
      { https: material.https !== false },
    ),
  )
}

function placementOf(side: SideOptions): TargetPlacement {
  const placement: TargetPlacement = {}
  if (side.replication) placement.replication = side.replication
  if (side.collection) placement.collection = side.collection
  if (side.ttlSec) placement.ttlSec = side.ttlSec
  if (side.diskType) placement.diskType = side.diskType
  return Object.freeze(placement)
}

/** Excludes are source directories; a relative one is taken under the side's path. */
function absoluteUnder(root: string, path: string): string {
  if (path.startsWith('/')) return path
  return `${root.endsWith('/') ? root : `${root}/`}${path}`
}

function firstAddress(json: string, clusterId: string): string {
  const addresses = parseJson<unknown[]>(json, `cluster ${clusterId} addresses`)
  const first = addresses?.[0]
  if (typeof first !== 'string' || first === '') {
    throw new EdgeSpecError(`cluster ${clusterId} has no filer address`)
  }
  return first
}

function parseJson<T>(text: string, what: string): T | undefined {
  try {
    return JSON.parse(text) as T
  } catch {
    throw new EdgeSpecError(`${what} is not valid JSON`)
  }
}
