/**
 * Topology routes, under `/api/v1`:
 *
 * - `GET /topology`: every cluster and edge; clusters carry their live health as `status`, which
 *   `PUT` accepts and ignores (read-only), so a fetched topology can be sent back unchanged.
 * - `PUT /topology`: makes the stored topology the given document (JSON or YAML), validated as one change
 *   and stored as a diff; answers the new topology and the plan (only changed edges restart).
 * - `POST /topology/validate`: the dry run of a whole document or of lists of cluster and edge
 *   changes; answers `{ valid, plan, loop?, description?, error? }` and stores nothing.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { parse as parseYaml } from 'yaml'
import type { ClusterHealthMonitor } from '../../runtime/cluster-health.js'
import { ErrorResponses } from '../../schemas/common.js'
import {
  TopologyApplyResponse,
  TopologyDocument,
  TopologyGraph,
  ValidateRequest,
  ValidateResponse,
} from '../../schemas/topology.js'
import type { TopologyService } from '../../services/topology-service.js'
import { toClusterDto, toEdgeDto } from '../../services/topology-dto.js'
import { actorOf } from './actor.js'
import { rejectUnknownProperties } from './reject-unknown-properties.js'

const tags = ['topology']
const YAML_TYPES = ['application/yaml', 'application/x-yaml', 'text/yaml']

function graph(topology: TopologyService, health: ClusterHealthMonitor): TopologyGraph {
  const { clusters, edges } = topology.state()
  return {
    clusters: clusters.map((cluster) => toClusterDto(cluster, health.status(cluster))),
    edges: edges.map(toEdgeDto),
  }
}

const topologyRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.addHook('preValidation', rejectUnknownProperties)
  // A declarative topology is often kept as YAML in a repository: accept it as well as JSON.
  app.addContentTypeParser(YAML_TYPES, { parseAs: 'string' }, (_request, body, done) => {
    try {
      done(null, parseYaml(body as string) as unknown)
    } catch (err) {
      const reason = err instanceof Error ? err.message.split('\n')[0] : String(err)
      done(Object.assign(new Error(`Invalid YAML: ${reason}`), { statusCode: 400 }), undefined)
    }
  })

  app.get(
    '/topology',
    {
      schema: {
        summary: 'The whole topology: clusters and edges',
        tags,
        response: { 200: TopologyGraph, ...ErrorResponses },
      },
    },
    async () => graph(app.topology, app.clusterHealth),
  )

  app.put(
    '/topology',
    {
      schema: {
        summary: 'Apply a whole declarative topology as one change',
        tags,
        body: TopologyDocument,
        response: { 200: TopologyApplyResponse, ...ErrorResponses },
      },
    },
    async (request) => {
      const plan = await app.topology.replaceTopology(request.body, actorOf(request))
      return { topology: graph(app.topology, app.clusterHealth), plan }
    },
  )

  app.post(
    '/topology/validate',
    {
      schema: {
        summary: 'Dry-run a change: validity, the loop if any, and the plan',
        tags,
        body: ValidateRequest,
        response: { 200: ValidateResponse, ...ErrorResponses },
      },
    },
    async (request) => app.topology.validate(request.body),
  )
}

export default topologyRoutes
