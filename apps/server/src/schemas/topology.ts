/**
 * TypeBox schemas of the topology routes (`/api/v1/topology`): the whole graph, the declarative
 * document `PUT` applies, the dry run (`POST /topology/validate`) and the plan of a change. Shared
 * with the web app through their static types.
 */
import { Type, type Static } from 'typebox'
import { ErrorResponse } from './common.js'
import {
  Cluster,
  ClusterCreateBody,
  ClusterName,
  ClusterPatchBody,
  ClusterTlsInput,
  FilerAddressText,
  LiveStatus,
  SlugId,
} from './clusters.js'
import {
  Edge,
  EdgeCreateBody,
  EdgeMode,
  EdgeOptions,
  EdgePatchBody,
  EdgeSideInput,
} from './edges.js'

/** `GET /api/v1/topology`: every cluster and edge. */
export const TopologyGraph = Type.Object(
  { clusters: Type.Array(Cluster), edges: Type.Array(Edge) },
  { title: 'Topology' },
)
export type TopologyGraph = Static<typeof TopologyGraph>

/** Fields a fetched topology carries that a declaration may repeat; they are ignored. */
const readOnly = {
  createdAt: Type.Optional(Type.String({ description: 'read-only, ignored' })),
  updatedAt: Type.Optional(Type.String({ description: 'read-only, ignored' })),
  status: Type.Optional(LiveStatus),
}

/** A cluster in a declarative topology: `id` is required (edges refer to clusters by id). */
export const ClusterDeclaration = Type.Object(
  {
    id: SlugId,
    name: ClusterName,
    addresses: Type.Array(FilerAddressText, { minItems: 1, maxItems: 32 }),
    filerProxy: Type.Optional(Type.Boolean()),
    embedded: Type.Optional(Type.Boolean()),
    tls: Type.Optional(ClusterTlsInput),
    signature: Type.Optional(
      Type.Union([Type.Integer(), Type.Null()], { description: 'read-only, ignored' }),
    ),
    ...readOnly,
  },
  { additionalProperties: false },
)
export type ClusterDeclaration = Static<typeof ClusterDeclaration>

/** An edge in a declarative topology: `id` is required (it is how changes are matched). */
export const EdgeDeclaration = Type.Object(
  {
    id: SlugId,
    a: EdgeSideInput,
    b: EdgeSideInput,
    mode: EdgeMode,
    options: Type.Optional(EdgeOptions),
    paused: Type.Optional(Type.Boolean()),
    ...readOnly,
  },
  { additionalProperties: false },
)
export type EdgeDeclaration = Static<typeof EdgeDeclaration>

/**
 * `PUT /api/v1/topology`: the whole desired topology. Clusters and edges are matched to the stored
 * ones by id; what is not declared is removed. The output of `GET /topology` is a valid document.
 */
export const TopologyDocument = Type.Object(
  {
    clusters: Type.Array(ClusterDeclaration, { maxItems: 1000 }),
    edges: Type.Array(EdgeDeclaration, { maxItems: 10000 }),
  },
  { additionalProperties: false, title: 'TopologyDocument' },
)
export type TopologyDocument = Static<typeof TopologyDocument>

/** Why an edge is in a plan list. */
export const PlanReason = Type.Enum([
  'added',
  'removed',
  'paused',
  'resumed',
  'changed',
  'cluster-changed',
])
export type PlanReason = Static<typeof PlanReason>

export const PlanItem = Type.Object({ edge: Type.String(), reason: PlanReason })
export type PlanItem = Static<typeof PlanItem>

/** Ids added, updated and removed in the store. */
export const StoredChanges = Type.Object({
  added: Type.Array(Type.String()),
  updated: Type.Array(Type.String()),
  removed: Type.Array(Type.String()),
})

/**
 * What a change does to the running edges. `start`: added (not paused) or resumed; `stop`:
 * removed or paused; `restart`: running before and after, with its paths, excludes, mode or
 * options `changed`, or with a cluster whose addresses, TLS or filer-proxy default changed
 * (`cluster-changed`); `unchanged`: every other edge that remains (paused edges stay stopped).
 */
export const Plan = Type.Object({
  start: Type.Array(PlanItem),
  stop: Type.Array(PlanItem),
  restart: Type.Array(PlanItem),
  unchanged: Type.Array(Type.String()),
  /** What is stored differently, by id (e.g. an edge added paused is here but not in start). */
  edges: StoredChanges,
  clusters: StoredChanges,
})
export type Plan = Static<typeof Plan>

/** `PUT /api/v1/topology`: the stored topology after the change, and what the change did. */
export const TopologyApplyResponse = Type.Object({ topology: TopologyGraph, plan: Plan })
export type TopologyApplyResponse = Static<typeof TopologyApplyResponse>

/** One step of a refused loop (see `LoopStep` in `src/topology/topology-model.ts`). */
export const LoopStep = Type.Union([
  Type.Object({ kind: Type.Literal('endpoint'), cluster: Type.String(), path: Type.String() }),
  Type.Object({ kind: Type.Literal('edge'), edgeId: Type.String() }),
  Type.Object({
    kind: Type.Literal('contains'),
    cluster: Type.String(),
    outer: Type.String(),
    inner: Type.String(),
  }),
])

const idField = { id: Type.String({ minLength: 1, maxLength: 200 }) }

/** A cluster update in a change list: its id and the fields to change. */
export const ClusterUpdateOp = Type.Object(
  { ...idField, ...ClusterPatchBody.properties },
  { additionalProperties: false },
)
export type ClusterUpdateOp = Static<typeof ClusterUpdateOp>

/** An edge update in a change list: its id and the fields to change. */
export const EdgeUpdateOp = Type.Object(
  { ...idField, ...EdgePatchBody.properties },
  { additionalProperties: false },
)
export type EdgeUpdateOp = Static<typeof EdgeUpdateOp>

const ids = Type.Array(Type.String({ minLength: 1, maxLength: 200 }), { maxItems: 10000 })

/**
 * `POST /api/v1/topology/validate`: either a whole `topology` (what `PUT /topology` would do) or
 * lists of cluster and edge changes, applied in this order: edges removed, clusters removed,
 * clusters updated, clusters added, edges updated, edges added.
 */
export const ValidateRequest = Type.Object(
  {
    topology: Type.Optional(TopologyDocument),
    clusters: Type.Optional(
      Type.Object(
        {
          add: Type.Optional(Type.Array(ClusterCreateBody, { maxItems: 1000 })),
          update: Type.Optional(Type.Array(ClusterUpdateOp, { maxItems: 1000 })),
          remove: Type.Optional(ids),
        },
        { additionalProperties: false },
      ),
    ),
    edges: Type.Optional(
      Type.Object(
        {
          add: Type.Optional(Type.Array(EdgeCreateBody, { maxItems: 10000 })),
          update: Type.Optional(Type.Array(EdgeUpdateOp, { maxItems: 10000 })),
          remove: Type.Optional(ids),
        },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false, minProperties: 1 },
)
export type ValidateRequest = Static<typeof ValidateRequest>

/**
 * The dry run's verdict. `valid: false` carries the `error` the change itself would get (409
 * `TOPOLOGY_LOOP`, 422 `CLUSTER_PROBE_FAILED`, 404, 409 `CONFLICT`, 400 …); `loop` and
 * `description` whenever the change closes a loop; `plan` whenever the changed topology could be
 * built (also for a refused one: what it would have done).
 */
export const ValidateResponse = Type.Object({
  valid: Type.Boolean(),
  plan: Type.Optional(Plan),
  loop: Type.Optional(Type.Array(LoopStep)),
  description: Type.Optional(Type.String()),
  error: Type.Optional(ErrorResponse.properties.error),
})
export type ValidateResponse = Static<typeof ValidateResponse>
