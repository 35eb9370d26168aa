/**
 * `GET /api/v1/openapi.json`: the OpenAPI document @fastify/swagger builds from every route's
 * schemas. Behind the token like the rest of the API; hidden from the document itself.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import { ErrorResponses } from '../schemas/common.js'

const openapiRoute: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/openapi.json',
    {
      schema: {
        hide: true,
        response: {
          200: Type.Object({ openapi: Type.String() }, { additionalProperties: true }),
          ...ErrorResponses,
        },
      },
    },
    async () => app.swagger() as { openapi: string },
  )
}

export default openapiRoute
