/**
 * Cluster routes, under `/api/v1`. Every change goes through `app.topology` (probe, loop refusal,
 * one transaction, audit row, event); a refused change stores nothing.
 *
 * - `GET /clusters`: every cluster. Every answered cluster carries its live health as `status`
 *   (`unknown` until the monitor's first probe of it, see `runtime/cluster-health.ts`).
 * - `POST /clusters`: creates one; 201 with it. 409 `CONFLICT` for a taken name or id, 422
 *   `CLUSTER_PROBE_FAILED` when an address fails the probe.
 * - `GET /clusters/:id`, `PATCH /clusters/:id` (the given fields; new addresses or TLS are
 *   probed), `DELETE /clusters/:id` (204; 409 `CONFLICT` naming its edges while it has some).
 * - `DELETE /clusters?embedded=true`: removes every embedded (demo) cluster and its edges.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import { ApiError } from '../../errors.js'
import {
  Cluster,
  ClusterCreateBody,
  ClusterList,
  ClusterPatchBody,
  IdParams,
  RemoveClustersQuery,
  RemovedResponse,
} from '../../schemas/clusters.js'
import type { ClusterRecord } from '../../repositories/clusters-repository.js'
import { ErrorResponses } from '../../schemas/common.js'
import { toClusterDto } from '../../services/topology-dto.js'
import { actorOf } from './actor.js'
import { rejectUnknownProperties } from './reject-unknown-properties.js'

const tags = ['clusters']

const clusterRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.addHook('preValidation', rejectUnknownProperties)
  /** The API body of a stored cluster, with its live health. */
  const dto = (cluster: ClusterRecord) => toClusterDto(cluster, app.clusterHealth.status(cluster))

  app.get(
    '/clusters',
    {
      schema: { summary: 'List clusters', tags, response: { 200: ClusterList, ...ErrorResponses } },
    },
    async () => ({ clusters: app.topology.clusters.list().map(dto) }),
  )

  app.post(
    '/clusters',
    {
      schema: {
        summary: 'Create a cluster (every address is probed)',
        description:
          'Every address answers GetFilerConfiguration, over mutual TLS with `tls` when given ' +
          '(plaintext h2c without). 422 CLUSTER_PROBE_FAILED names the problem, e.g. ' +
          '"TLS handshake failed: certificate signed by unknown authority", a client certificate ' +
          'the filer refuses, or a TLS filer probed without material. The private key is stored ' +
          'and never answered.',
        tags,
        body: ClusterCreateBody,
        response: { 201: Cluster, ...ErrorResponses },
      },
    },
    async (request, reply) => {
      const cluster = await app.topology.createCluster(request.body, actorOf(request))
      return reply.code(201).send(dto(cluster))
    },
  )

  app.delete(
    '/clusters',
    {
      schema: {
        summary: 'Remove every embedded (demo) cluster and its edges',
        tags,
        querystring: RemoveClustersQuery,
        response: { 200: RemovedResponse, ...ErrorResponses },
      },
    },
    async (request) => {
      if (!request.query.embedded) {
        throw new ApiError(
          400,
          'BAD_REQUEST',
          'Only embedded=true is supported here: delete other clusters one by one with ' +
            'DELETE /api/v1/clusters/<id>',
        )
      }
      return app.topology.removeEmbedded(actorOf(request))
    },
  )

  app.get(
    '/clusters/:id',
    {
      schema: {
        summary: 'Get a cluster',
        tags,
        params: IdParams,
        response: { 200: Cluster, ...ErrorResponses },
      },
    },
    async (request) => {
      const cluster = app.topology.clusters.get(request.params.id)
      if (cluster === null) {
        throw new ApiError(404, 'NOT_FOUND', `No cluster with id "${request.params.id}"`)
      }
      return dto(cluster)
    },
  )

  app.patch(
    '/clusters/:id',
    {
      schema: {
        summary: 'Change a cluster (new addresses or TLS material are probed)',
        description:
          'A change of addresses, TLS material or the filer-proxy default restarts only the edges ' +
          'with a side on this cluster. `tls` without `key` keeps the stored key; `tls: null` ' +
          'removes the material (plaintext from then on).',
        tags,
        params: IdParams,
        body: ClusterPatchBody,
        response: { 200: Cluster, ...ErrorResponses },
      },
    },
    async (request) =>
      dto(await app.topology.updateCluster(request.params.id, request.body, actorOf(request))),
  )

  app.delete(
    '/clusters/:id',
    {
      schema: {
        summary: 'Delete a cluster without edges',
        tags,
        params: IdParams,
        response: { 204: Type.Null(), ...ErrorResponses },
      },
    },
    async (request, reply) => {
      await app.topology.deleteCluster(request.params.id, actorOf(request))
      return reply.code(204).send(null)
    },
  )
}

export default clusterRoutes
