/**
 * Health routes, under `/api/v1`:
 *
 * - `GET /health/live` (liveness): 200 while the process serves HTTP. Open even with a token
 *   (`config.public`): it reveals nothing, and probes should not need a secret.
 * - `GET /health` (readiness): 200 `{ status: 'ok', checks }` when every check passes, else 503
 *   `NOT_READY` with `details.checks` naming the failing one (the cause goes to the log only).
 *   Checks today: `db` (a query on the state database).
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { ErrorResponse, ErrorResponses } from '../schemas/common.js'
import { LivenessResponse, ReadinessResponse } from '../schemas/health.js'
import { errorBody } from '../plugins/error-handler.js'

const healthRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/health/live',
    {
      config: { public: true },
      schema: {
        summary: 'Liveness: the process answers',
        tags: ['health'],
        security: [],
        response: { 200: LivenessResponse, ...ErrorResponses },
      },
    },
    async () => ({ status: 'ok' as const }),
  )

  app.get(
    '/health',
    {
      schema: {
        summary: 'Readiness: the state database answers',
        tags: ['health'],
        response: { 200: ReadinessResponse, 503: ErrorResponse, ...ErrorResponses },
      },
    },
    async (request, reply) => {
      try {
        app.db.prepare('SELECT 1').get()
      } catch (error) {
        request.log.error({ err: error, check: 'db' }, 'readiness check failed')
        return reply
          .code(503)
          .send(
            errorBody('NOT_READY', 'Not ready: the db check failed', { checks: { db: 'failed' } }),
          )
      }
      return { status: 'ok' as const, checks: { db: 'ok' as const } }
    },
  )
}

export default healthRoutes
