/**
 * The part of the topology that loop refusal needs (PRODUCT.md, "Topology rules"): clusters, the
 * endpoints `(cluster, path)` that edges join, and the edges themselves. Addresses, per-side and
 * per-edge replication settings live with the stored topology, not here.
 */

/** A cluster's id: one SeaweedFS filer store. Compared exactly (case-sensitive). */
export type ClusterId = string

/** An edge's id, unique within one topology. */
export type EdgeId = string

/** A folder on one cluster. `path` is absolute; it is normalized before comparing. */
export interface Endpoint {
  readonly cluster: ClusterId
  readonly path: string
}

/**
 * One side of an edge. `excludes` (paths under `path` that are not synchronized) do not change
 * loop refusal: PRODUCT.md builds the graph from endpoints alone.
 */
export interface EdgeSide extends Endpoint {
  readonly excludes?: readonly string[]
}

/** `active-active`: both directions; `one-way`: `a` → `b` only (`-isActivePassive`). */
export type EdgeMode = 'active-active' | 'one-way'

/** A sync edge between two endpoints. Its direction does not matter to loop refusal. */
export interface EdgeSpec {
  readonly id: EdgeId
  readonly a: EdgeSide
  readonly b: EdgeSide
  readonly mode: EdgeMode
}

/**
 * One step of a refused loop: an endpoint (its path normalized), an edge by id, or a containment
 * link between an endpoint and its nearest enclosing endpoint on the same cluster.
 */
export type LoopStep =
  | { readonly kind: 'endpoint'; readonly cluster: ClusterId; readonly path: string }
  | { readonly kind: 'edge'; readonly edgeId: EdgeId }
  | {
      readonly kind: 'contains'
      readonly cluster: ClusterId
      /** The enclosing endpoint's path. */
      readonly outer: string
      /** The enclosed endpoint's path. */
      readonly inner: string
    }

/**
 * The verdict on a topology. A refusal carries the loop as steps alternating endpoint and link,
 * starting and ending at the same endpoint.
 */
export type ValidationResult =
  { readonly valid: true } | { readonly valid: false; readonly loop: readonly LoopStep[] }
