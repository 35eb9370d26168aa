/**
 * Edge runtime routes, under `/api/v1` (the store's own edge routes live in `edges.ts`):
 *
 * - `GET  /status`                            every edge's live status
 * - `GET  /edges/:id/status`                  one edge's live status, per direction
 * - `POST /edges/:id/pause`, `/resume`        stored (survives restarts); pause drains and saves
 * - `GET  /edges/:id/checkpoints`             each direction's checkpoint, read from its target
 * - `PUT  /edges/:id/checkpoints`             `{ direction, fromTsMs }`; paused edges only (409)
 * - `GET  /edges/:id/failures`                failed events waiting for a retry
 * - `POST /edges/:id/failures/retry`          retry every failed event now
 * - `POST /edges/:id/failures/:fid/retry`     retry one
 * - `POST /edges/:id/failures/:fid/skip`      give up on one (audit-logged)
 * - `GET  /edges/:id/history?from&to`         stored lag samples (ms since the epoch)
 *
 * Who acted goes into the audit log as `api:<client ip>`.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { ApiError } from '../../errors.js'
import { ErrorResponses } from '../../schemas/common.js'
import {
  CheckpointInfo,
  CheckpointList,
  EdgeIdParams,
  EdgeStatus,
  FailureActionResult,
  FailureList,
  FailureParams,
  HistoryQuery,
  HistoryResponse,
  SetCheckpointBody,
  StatusList,
} from '../../schemas/runtime.js'
import { actorOf } from './actor.js'

const tags = ['runtime']

const runtimeRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/status',
    {
      schema: {
        summary:
          "Every edge's live status (state, lag, watermark, checkpoint, rates) and cluster's health",
        tags,
        response: { 200: StatusList, ...ErrorResponses },
      },
    },
    async () => ({
      at: new Date().toISOString(),
      edges: app.replication.statusAll(),
      clusters: app.clusterHealth.statusAll(),
    }),
  )

  app.get(
    '/edges/:id/status',
    {
      schema: {
        summary: "One edge's live status, per direction",
        tags,
        params: EdgeIdParams,
        response: { 200: EdgeStatus, ...ErrorResponses },
      },
    },
    async (request) => {
      const status = app.replication.status(request.params.id)
      if (status === undefined) throw new ApiError(404, 'NOT_FOUND', `No edge ${request.params.id}`)
      return status
    },
  )

  app.post(
    '/edges/:id/pause',
    {
      schema: {
        summary: 'Pause an edge: drain, save its checkpoints, stop replicating (stored)',
        tags,
        params: EdgeIdParams,
        response: { 200: EdgeStatus, ...ErrorResponses },
      },
    },
    async (request) => app.replication.pause(request.params.id, actorOf(request)),
  )

  app.post(
    '/edges/:id/resume',
    {
      schema: {
        summary: 'Resume a paused edge from its checkpoints',
        tags,
        params: EdgeIdParams,
        response: { 200: EdgeStatus, ...ErrorResponses },
      },
    },
    async (request) => app.replication.resume(request.params.id, actorOf(request)),
  )

  app.get(
    '/edges/:id/checkpoints',
    {
      schema: {
        summary: "Each direction's checkpoint, as stored in its target filer (weed's key)",
        tags,
        params: EdgeIdParams,
        response: { 200: CheckpointList, ...ErrorResponses },
      },
    },
    async (request) => ({
      edgeId: request.params.id,
      checkpoints: await app.replication.checkpoints(request.params.id, request.signal),
    }),
  )

  app.put(
    '/edges/:id/checkpoints',
    {
      schema: {
        summary:
          "Set a direction's checkpoint to a time (like -a.fromTsMs); the edge must be paused",
        tags,
        params: EdgeIdParams,
        body: SetCheckpointBody,
        response: { 200: CheckpointInfo, ...ErrorResponses },
      },
    },
    async (request) =>
      app.replication.setCheckpoint(
        request.params.id,
        request.body.direction,
        request.body.fromTsMs,
        actorOf(request),
        request.signal,
      ),
  )

  app.get(
    '/edges/:id/failures',
    {
      schema: {
        summary: 'Failed events waiting for a retry (they hold the watermark back)',
        tags,
        params: EdgeIdParams,
        response: { 200: FailureList, ...ErrorResponses },
      },
    },
    async (request) => ({
      edgeId: request.params.id,
      failures: app.replication.failures(request.params.id),
    }),
  )

  app.post(
    '/edges/:id/failures/retry',
    {
      schema: {
        summary: 'Retry every failed event of the edge now',
        tags,
        params: EdgeIdParams,
        response: { 200: FailureActionResult, ...ErrorResponses },
      },
    },
    async (request) => ({
      edgeId: request.params.id,
      count: app.replication.retry(request.params.id),
    }),
  )

  app.post(
    '/edges/:id/failures/:fid/retry',
    {
      schema: {
        summary: 'Retry one failed event now',
        tags,
        params: FailureParams,
        response: { 200: FailureActionResult, ...ErrorResponses },
      },
    },
    async (request) => ({
      edgeId: request.params.id,
      count: app.replication.retry(request.params.id, request.params.fid),
    }),
  )

  app.post(
    '/edges/:id/failures/:fid/skip',
    {
      schema: {
        summary: 'Skip one failed event: never applied, the watermark moves on (audit-logged)',
        tags,
        params: FailureParams,
        response: { 200: FailureActionResult, ...ErrorResponses },
      },
    },
    async (request) => ({
      edgeId: request.params.id,
      count: app.replication.skip(request.params.id, request.params.fid, actorOf(request)),
    }),
  )

  app.get(
    '/edges/:id/history',
    {
      schema: {
        summary: 'Stored lag samples (every 5 s, thinned with age), oldest first',
        tags,
        params: EdgeIdParams,
        querystring: HistoryQuery,
        response: { 200: HistoryResponse, ...ErrorResponses },
      },
    },
    async (request) =>
      app.replication.historyOf(request.params.id, request.query.from, request.query.to),
  )
}

export default runtimeRoutes
