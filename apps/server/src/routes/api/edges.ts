/**
 * Edge routes, under `/api/v1`. Every change goes through `app.topology` (loop refusal, one
 * transaction, audit row, event); a refused change stores nothing.
 *
 * - `GET /edges[?cluster=<id>]`: every edge, or those with a side on one cluster.
 * - `POST /edges`: creates one; 201 with it. 409 `TOPOLOGY_LOOP` with the loop when it would
 *   close one, 409 `CONFLICT` for a taken id, 400 for an unknown cluster or bad paths.
 * - `GET /edges/:id`, `PATCH /edges/:id` (the given fields; `options` replaces the whole object),
 *   `DELETE /edges/:id` (204).
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import { ApiError } from '../../errors.js'
import { IdParams } from '../../schemas/clusters.js'
import { ErrorResponses } from '../../schemas/common.js'
import {
  Edge,
  EdgeCreateBody,
  EdgeList,
  EdgeListQuery,
  EdgePatchBody,
} from '../../schemas/edges.js'
import { toEdgeDto } from '../../services/topology-dto.js'
import { actorOf } from './actor.js'
import { rejectUnknownProperties } from './reject-unknown-properties.js'

const tags = ['edges']

const edgeRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.addHook('preValidation', rejectUnknownProperties)

  app.get(
    '/edges',
    {
      schema: {
        summary: 'List edges',
        tags,
        querystring: EdgeListQuery,
        response: { 200: EdgeList, ...ErrorResponses },
      },
    },
    async (request) => {
      const { cluster } = request.query
      const edges =
        cluster === undefined
          ? app.topology.edges.list()
          : app.topology.edges.listByCluster(cluster)
      return { edges: edges.map(toEdgeDto) }
    },
  )

  app.post(
    '/edges',
    {
      schema: {
        summary: 'Create an edge (refused when it would close a loop)',
        tags,
        body: EdgeCreateBody,
        response: { 201: Edge, ...ErrorResponses },
      },
    },
    async (request, reply) => {
      const edge = await app.topology.createEdge(request.body, actorOf(request))
      return reply.code(201).send(toEdgeDto(edge))
    },
  )

  app.get(
    '/edges/:id',
    {
      schema: {
        summary: 'Get an edge',
        tags,
        params: IdParams,
        response: { 200: Edge, ...ErrorResponses },
      },
    },
    async (request) => {
      const edge = app.topology.edges.get(request.params.id)
      if (edge === null)
        throw new ApiError(404, 'NOT_FOUND', `No edge with id "${request.params.id}"`)
      return toEdgeDto(edge)
    },
  )

  app.patch(
    '/edges/:id',
    {
      schema: {
        summary: 'Change an edge (refused when it would close a loop)',
        tags,
        params: IdParams,
        body: EdgePatchBody,
        response: { 200: Edge, ...ErrorResponses },
      },
    },
    async (request) =>
      toEdgeDto(await app.topology.updateEdge(request.params.id, request.body, actorOf(request))),
  )

  app.delete(
    '/edges/:id',
    {
      schema: {
        summary: 'Delete an edge',
        tags,
        params: IdParams,
        response: { 204: Type.Null(), ...ErrorResponses },
      },
    },
    async (request, reply) => {
      await app.topology.deleteEdge(request.params.id, actorOf(request))
      return reply.code(204).send(null)
    },
  )
}

export default edgeRoutes
