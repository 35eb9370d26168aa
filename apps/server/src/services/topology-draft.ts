/**
 * The desired topology of one change, built from the stored one (pure; no I/O). Each REST
 * operation is a few {@link TopologyDraft} calls (`addCluster`, `updateEdge`, …) or one
 * {@link TopologyDraft.declare} (`PUT /topology`), so every change, and its dry run, goes through
 * the same checks:
 *
 * - the builder methods refuse what the request itself gets wrong: an unknown id (404
 *   `NOT_FOUND`), a name or id in use or a cluster that still has edges (409 `CONFLICT`), a
 *   declaration that repeats an id or a name (400 `VALIDATION_FAILED`);
 * - {@link checkDraft} refuses what makes no sense in the result (400 `VALIDATION_FAILED`, each
 *   issue naming its field): filer addresses that do not parse or are already used, TLS material
 *   that is not a certificate or key, an edge side on an unknown cluster, both sides on one
 *   cluster, excludes outside their path.
 *
 * Loops and cluster probes are the service's business, after these.
 */
import { createPrivateKey, X509Certificate, type KeyObject } from 'node:crypto'
import { parseFilerAddress } from '@seasync/sync-core'
import { ApiError } from '../errors.js'
import type { ClusterRecord, ClusterTlsMaterial } from '../repositories/clusters-repository.js'
import type { EdgeRecord, EdgeSideRecord } from '../repositories/edges-repository.js'
import type { ClusterCreateBody, ClusterPatchBody, ClusterTlsInput } from '../schemas/clusters.js'
import type { EdgeCreateBody, EdgePatchBody, EdgeSideInput } from '../schemas/edges.js'
import type { TopologyDocument } from '../schemas/topology.js'
import { contains, normalizePath } from '../topology/path-components.js'

/** A cluster as the change wants it. `field` is where the request gave it (for messages). */
export interface DraftCluster extends Omit<
  ClusterRecord,
  'signature' | 'createdAtMs' | 'updatedAtMs'
> {
  readonly field: string
  /** Given or changed by this request (its issues are reported against it). */
  readonly touched: boolean
}

/** An edge as the change wants it. */
export interface DraftEdge extends Omit<EdgeRecord, 'createdAtMs' | 'updatedAtMs'> {
  readonly field: string
  readonly touched: boolean
}

/** The stored topology. */
export interface TopologyState {
  readonly clusters: readonly ClusterRecord[]
  readonly edges: readonly EdgeRecord[]
}

/** One failed check: `field` is the request part and JSON path, e.g. `body/addresses/0`. */
export interface DraftIssue {
  readonly field: string
  readonly message: string
}

/** 400 `VALIDATION_FAILED` in the same shape as a schema failure. */
export function validationError(issues: readonly DraftIssue[]): ApiError {
  const first = issues[0]
  return new ApiError(
    400,
    'VALIDATION_FAILED',
    first === undefined ? 'Invalid request' : `Invalid request: ${first.field} ${first.message}`,
    { issues },
  )
}

/** `"DC1 Paris"` → `dc1-paris`: lower-case ASCII letters and digits joined by `-`, ≤ 63 chars. */
export function slugify(text: string, fallback: string): string {
  const slug = text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 63)
    .replace(/-+$/, '')
  return slug === '' ? fallback : slug
}

/** `base`, else `base-2`, `base-3`, … (kept within 63 characters), whichever is not `taken`. */
function uniqueId(base: string, taken: (id: string) => boolean): string {
  if (!taken(base)) return base
  for (let n = 2; ; n++) {
    const suffix = `-${n}`
    const id = base.slice(0, 63 - suffix.length).replace(/-+$/, '') + suffix
    if (!taken(id)) return id
  }
}

/** The desired topology, starting from the stored one; see the module comment. */
export class TopologyDraft {
  private readonly clusters = new Map<string, DraftCluster>()
  private readonly edges = new Map<string, DraftEdge>()

  constructor(private readonly current: TopologyState) {
    for (const cluster of current.clusters) {
      this.clusters.set(cluster.id, { ...cluster, field: `clusters/${cluster.id}`, touched: false })
    }
    for (const edge of current.edges) {
      this.edges.set(edge.id, { ...edge, field: `edges/${edge.id}`, touched: false })
    }
  }

  /** The clusters and edges so far, stored ones first. */
  result(): { clusters: DraftCluster[]; edges: DraftEdge[] } {
    return { clusters: [...this.clusters.values()], edges: [...this.edges.values()] }
  }

  cluster(id: string): DraftCluster {
    const cluster = this.clusters.get(id)
    if (cluster === undefined) throw new ApiError(404, 'NOT_FOUND', `No cluster with id "${id}"`)
    return cluster
  }

  edge(id: string): DraftEdge {
    const edge = this.edges.get(id)
    if (edge === undefined) throw new ApiError(404, 'NOT_FOUND', `No edge with id "${id}"`)
    return edge
  }

  addCluster(input: ClusterCreateBody, field: string): DraftCluster {
    if (input.id !== undefined && this.clusters.has(input.id)) {
      throw new ApiError(409, 'CONFLICT', `A cluster with id "${input.id}" exists`, {
        id: input.id,
      })
    }
    this.refuseTakenName(input.name)
    const id =
      input.id ?? uniqueId(slugify(input.name, 'cluster'), (taken) => this.clusters.has(taken))
    const cluster: DraftCluster = {
      id,
      name: input.name,
      addresses: [...input.addresses],
      embedded: input.embedded ?? false,
      filerProxy: input.filerProxy ?? false,
      tls: tlsMaterial(input.tls, null, `${field}/tls`),
      field,
      touched: true,
    }
    this.clusters.set(id, cluster)
    return cluster
  }

  updateCluster(id: string, patch: ClusterPatchBody, field: string): DraftCluster {
    const existing = this.cluster(id)
    if (patch.name !== undefined && patch.name !== existing.name) this.refuseTakenName(patch.name)
    const updated: DraftCluster = {
      ...existing,
      name: patch.name ?? existing.name,
      addresses: patch.addresses === undefined ? existing.addresses : [...patch.addresses],
      filerProxy: patch.filerProxy ?? existing.filerProxy,
      tls:
        patch.tls === undefined
          ? existing.tls
          : patch.tls === null
            ? null
            : tlsMaterial(patch.tls, existing.tls, `${field}/tls`),
      field,
      touched: true,
    }
    this.clusters.set(id, updated)
    return updated
  }

  /** Removes a cluster without edges; 409 naming its edges otherwise. */
  removeCluster(id: string): void {
    this.cluster(id)
    const edges = [...this.edges.values()]
      .filter((edge) => edge.a.cluster === id || edge.b.cluster === id)
      .map((edge) => edge.id)
    if (edges.length > 0) {
      throw new ApiError(
        409,
        'CONFLICT',
        `Cluster "${id}" still has edges (${edges.join(', ')}): delete them first`,
        { edges },
      )
    }
    this.clusters.delete(id)
  }

  /** Removes every embedded (demo) cluster and every edge with a side on one. */
  removeEmbedded(): { clusters: string[]; edges: string[] } {
    const clusters = [...this.clusters.values()].filter((c) => c.embedded).map((c) => c.id)
    const edges = [...this.edges.values()]
      .filter((edge) => clusters.includes(edge.a.cluster) || clusters.includes(edge.b.cluster))
      .map((edge) => edge.id)
    for (const id of edges) this.edges.delete(id)
    for (const id of clusters) this.clusters.delete(id)
    return { clusters, edges }
  }

  addEdge(input: EdgeCreateBody, field: string): DraftEdge {
    if (input.id !== undefined && this.edges.has(input.id)) {
      throw new ApiError(409, 'CONFLICT', `An edge with id "${input.id}" exists`, { id: input.id })
    }
    const id =
      input.id ??
      uniqueId(slugify(`${input.a.cluster}-${input.b.cluster}`, 'edge'), (taken) =>
        this.edges.has(taken),
      )
    const edge: DraftEdge = {
      id,
      a: edgeSide(input.a),
      b: edgeSide(input.b),
      mode: input.mode,
      options: input.options ?? {},
      paused: input.paused ?? false,
      field,
      touched: true,
    }
    this.edges.set(id, edge)
    return edge
  }

  updateEdge(id: string, patch: EdgePatchBody, field: string): DraftEdge {
    const existing = this.edge(id)
    const updated: DraftEdge = {
      ...existing,
      a: patch.a === undefined ? existing.a : edgeSide(patch.a),
      b: patch.b === undefined ? existing.b : edgeSide(patch.b),
      mode: patch.mode ?? existing.mode,
      options: patch.options ?? existing.options,
      paused: patch.paused ?? existing.paused,
      field,
      touched: true,
    }
    this.edges.set(id, updated)
    return updated
  }

  removeEdge(id: string): void {
    this.edge(id)
    this.edges.delete(id)
  }

  /**
   * Replaces everything with `doc` (matched to the stored topology by id; the rest is removed).
   * Ids and names must be unique within the document. TLS keys left out are kept from the stored
   * cluster with the same id.
   */
  declare(doc: TopologyDocument, field: string): void {
    const issues: DraftIssue[] = []
    const seen = new Map<string, number>()
    const names = new Map<string, number>()
    doc.clusters.forEach((cluster, i) => {
      const at = `${field}/clusters/${i}`
      const again = seen.get(cluster.id)
      if (again !== undefined)
        issues.push({ field: `${at}/id`, message: `repeats clusters/${again}/id` })
      const named = names.get(cluster.name)
      if (named !== undefined) {
        issues.push({ field: `${at}/name`, message: `repeats clusters/${named}/name` })
      }
      seen.set(cluster.id, i)
      names.set(cluster.name, i)
    })
    const edgeIds = new Map<string, number>()
    doc.edges.forEach((edge, i) => {
      const again = edgeIds.get(edge.id)
      if (again !== undefined) {
        issues.push({ field: `${field}/edges/${i}/id`, message: `repeats edges/${again}/id` })
      }
      edgeIds.set(edge.id, i)
    })
    if (issues.length > 0) throw validationError(issues)

    const stored = new Map(this.current.clusters.map((cluster) => [cluster.id, cluster]))
    this.clusters.clear()
    this.edges.clear()
    doc.clusters.forEach((cluster, i) => {
      const at = `${field}/clusters/${i}`
      this.clusters.set(cluster.id, {
        id: cluster.id,
        name: cluster.name,
        addresses: [...cluster.addresses],
        embedded: cluster.embedded ?? false,
        filerProxy: cluster.filerProxy ?? false,
        tls: tlsMaterial(cluster.tls, stored.get(cluster.id)?.tls ?? null, `${at}/tls`),
        field: at,
        touched: true,
      })
    })
    doc.edges.forEach((edge, i) => {
      this.edges.set(edge.id, {
        id: edge.id,
        a: edgeSide(edge.a),
        b: edgeSide(edge.b),
        mode: edge.mode,
        options: edge.options ?? {},
        paused: edge.paused ?? false,
        field: `${field}/edges/${i}`,
        touched: true,
      })
    })
  }

  private refuseTakenName(name: string): void {
    const holder = [...this.clusters.values()].find((cluster) => cluster.name === name)
    if (holder !== undefined) {
      throw new ApiError(409, 'CONFLICT', `The name "${name}" is taken by cluster "${holder.id}"`, {
        name,
        cluster: holder.id,
      })
    }
  }
}

/** An edge side in normal form: normalized paths, excludes without repeats. */
function edgeSide(input: EdgeSideInput): EdgeSideRecord {
  return {
    cluster: input.cluster,
    path: normalizePath(input.path),
    excludes: [...new Set((input.excludes ?? []).map(normalizePath))],
  }
}

/** TLS material from a request; a missing key is taken from `stored`, else refused. */
function tlsMaterial(
  input: ClusterTlsInput | undefined,
  stored: ClusterTlsMaterial | null,
  field: string,
): ClusterTlsMaterial | null {
  if (input === undefined) return null
  const key = input.key ?? stored?.key
  if (key === undefined) {
    throw validationError([
      { field: `${field}/key`, message: 'is required (no key is stored for this cluster)' },
    ])
  }
  // Stored only when false, so a fetched topology (https: true) sent back stays a no-op.
  return { ca: input.ca, cert: input.cert, key, ...(input.https === false ? { https: false } : {}) }
}

/**
 * Checks the draft as a whole (see the module comment); throws 400 `VALIDATION_FAILED` listing
 * every issue. Conflicts between two clusters are reported against the one this request touched.
 */
export function checkDraft(draft: {
  readonly clusters: readonly DraftCluster[]
  readonly edges: readonly DraftEdge[]
}): void {
  const issues: DraftIssue[] = []
  const byUse = <T extends { touched: boolean }>(items: readonly T[]): T[] => [
    ...items.filter((item) => !item.touched),
    ...items.filter((item) => item.touched),
  ]

  const addressOwner = new Map<string, string>()
  for (const cluster of byUse(draft.clusters)) {
    const own = new Set<string>()
    cluster.addresses.forEach((raw, i) => {
      const field = `${cluster.field}/addresses/${i}`
      let grpc: string
      try {
        grpc = parseFilerAddress(raw).grpcAddress.toLowerCase()
      } catch (error) {
        const why = error instanceof Error ? error.message : String(error)
        const prefix = `invalid filer address ${JSON.stringify(raw)}: `
        issues.push({
          field,
          message: `is not a filer address host:httpPort[.grpcPort] (${why.startsWith(prefix) ? why.slice(prefix.length) : why})`,
        })
        return
      }
      const owner = addressOwner.get(grpc)
      if (own.has(grpc)) {
        issues.push({ field, message: `repeats the gRPC endpoint ${grpc}` })
      } else if (owner !== undefined && owner !== cluster.id) {
        issues.push({ field, message: `is already an address of cluster "${owner}"` })
      }
      own.add(grpc)
      addressOwner.set(grpc, cluster.id)
    })
    if (cluster.touched && cluster.tls !== null)
      issues.push(...tlsIssues(cluster.tls, cluster.field))
  }

  const clusterIds = new Set(draft.clusters.map((cluster) => cluster.id))
  for (const edge of draft.edges) {
    if (!edge.touched) continue
    for (const side of ['a', 'b'] as const) {
      const { cluster, path, excludes } = edge[side]
      if (!clusterIds.has(cluster)) {
        issues.push({
          field: `${edge.field}/${side}/cluster`,
          message: `names no cluster ("${cluster}")`,
        })
      }
      excludes.forEach((exclude, i) => {
        if (!contains(path, exclude) || exclude === path) {
          issues.push({
            field: `${edge.field}/${side}/excludes/${i}`,
            message: `("${exclude}") is not a folder inside ${side}/path ("${path}")`,
          })
        }
      })
    }
    if (edge.a.cluster === edge.b.cluster && clusterIds.has(edge.a.cluster)) {
      issues.push({
        field: `${edge.field}/b/cluster`,
        message:
          'is the same cluster as a/cluster: an edge joins two different clusters (one store ' +
          'signature on both sides turns off loop protection)',
      })
    }
  }
  if (issues.length > 0) throw validationError(issues)
}

/** The TLS material parses: certificates, a private key, and the key matches the certificate. */
function tlsIssues(tls: ClusterTlsMaterial, field: string): DraftIssue[] {
  const issues: DraftIssue[] = []
  const certificate = (pem: string, at: string): X509Certificate | undefined => {
    try {
      return new X509Certificate(pem)
    } catch {
      issues.push({ field: at, message: 'is not a PEM certificate' })
      return undefined
    }
  }
  certificate(tls.ca, `${field}/tls/ca`)
  const cert = certificate(tls.cert, `${field}/tls/cert`)
  let key: KeyObject | undefined
  try {
    key = createPrivateKey(tls.key)
  } catch {
    issues.push({ field: `${field}/tls/key`, message: 'is not a PEM private key' })
  }
  if (cert !== undefined && key !== undefined && !cert.checkPrivateKey(key)) {
    issues.push({ field: `${field}/tls/key`, message: 'does not match tls/cert' })
  }
  return issues
}

/** JSON with sorted keys, to compare option objects whatever their key order. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, inner: unknown) =>
    inner !== null && typeof inner === 'object' && !Array.isArray(inner)
      ? Object.fromEntries(
          Object.entries(inner as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : 1)),
        )
      : inner,
  )
}

/** Whether two edges differ in what the replicator runs with (everything but `paused`). */
export function edgeSettingsDiffer(
  x: Pick<EdgeRecord, 'a' | 'b' | 'mode' | 'options'>,
  y: Pick<EdgeRecord, 'a' | 'b' | 'mode' | 'options'>,
): boolean {
  return (
    x.mode !== y.mode ||
    canonicalJson([x.a, x.b, x.options]) !== canonicalJson([y.a, y.b, y.options])
  )
}
