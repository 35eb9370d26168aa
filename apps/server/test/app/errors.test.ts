import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import { describe, expect, it } from 'vitest'
import { ApiError } from '../../src/errors.js'
import { ErrorResponses } from '../../src/schemas/common.js'
import type { SeaSyncApp } from '../../src/app.js'
import { loggerOptions } from '../../src/server.js'
import { buildTestApp, logCapture } from '../support/app.js'

/** Test-only routes under /api/v1/test. */
const testRoutes: FastifyPluginAsyncTypebox = async (api) => {
  api.post(
    '/test/clusters',
    {
      schema: {
        body: Type.Object({
          name: Type.String({ minLength: 1 }),
          port: Type.Optional(Type.Integer({ minimum: 1, maximum: 65535 })),
        }),
        response: { 201: Type.Object({ name: Type.String() }), ...ErrorResponses },
      },
    },
    async (request, reply) => reply.code(201).send({ name: request.body.name }),
  )
  api.get('/test/conflict', async () => {
    throw new ApiError(409, 'NAME_TAKEN', 'A cluster named "a" exists', { name: 'a' })
  })
  api.get('/test/crash', async () => {
    throw new Error('SQLITE_CORRUPT at /var/lib/secret/path')
  })
  api.get('/test/unavailable', async () => {
    throw new ApiError(503, 'UNAVAILABLE', 'replicator pool drained: internal detail')
  })
}

/** The app with {@link testRoutes}, registered before it is ready. */
function withTestRoutes(app: SeaSyncApp): SeaSyncApp {
  void app.register(testRoutes, { prefix: '/api/v1' })
  return app
}

describe('error handling', () => {
  it('answers an unknown /api route with 404 in the error shape', async () => {
    const app = buildTestApp()
    const response = await app.inject({ method: 'GET', url: '/api/v1/nope?x=1' })
    expect(response.statusCode).toBe(404)
    expect(response.headers['content-type']).toMatch(/^application\/json/)
    expect(response.json()).toEqual({
      error: { code: 'NOT_FOUND', message: 'No route GET /api/v1/nope' },
    })
  })

  it('answers a body that fails its schema with 400 naming the field', async () => {
    const app = withTestRoutes(buildTestApp())
    const missing = await app.inject({ method: 'POST', url: '/api/v1/test/clusters', payload: {} })
    expect(missing.statusCode).toBe(400)
    expect(missing.json()).toEqual({
      error: {
        code: 'VALIDATION_FAILED',
        message: 'Invalid request: body/name is required',
        details: { issues: [{ field: 'body/name', message: 'is required' }] },
      },
    })
    const wrong = await app.inject({
      method: 'POST',
      url: '/api/v1/test/clusters',
      payload: { name: 'a', port: 70000 },
    })
    expect(wrong.statusCode).toBe(400)
    expect(wrong.json<{ error: { message: string } }>().error.message).toBe(
      'Invalid request: body/port must be <= 65535',
    )
    const ok = await app.inject({
      method: 'POST',
      url: '/api/v1/test/clusters',
      payload: { name: 'a' },
    })
    expect(ok.statusCode).toBe(201)
    expect(ok.json()).toEqual({ name: 'a' })
  })

  it('answers malformed JSON and a wrong content type with 4xx and the reason', async () => {
    const app = withTestRoutes(buildTestApp())
    const badJson = await app.inject({
      method: 'POST',
      url: '/api/v1/test/clusters',
      headers: { 'content-type': 'application/json' },
      payload: '{"name":',
    })
    expect(badJson.statusCode).toBe(400)
    expect(badJson.json()).toEqual({
      error: {
        code: 'BAD_REQUEST',
        message: "Body is not valid JSON but content-type is set to 'application/json'",
      },
    })
    const text = await app.inject({
      method: 'POST',
      url: '/api/v1/test/clusters',
      headers: { 'content-type': 'text/csv' },
      payload: 'name\na',
    })
    expect(text.statusCode).toBe(415)
    expect(text.json<{ error: { code: string; message: string } }>().error).toMatchObject({
      code: 'UNSUPPORTED_MEDIA_TYPE',
      message: 'Content-Type "text/csv" is not accepted: send application/json',
    })
  })

  it('sends an ApiError with its status, code, message and details', async () => {
    const app = withTestRoutes(buildTestApp())
    const response = await app.inject({ method: 'GET', url: '/api/v1/test/conflict' })
    expect(response.statusCode).toBe(409)
    expect(response.json()).toEqual({
      error: { code: 'NAME_TAKEN', message: 'A cluster named "a" exists', details: { name: 'a' } },
    })
  })

  it('hides the message of 5xx errors from the client and logs it', async () => {
    const log = logCapture()
    const app = withTestRoutes(
      buildTestApp({}, { server: { logger: loggerOptions('info', log.write) } }),
    )
    const crash = await app.inject({ method: 'GET', url: '/api/v1/test/crash' })
    expect(crash.statusCode).toBe(500)
    expect(crash.json()).toEqual({ error: { code: 'INTERNAL', message: 'Internal server error' } })
    const unavailable = await app.inject({ method: 'GET', url: '/api/v1/test/unavailable' })
    expect(unavailable.statusCode).toBe(503)
    expect(unavailable.json()).toEqual({
      error: { code: 'UNAVAILABLE', message: 'Service unavailable' },
    })
    expect(log.text()).toContain('SQLITE_CORRUPT at /var/lib/secret/path')
    expect(log.text()).toContain('replicator pool drained: internal detail')
  })

  it('answers a malformed URL in the error shape', async () => {
    const app = buildTestApp()
    const response = await app.inject({ method: 'GET', url: '/api/v1/%E0%A4%A' })
    expect(response.statusCode).toBe(400)
    expect(response.json<{ error: { code: string } }>().error.code).toBe('BAD_REQUEST')
  })
})
