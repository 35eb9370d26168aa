/**
 * TypeBox schemas of the cluster routes (`/api/v1/clusters`), shared with the web app through
 * their static types. A cluster is one SeaweedFS filer store reached through one or more filer
 * addresses (PRODUCT.md, "Topology rules").
 *
 * Cluster ids are slugs (`[a-z0-9-]`, 1–63 characters, e.g. `dc1-paris`): given by the client or
 * derived from the name on create (`"DC1 Paris"` → `dc1-paris`, then `dc1-paris-2` when taken),
 * and never changed afterwards, so renaming a cluster keeps its id. Slugs make the loops that a
 * refusal names (`dc1:/ —dc1-dc2— dc2:/`) and declarative topology files readable.
 */
import { Type, type Static } from 'typebox'

/** A cluster or edge id: lower-case letters, digits and inner hyphens, 1–63 characters. */
export const SlugId = Type.String({
  pattern: '^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$',
  description: 'lower-case letters, digits and inner hyphens, 1–63 characters',
})

/** A cluster's display name: 1–100 characters without control characters. */
export const ClusterName = Type.String({
  minLength: 1,
  maxLength: 100,
  pattern: '^[^\\u0000-\\u001f\\u007f]+$',
  description: 'unique display name, 1–100 characters',
})

/** A SeaweedFS filer address `host:httpPort[.grpcPort]` (gRPC defaults to HTTP + 10000). */
export const FilerAddressText = Type.String({
  minLength: 1,
  maxLength: 300,
  description: 'filer address host:httpPort[.grpcPort], as weed filer.sync -a takes it',
})

/** Constraints of a PEM text (certificate or key). */
const pem = { minLength: 1, maxLength: 65536, pattern: '-----BEGIN [A-Z0-9 ]+-----' } as const

/**
 * Mutual-TLS material of a cluster (SeaweedFS `security.toml` `[grpc] ca`, `[grpc.client]` cert
 * and key): the probe and every replicator dial the cluster's filers with it over gRPC (the chain
 * is checked against `ca`, the host name is not, as SeaweedFS does), and, unless `https` is
 * false, reach its volume servers and filer HTTP over HTTPS with the same material
 * (`[https.client]`; the host name is checked there, as Go's HTTP client does). `key` may be left
 * out when updating a cluster that already has one: the stored key is kept (responses never
 * contain it, so a fetched topology can be sent back unchanged).
 */
export const ClusterTlsInput = Type.Object(
  {
    ca: Type.String({ ...pem, description: 'CA certificate(s) that sign the filers, PEM' }),
    cert: Type.String({ ...pem, description: 'client certificate, PEM' }),
    key: Type.Optional(
      Type.String({ ...pem, description: 'client private key, PEM; omit to keep the stored one' }),
    ),
    hasKey: Type.Optional(Type.Boolean({ description: 'read-only, ignored (see ClusterTls)' })),
    https: Type.Optional(
      Type.Boolean({
        description:
          'volume servers and filer HTTP over HTTPS with this material (default true); false: gRPC only',
      }),
    ),
  },
  { additionalProperties: false },
)
export type ClusterTlsInput = Static<typeof ClusterTlsInput>

/** The mTLS material as answered: the certificates only, never the private key. */
export const ClusterTls = Type.Object({
  ca: Type.String(),
  cert: Type.String(),
  hasKey: Type.Boolean({ description: 'a private key is stored (it is never sent back)' }),
  https: Type.Boolean({ description: 'volume-server and filer HTTP use HTTPS' }),
})
export type ClusterTls = Static<typeof ClusterTls>

const clusterFields = {
  name: ClusterName,
  addresses: Type.Array(FilerAddressText, {
    minItems: 1,
    maxItems: 32,
    description: 'filer addresses of the one store; every one is probed',
  }),
  filerProxy: Type.Optional(
    Type.Boolean({
      description:
        'default for edges: move chunks through this filer instead of its volume servers',
    }),
  ),
  tls: Type.Optional(ClusterTlsInput),
}

/** `POST /api/v1/clusters`. */
export const ClusterCreateBody = Type.Object(
  {
    id: Type.Optional(SlugId),
    ...clusterFields,
    embedded: Type.Optional(
      Type.Boolean({
        description: 'an embedded filer this server runs (demo); DELETE /clusters?embedded=true',
      }),
    ),
  },
  { additionalProperties: false },
)
export type ClusterCreateBody = Static<typeof ClusterCreateBody>

/** `PATCH /api/v1/clusters/:id`: the fields to change; `tls: null` removes the TLS material. */
export const ClusterPatchBody = Type.Object(
  {
    name: Type.Optional(clusterFields.name),
    addresses: Type.Optional(clusterFields.addresses),
    filerProxy: clusterFields.filerProxy,
    tls: Type.Optional(Type.Union([ClusterTlsInput, Type.Null()])),
  },
  { additionalProperties: false, minProperties: 1 },
)
export type ClusterPatchBody = Static<typeof ClusterPatchBody>

/**
 * Read-only live status as a declaration may repeat it (`PUT /topology` takes what `GET /topology`
 * answered): any object, ignored. Also the edges' placeholder until they carry their own.
 * @internal
 */
export const LiveStatus = Type.Object(
  {},
  { additionalProperties: true, description: 'read-only live status, ignored on input' },
)

/**
 * A cluster's health from the periodic probe of every address (`src/runtime/cluster-health.ts`):
 * `unknown` before the first probe, `reachable` when every address answered with the same
 * signature, `degraded` when some did not answer, `unreachable` when none did, `mismatch` when
 * the answers disagree among themselves or with the stored signature.
 */
export const ClusterHealthSchema = Type.Enum(
  ['unknown', 'reachable', 'degraded', 'unreachable', 'mismatch'],
  { description: 'unknown, reachable, degraded (some addresses down), unreachable or mismatch' },
)
export type ClusterHealth = Static<typeof ClusterHealthSchema>

/** What one filer address answered at the last probe. */
export const AddressHealth = Type.Object(
  {
    address: Type.String(),
    reachable: Type.Boolean({ description: 'GetFilerConfiguration answered in time' }),
    signature: Type.Union([Type.Integer(), Type.Null()], {
      description: 'the store signature it reported; null when unreachable',
    }),
    error: Type.Union([Type.String(), Type.Null()], { description: 'why it is not reachable' }),
    latencyMs: Type.Union([Type.Number(), Type.Null()], {
      description: 'round trip of the probe, ms; null when unreachable',
    }),
  },
  { title: 'AddressHealth' },
)
export type AddressHealth = Static<typeof AddressHealth>

/** Live health of one cluster (`status` of a cluster, `clusters` of the status event). */
export const ClusterStatus = Type.Object(
  {
    clusterId: Type.String(),
    health: ClusterHealthSchema,
    checkedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()], {
      description: 'when the last probe finished; null before the first one',
    }),
    addresses: Type.Array(AddressHealth, {
      description: 'each address at the last probe, in stored order; empty before the first one',
    }),
  },
  { title: 'ClusterStatus' },
)
export type ClusterStatus = Static<typeof ClusterStatus>

/** A stored cluster. */
export const Cluster = Type.Object(
  {
    id: SlugId,
    name: Type.String(),
    addresses: Type.Array(Type.String()),
    filerProxy: Type.Boolean(),
    embedded: Type.Boolean(),
    tls: Type.Optional(ClusterTls),
    signature: Type.Union([Type.Integer(), Type.Null()], {
      description: 'the store signature every address reported at the last probe',
    }),
    createdAt: Type.String({ format: 'date-time' }),
    updatedAt: Type.String({ format: 'date-time' }),
    status: Type.Optional(ClusterStatus),
  },
  { title: 'Cluster' },
)
export type Cluster = Static<typeof Cluster>

export const ClusterList = Type.Object({ clusters: Type.Array(Cluster) })
export type ClusterList = Static<typeof ClusterList>

export const IdParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 200 }) })
export type IdParams = Static<typeof IdParams>

/** `DELETE /api/v1/clusters?embedded=true`. */
export const RemoveClustersQuery = Type.Object(
  {
    embedded: Type.Boolean({
      description: 'must be true: removes every embedded (demo) cluster and its edges',
    }),
  },
  { additionalProperties: false },
)
export type RemoveClustersQuery = Static<typeof RemoveClustersQuery>

/** What a bulk removal deleted, by id. */
export const RemovedResponse = Type.Object({
  clusters: Type.Array(Type.String()),
  edges: Type.Array(Type.String()),
})
export type RemovedResponse = Static<typeof RemovedResponse>
