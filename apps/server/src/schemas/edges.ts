/**
 * TypeBox schemas of the edge routes (`/api/v1/edges`), shared with the web app through their
 * static types. An edge syncs endpoint A `(cluster, path)` with endpoint B, active-active or
 * one-way A → B, with the options sync-core takes (PRODUCT.md, "Topology rules").
 *
 * Edge ids are slugs like cluster ids: given by the client or derived on create from the two
 * cluster ids (`dc1-dc2`, then `dc1-dc2-2`), and never changed afterwards.
 */
import { Type, type Static } from 'typebox'
import { LiveStatus, SlugId } from './clusters.js'

/** An absolute filer path; stored in normal form (`/a//b/` → `/a/b`). */
export const FilerPath = Type.String({
  minLength: 1,
  maxLength: 4096,
  pattern: '^/[^\\u0000]*$',
  description: 'absolute filer path, e.g. /buckets/photos',
})

/** `active-active`: both directions; `one-way`: A → B only (`weed filer.sync -isActivePassive`). */
export const EdgeMode = Type.Enum(['active-active', 'one-way'], {
  description: 'active-active (both directions) or one-way (A → B)',
})
export type EdgeMode = Static<typeof EdgeMode>

/** One endpoint of an edge. */
export const EdgeSideInput = Type.Object(
  {
    cluster: Type.String({ minLength: 1, maxLength: 200, description: 'the cluster id' }),
    path: FilerPath,
    excludes: Type.Optional(
      Type.Array(FilerPath, {
        maxItems: 256,
        description: 'directories inside path whose changes are not synced (-a.excludePaths)',
      }),
    ),
  },
  { additionalProperties: false },
)
export type EdgeSideInput = Static<typeof EdgeSideInput>

/** Per-side options: how chunks are read from and written to that side's cluster. */
export const EdgeSideOptions = Type.Object(
  {
    filerProxy: Type.Optional(
      Type.Boolean({ description: "move chunks through the filer (default: the cluster's)" }),
    ),
    replication: Type.Optional(
      Type.String({
        pattern: '^[0-9]{3}$',
        description: 'replication of written chunks, e.g. 001',
      }),
    ),
    collection: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 255,
        pattern: '^[^/\\u0000-\\u001f]+$',
        description: 'collection of written chunks',
      }),
    ),
    ttlSec: Type.Optional(
      Type.Integer({ minimum: 0, maximum: 2147483647, description: 'TTL of written chunks, s' }),
    ),
    diskType: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 64,
        pattern: '^[A-Za-z0-9_-]+$',
        description: 'disk type of written chunks, e.g. ssd',
      }),
    ),
  },
  { additionalProperties: false },
)
export type EdgeSideOptions = Static<typeof EdgeSideOptions>

/** The options sync-core takes, per edge and per side; absent ones take sync-core's defaults. */
export const EdgeOptions = Type.Object(
  {
    concurrency: Type.Optional(
      Type.Integer({ minimum: 1, maximum: 1024, description: 'events applied in parallel (32)' }),
    ),
    chunkConcurrency: Type.Optional(
      Type.Integer({ minimum: 1, maximum: 1024, description: 'chunks copied in parallel (32)' }),
    ),
    doDeleteFiles: Type.Optional(Type.Boolean({ description: 'propagate deletes (true)' })),
    a: Type.Optional(EdgeSideOptions),
    b: Type.Optional(EdgeSideOptions),
  },
  { additionalProperties: false },
)
export type EdgeOptions = Static<typeof EdgeOptions>

const edgeFields = {
  a: EdgeSideInput,
  b: EdgeSideInput,
  mode: EdgeMode,
  options: Type.Optional(EdgeOptions),
  paused: Type.Optional(Type.Boolean({ description: 'stored but not running (false)' })),
}

/** `POST /api/v1/edges`. */
export const EdgeCreateBody = Type.Object(
  { id: Type.Optional(SlugId), ...edgeFields },
  { additionalProperties: false },
)
export type EdgeCreateBody = Static<typeof EdgeCreateBody>

/** `PATCH /api/v1/edges/:id`: the fields to change; `options` replaces the whole object. */
export const EdgePatchBody = Type.Object(
  {
    a: Type.Optional(edgeFields.a),
    b: Type.Optional(edgeFields.b),
    mode: Type.Optional(edgeFields.mode),
    options: edgeFields.options,
    paused: edgeFields.paused,
  },
  { additionalProperties: false, minProperties: 1 },
)
export type EdgePatchBody = Static<typeof EdgePatchBody>

/** A stored edge side: path and excludes in normal form. */
export const EdgeSide = Type.Object({
  cluster: Type.String(),
  path: Type.String(),
  excludes: Type.Array(Type.String()),
})
export type EdgeSide = Static<typeof EdgeSide>

/** A stored edge. */
export const Edge = Type.Object(
  {
    id: SlugId,
    a: EdgeSide,
    b: EdgeSide,
    mode: EdgeMode,
    options: EdgeOptions,
    paused: Type.Boolean(),
    createdAt: Type.String({ format: 'date-time' }),
    updatedAt: Type.String({ format: 'date-time' }),
    status: Type.Optional(LiveStatus),
  },
  { title: 'Edge' },
)
export type Edge = Static<typeof Edge>

export const EdgeList = Type.Object({ edges: Type.Array(Edge) })
export type EdgeList = Static<typeof EdgeList>

/** `GET /api/v1/edges?cluster=<id>`: only the edges with a side on that cluster. */
export const EdgeListQuery = Type.Object(
  { cluster: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })) },
  { additionalProperties: false },
)
export type EdgeListQuery = Static<typeof EdgeListQuery>
