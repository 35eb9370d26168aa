import { describe, expect, it } from 'vitest'
import type { SeaSyncApp } from '../../src/app.js'
import { loggerOptions } from '../../src/server.js'
import { buildTestApp, logCapture } from '../support/app.js'

const TOKEN = 'test-token-7f3a9c1e5b2d4f6a'

/** A route outside the API, registered before the app is ready (`/metrics` is the app's own). */
function withExtraRoutes(app: SeaSyncApp): SeaSyncApp {
  app.get('/outside', async () => ({ ok: true }))
  return app
}

const bearer = (token: string) => ({ authorization: `Bearer ${token}` })

describe('without an API token', () => {
  it('leaves every route open', async () => {
    const app = withExtraRoutes(buildTestApp())
    for (const url of ['/api/v1/health', '/api/v1/openapi.json', '/metrics']) {
      const response = await app.inject({ url })
      expect(response.statusCode, url).toBe(200)
    }
  })
})

describe('with an API token', () => {
  it('refuses API requests without the header: 401 UNAUTHORIZED with a challenge', async () => {
    const app = buildTestApp({ apiToken: TOKEN })
    const response = await app.inject({ url: '/api/v1/health' })
    expect(response.statusCode).toBe(401)
    expect(response.headers['www-authenticate']).toBe('Bearer realm="seasync"')
    expect(response.json()).toEqual({
      error: {
        code: 'UNAUTHORIZED',
        message: 'This server requires an API token: send Authorization: Bearer <token>',
      },
    })
  })

  it.each([
    ['a wrong token', bearer('not-the-token-at-all')],
    ['a prefix of the token', bearer(TOKEN.slice(0, -1))],
    ['the token and more', bearer(`${TOKEN}x`)],
    ['another scheme', { authorization: `Basic ${TOKEN}` }],
    ['no scheme', { authorization: TOKEN }],
    ['an empty header', { authorization: '' }],
  ])('refuses %s', async (_name, headers) => {
    const app = buildTestApp({ apiToken: TOKEN })
    const response = await app.inject({ url: '/api/v1/health', headers })
    expect(response.statusCode).toBe(401)
    expect(response.json<{ error: { code: string } }>().error.code).toBe('UNAUTHORIZED')
  })

  it('accepts the token, the scheme in any case', async () => {
    const app = buildTestApp({ apiToken: TOKEN })
    for (const authorization of [`Bearer ${TOKEN}`, `bearer ${TOKEN}`, `BEARER  ${TOKEN} `]) {
      const response = await app.inject({ url: '/api/v1/health', headers: { authorization } })
      expect(response.statusCode, authorization).toBe(200)
      expect(response.json()).toEqual({ status: 'ok', checks: { db: 'ok' } })
    }
  })

  it('guards the OpenAPI document, /metrics and unknown API routes, but not liveness', async () => {
    const app = withExtraRoutes(buildTestApp({ apiToken: TOKEN }))
    for (const url of [
      '/api/v1/openapi.json',
      '/metrics',
      '/api/v1/no-such-route',
      // Unknown API paths that only the dashboard's catch-all route matches.
      '/API/v1/no-such-route',
      '//api/v1/health',
      '/metrics/x',
    ]) {
      expect((await app.inject({ url })).statusCode, url).toBe(401)
    }
    // Any other method on an unknown path matches no route at all.
    expect((await app.inject({ method: 'POST', url: '/nowhere' })).statusCode).toBe(401)
    expect(
      (await app.inject({ url: '/api/v1/no-such-route', headers: bearer(TOKEN) })).statusCode,
    ).toBe(404)
    expect((await app.inject({ url: '/metrics', headers: bearer(TOKEN) })).statusCode).toBe(200)
    expect((await app.inject({ url: '/api/v1/health/live' })).statusCode).toBe(200)
    // Not part of the API (the dashboard's files, plugins/web.ts) and not secret.
    expect((await app.inject({ url: '/outside' })).statusCode).toBe(200)
    expect((await app.inject({ url: '/nowhere' })).statusCode).not.toBe(401)
  })

  it('guards a route however its path is spelled', async () => {
    const app = buildTestApp({ apiToken: TOKEN })
    for (const url of ['/%61pi/v1/health', '/api/v1/health?x=/health/live', '/api/v1/health/']) {
      expect((await app.inject({ url })).statusCode, url).toBe(401)
    }
  })

  it('never writes the token (right or wrong) to the log', async () => {
    const log = logCapture()
    const wrong = 'wrong-token-5e8d2c7b9a1f3e6d'
    const app = withExtraRoutes(
      buildTestApp({ apiToken: TOKEN }, { server: { logger: loggerOptions('trace', log.write) } }),
    )
    // A route that logs its request's headers, as a careless future route might.
    app.get('/api/v1/test/headers', async (request) => {
      request.log.info({ headers: request.headers }, 'headers')
      request.log.info({ req: { headers: request.headers } }, 'request headers')
      return { ok: true }
    })
    for (const headers of [{}, bearer(wrong), bearer(TOKEN), { authorization: TOKEN }]) {
      for (const url of ['/api/v1/health', '/api/v1/test/headers', '/metrics', '/api/v1/nope']) {
        await app.inject({ url, headers })
      }
    }
    await app.close()
    const text = log.text()
    expect(text).toContain('request refused')
    expect(text).toContain('[redacted]')
    expect(text).not.toContain(TOKEN)
    expect(text).not.toContain(wrong)
  })
})
