/**
 * The `auth` plugin: with an API token configured, every request to the API (`/api/…`), the event
 * stream under it and `/metrics` needs `Authorization: Bearer <token>`, else 401 `UNAUTHORIZED`.
 * Without a token (allowed on loopback only, see `config.ts`) everything is open.
 *
 * What is open even with a token: routes that set `config: { public: true }`, today only the
 * liveness probe `GET /api/v1/health/live`, which says nothing but "the process answers" (so a
 * supervisor needs no secret), and the dashboard's files (`plugins/web.ts`): the page must load to
 * ask for the token. Requests that match no route are checked too, and so are API paths that only
 * the dashboard's catch-all route matched, so that 401 versus 404 does not reveal which API routes
 * exist.
 *
 * The check is on the matched route, not the raw URL, so no spelling of a path (`/%61pi/…`)
 * slips past. The comparison is constant-time over SHA-256 digests (equal lengths whatever the
 * given token's length), and the token is never logged: the log says only why a request failed.
 */
import { createHash, timingSafeEqual } from 'node:crypto'
import type { FastifyInstance, FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import { ApiError } from '../errors.js'
import { WEB_ROUTE_URL, catchAllPath, isApiPath } from './web.js'

declare module 'fastify' {
  interface FastifyContextConfig {
    /** `true`: no token needed for this route even when one is configured. */
    public?: boolean
  }
}

export interface AuthPluginOptions {
  /** The bearer token; `undefined` turns the check off. */
  readonly apiToken: string | undefined
}

const BEARER = /^Bearer[ \t]+([^\s]+)[ \t]*$/i

/** Whether the route `request` matched (or, matching none, the request itself) needs the token. */
export function requiresToken(request: FastifyRequest): boolean {
  if (request.routeOptions.config.public === true) return false
  if (request.is404) return true
  const route = request.routeOptions.url ?? ''
  // The catch-all matches any path no other route does: there the (decoded) path decides.
  if (route === WEB_ROUTE_URL) return isApiPath(catchAllPath(request))
  return route === '/api' || route.startsWith('/api/') || route === '/metrics'
}

async function authPlugin(app: FastifyInstance, { apiToken }: AuthPluginOptions): Promise<void> {
  if (apiToken === undefined) return
  const expected = digest(apiToken)
  app.addHook('onRequest', async (request, reply) => {
    if (!requiresToken(request)) return
    const header = request.headers.authorization
    const given = header === undefined ? undefined : BEARER.exec(header)?.[1]
    if (given !== undefined && timingSafeEqual(digest(given), expected)) return
    void reply.header('www-authenticate', 'Bearer realm="seasync"')
    throw new ApiError(
      401,
      'UNAUTHORIZED',
      header === undefined
        ? 'This server requires an API token: send Authorization: Bearer <token>'
        : given === undefined
          ? 'The Authorization header must be: Bearer <token>'
          : 'The API token is not valid',
    )
  })
}

function digest(token: string): Buffer {
  return createHash('sha256').update(token, 'utf8').digest()
}

export default fp(authPlugin, { name: 'auth', fastify: '5.x' })
