/**
 * TypeBox schemas of the edge runtime routes (status, pause/resume, checkpoints, failures,
 * history) and of the event stream's payloads, shared with the web app through their static
 * types. SeaweedFS timestamps (`*Ns`) are nanoseconds since the epoch as decimal strings (they
 * exceed 2^53); `*At` fields are ISO 8601 times; durations and rates are plain numbers.
 */
import { Type, type Static } from 'typebox'
import { ClusterStatus } from './clusters.js'

/** A nanosecond timestamp as a decimal string. */
const Ns = (description: string) => Type.String({ pattern: '^-?[0-9]+$', description })
const IsoOrNull = (description: string) =>
  Type.Union([Type.String({ format: 'date-time' }), Type.Null()], { description })

/** The state of a direction or an edge (`src/runtime/lag-state.ts` documents each one). */
export const LagStateSchema = Type.Enum(
  ['starting', 'catching-up', 'in-sync', 'falling-behind', 'stalled', 'paused', 'error'],
  { description: 'starting, catching-up, in-sync, falling-behind, stalled, paused or error' },
)

/** `a-b` replicates A to B; `b-a` (active-active only) B to A. */
export const DirectionNameSchema = Type.Enum(['a-b', 'b-a'], {
  description: 'a-b (A to B) or b-a (B to A, active-active edges only)',
})

/** A chunk copy in progress (a large file being transferred). */
export const InFlightTransfer = Type.Object({
  sourceFid: Type.String(),
  targetPath: Type.String(),
  size: Type.Integer({ description: 'bytes' }),
  state: Type.Enum(['waiting', 'downloading', 'uploading']),
})

export const LargeFileTransfer = Type.Object({
  targetPath: Type.String(),
  bytes: Type.Integer({ description: 'bytes of its chunks to copy (only new ones for an update)' }),
  bytesCopied: Type.Integer({ description: 'bytes of those chunks copied so far' }),
  startedAt: Type.String({ format: 'date-time' }),
})

/** Live status of one direction. */
export const DirectionStatus = Type.Object(
  {
    direction: DirectionNameSchema,
    sourceCluster: Type.String(),
    targetCluster: Type.String(),
    sourceFiler: Type.String({ description: 'HTTP address of the source filer' }),
    targetFiler: Type.String({ description: 'HTTP address of the target filer' }),
    sourcePath: Type.String(),
    targetPath: Type.String(),
    state: LagStateSchema,
    reason: Type.String({ description: 'why this state, for people (wording may change)' }),
    replicatorState: Type.Union([Type.String(), Type.Null()], {
      description: 'sync-core lifecycle state (streaming, backing-off, …); null when paused',
    }),
    lagSeconds: Type.Number({
      description:
        'source head minus applied watermark, or the oldest pending event’s age on the source clock when larger; 0 if none pend',
    }),
    appliedNs: Ns('applied watermark: every event up to it is on the target'),
    appliedAt: IsoOrNull('the applied watermark as a time'),
    savedNs: Ns('the checkpoint last saved in the target filer'),
    savedAt: IsoOrNull('when that checkpoint was saved (by this server)'),
    checkpointAgeSeconds: Type.Union([Type.Number(), Type.Null()], {
      description: 'seconds since the checkpoint was last saved by this server',
    }),
    sourceHeadNs: Ns('newest source timestamp seen (events, idle heartbeats)'),
    backlog: Type.Integer({ description: 'events received (or, paused, waiting) and not applied' }),
    eventsPerSecond: Type.Number(),
    bytesPerSecond: Type.Number(),
    eventsApplied: Type.Integer({ description: 'since the server started' }),
    bytesCopied: Type.Integer({ description: 'since the server started' }),
    failures: Type.Integer({ description: 'failed events waiting for a retry' }),
    inFlight: Type.Array(InFlightTransfer, { description: 'chunk copies in progress' }),
    largeFiles: Type.Array(LargeFileTransfer, {
      description: 'files of 4 MiB or more being copied, largest first, at most 10',
    }),
    lastError: Type.Union([Type.String(), Type.Null()]),
  },
  { title: 'DirectionStatus' },
)
export type DirectionStatus = Static<typeof DirectionStatus>

/** Live status of one edge: the worst of its directions. */
export const EdgeStatus = Type.Object(
  {
    edgeId: Type.String(),
    mode: Type.Enum(['active-active', 'one-way']),
    paused: Type.Boolean(),
    state: LagStateSchema,
    lagSeconds: Type.Number({ description: 'the largest lag of its directions' }),
    /** Set when the stored edge cannot run (e.g. a cluster without an address). */
    problem: Type.Union([Type.String(), Type.Null()]),
    directions: Type.Array(DirectionStatus),
  },
  { title: 'EdgeStatus' },
)
export type EdgeStatus = Static<typeof EdgeStatus>

/** `GET /api/v1/status`: every edge's live status and every cluster's health. */
export const StatusList = Type.Object({
  at: Type.String({ format: 'date-time' }),
  edges: Type.Array(EdgeStatus),
  clusters: Type.Array(ClusterStatus, { description: 'every stored cluster, in id order' }),
})
export type StatusList = Static<typeof StatusList>

export const EdgeIdParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 200 }) })
export type EdgeIdParams = Static<typeof EdgeIdParams>

/** One direction's checkpoint as stored in its target filer's KV. */
export const CheckpointInfo = Type.Object(
  {
    direction: DirectionNameSchema,
    sourceFiler: Type.String(),
    targetFiler: Type.String(),
    sourcePath: Type.String(),
    key: Type.String({ description: "the KV key in the target filer, hex (weed's encoding)" }),
    checkpointNs: Ns('the stored checkpoint; 0 = none (replays the retained log)'),
    checkpointAt: IsoOrNull('the checkpoint as a time'),
  },
  { title: 'CheckpointInfo' },
)
export type CheckpointInfo = Static<typeof CheckpointInfo>

export const CheckpointList = Type.Object({
  edgeId: Type.String(),
  checkpoints: Type.Array(CheckpointInfo),
})
export type CheckpointList = Static<typeof CheckpointList>

/** `PUT /api/v1/edges/:id/checkpoints`: `weed filer.sync -a.fromTsMs` for a paused edge. */
export const SetCheckpointBody = Type.Object(
  {
    direction: DirectionNameSchema,
    fromTsMs: Type.Integer({
      minimum: 1,
      maximum: 8_000_000_000_000,
      description: 'resume from this time, ms since the epoch (earlier replays, later skips)',
    }),
  },
  { additionalProperties: false },
)
export type SetCheckpointBody = Static<typeof SetCheckpointBody>

/** One event a direction could not apply; it holds the watermark until retried or skipped. */
export const FailureInfo = Type.Object(
  {
    id: Type.String({ description: '<direction>:<tsNs>:<seq>, valid while the direction runs' }),
    direction: DirectionNameSchema,
    tsNs: Ns('the event time'),
    operation: Type.String({ description: 'create, update, delete or move' }),
    path: Type.String({ description: 'source path of the event' }),
    code: Type.String({ description: 'sync-core error code, e.g. SYNC_ERR_FILER_REFUSED' }),
    message: Type.String(),
    attempts: Type.Integer(),
    nextRetryAt: Type.String({ format: 'date-time' }),
  },
  { title: 'FailureInfo' },
)
export type FailureInfo = Static<typeof FailureInfo>

export const FailureList = Type.Object({ edgeId: Type.String(), failures: Type.Array(FailureInfo) })
export type FailureList = Static<typeof FailureList>

export const FailureParams = Type.Object({
  id: Type.String({ minLength: 1, maxLength: 200 }),
  fid: Type.String({ minLength: 1, maxLength: 200 }),
})
export type FailureParams = Static<typeof FailureParams>

/** What a retry or skip did. */
export const FailureActionResult = Type.Object({
  edgeId: Type.String(),
  /** Failures retried now (retry) or skipped (skip). */
  count: Type.Integer(),
})
export type FailureActionResult = Static<typeof FailureActionResult>

/** `GET /api/v1/edges/:id/history?from&to`: ms since the epoch; default the last hour. */
export const HistoryQuery = Type.Object(
  {
    from: Type.Optional(Type.Integer({ minimum: 0, description: 'ms since the epoch' })),
    to: Type.Optional(Type.Integer({ minimum: 0, description: 'ms since the epoch (now)' })),
  },
  { additionalProperties: false },
)
export type HistoryQuery = Static<typeof HistoryQuery>

/** One stored sample of one direction. */
export const HistorySample = Type.Object({
  direction: DirectionNameSchema,
  at: Type.String({ format: 'date-time' }),
  atMs: Type.Integer(),
  state: LagStateSchema,
  lagSeconds: Type.Union([Type.Number(), Type.Null()]),
  appliedNs: Type.Union([Ns('applied watermark'), Type.Null()]),
  sourceHeadNs: Type.Union([Ns('source head'), Type.Null()]),
  backlog: Type.Union([Type.Integer(), Type.Null()]),
  eventsPerSecond: Type.Union([Type.Number(), Type.Null()]),
  bytesPerSecond: Type.Union([Type.Number(), Type.Null()]),
})
export type HistorySample = Static<typeof HistorySample>

export const HistoryResponse = Type.Object({
  edgeId: Type.String(),
  from: Type.String({ format: 'date-time' }),
  to: Type.String({ format: 'date-time' }),
  /** Oldest first; both directions interleaved. */
  samples: Type.Array(HistorySample),
  /** True when more samples matched than one response carries (narrow the range). */
  truncated: Type.Boolean(),
})
export type HistoryResponse = Static<typeof HistoryResponse>

/** `event: status` of `GET /api/v1/events`: every edge's status and cluster's health, each second. */
export const StatusEvent = StatusList
export type StatusEvent = StatusList

/** `event: topology` of `GET /api/v1/events`: ids of what a committed change touched. */
export const TopologyEvent = Type.Object({
  edgesAdded: Type.Array(Type.String()),
  edgesUpdated: Type.Array(Type.String()),
  edgesRemoved: Type.Array(Type.String()),
  clustersAdded: Type.Array(Type.String()),
  clustersUpdated: Type.Array(Type.String()),
  clustersRemoved: Type.Array(Type.String()),
})
export type TopologyEvent = Static<typeof TopologyEvent>
