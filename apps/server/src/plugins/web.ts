/**
 * The `web` plugin: the dashboard (apps/web's Vite build, `config.webDir`) at `/`, as a
 * single-page app.
 *
 * One catch-all route, `GET /*` (and HEAD), hidden from the OpenAPI document, answers every path
 * no other route matches:
 *
 * - an API path (`/api…`, `/metrics…`, however spelled): the JSON 404 of the error handler, as
 *   without this plugin (and, with a token, the auth hook has already asked for it);
 * - a file of the build: the file; `assets/*` (Vite's content-hashed names) cached for a year as
 *   immutable, everything else (`index.html`, `favicon.svg`) `no-cache`, i.e. revalidated by ETag;
 * - `/`, and any other path whose request accepts HTML (a deep link, a reload): `index.html`, so
 *   the app's own router decides; a missing asset (`Accept: *∕*`) stays a 404.
 *
 * The files need no token even when the API has one: the page must load to ask for it.
 *
 * Without `index.html` (the dashboard not built yet) the server still starts: it logs one warning
 * and `/` answers 503 saying how to build it. Each request looks again, so running the build while
 * the server runs is enough.
 */
import { existsSync } from 'node:fs'
import { stat } from 'node:fs/promises'
import { join, resolve, sep } from 'node:path'
import fastifyStatic from '@fastify/static'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import { ApiErrorCodes } from '../errors.js'
import { errorBody } from './error-handler.js'

export interface WebPluginOptions {
  /** Absolute directory of the built dashboard. */
  readonly root: string
}

/** The catch-all route's URL; `plugins/auth.ts` looks at the path it matched. */
export const WEB_ROUTE_URL = '/*'

/** Vite's output folder of content-hashed files: their content never changes under a name. */
const HASHED_DIR = 'assets/'

/** `Cache-Control` of hashed assets: a year, and no revalidation even on reload. */
export const HASHED_ASSET_CACHE_CONTROL = 'public, max-age=31536000, immutable'

/** `Cache-Control` of `index.html` and unhashed files: always revalidate (ETag, Last-Modified). */
export const UNHASHED_CACHE_CONTROL = 'no-cache'

/** What to run to build the dashboard, as the not-built answer and the log say. */
export const BUILD_HINT = 'pnpm build'

/**
 * Whether `path` (decoded, e.g. `/api/v1/x`) belongs to the API rather than the dashboard: its
 * first segment is `api` or `metrics`, in any case and after any run of slashes.
 */
export function isApiPath(path: string): boolean {
  const first = path
    .split('/')
    .find((segment) => segment !== '')
    ?.toLowerCase()
  return first === 'api' || first === 'metrics'
}

/** The decoded path the catch-all route matched, e.g. `/edges/a-b`. */
export function catchAllPath(request: FastifyRequest): string {
  const params = request.params as Readonly<Record<string, string | undefined>>
  return `/${params['*'] ?? ''}`
}

/**
 * The path of a regular file of the build that `urlPath` names, relative to `root` with `/`
 * separators, else undefined: nothing outside `root`, no dot-files, no directories.
 */
async function buildFile(root: string, urlPath: string): Promise<string | undefined> {
  const segments = urlPath.split('/').filter((segment) => segment !== '')
  if (segments.length === 0) return undefined
  if (segments.some((segment) => segment.startsWith('.') || segment.includes('\0'))) {
    return undefined
  }
  const file = resolve(root, ...segments)
  if (!file.startsWith(root + sep)) return undefined
  try {
    return (await stat(file)).isFile() ? segments.join('/') : undefined
  } catch {
    return undefined
  }
}

function acceptsHtml(request: FastifyRequest): boolean {
  return request.headers.accept?.includes('text/html') === true
}

async function webPlugin(app: FastifyInstance, { root }: WebPluginOptions): Promise<void> {
  const indexFile = join(root, 'index.html')
  if (!existsSync(indexFile)) {
    app.log.warn(
      { webDir: root },
      `dashboard not built: no index.html in ${root}; run \`${BUILD_HINT}\` in the repository` +
        ' (the API works without it)',
    )
  }

  // Only `reply.sendFile` (ETag, Last-Modified, Range, streaming): the routing is ours.
  // No `root` here: @fastify/static would warn when it does not exist yet; each call passes it.
  await app.register(fastifyStatic, { serve: false })

  const sendFile = (reply: FastifyReply, file: string): FastifyReply => {
    if (file.startsWith(HASHED_DIR)) {
      // `send` writes exactly HASHED_ASSET_CACHE_CONTROL from these options.
      return reply.sendFile(file, root, { maxAge: 31_536_000_000, immutable: true })
    }
    void reply.header('cache-control', UNHASHED_CACHE_CONTROL)
    return reply.sendFile(file, root, { cacheControl: false })
  }

  const sendIndex = (request: FastifyRequest, reply: FastifyReply): FastifyReply => {
    if (existsSync(indexFile)) return sendFile(reply, 'index.html')
    const message =
      `The SeaSync dashboard is not built: ${indexFile} is missing. Run \`${BUILD_HINT}\` in the` +
      ' repository (or set SEASYNC_WEB_DIR to a built dashboard), then reload. The API is at' +
      ' /api/v1.'
    void reply.code(503).header('cache-control', UNHASHED_CACHE_CONTROL)
    if (!acceptsHtml(request))
      return reply.send(errorBody(ApiErrorCodes.DASHBOARD_NOT_BUILT, message))
    return reply.type('text/html; charset=utf-8').send(notBuiltPage(indexFile))
  }

  app.route({
    method: 'GET',
    url: WEB_ROUTE_URL,
    schema: { hide: true },
    handler: async (request, reply) => {
      const path = catchAllPath(request)
      if (isApiPath(path)) return reply.callNotFound()
      const file = await buildFile(root, path)
      if (file !== undefined && file !== 'index.html') return sendFile(reply, file)
      if (file === 'index.html' || path === '/' || acceptsHtml(request)) {
        return sendIndex(request, reply)
      }
      return reply.callNotFound()
    },
  })
}

function notBuiltPage(indexFile: string): string {
  const escaped = indexFile.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`)
  return `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>SeaSync: dashboard not built</title></head>
<body>
<h1>SeaSync</h1>
<p>The dashboard is not built: <code>${escaped}</code> is missing.</p>
<p>Run <code>${BUILD_HINT}</code> in the repository (or set <code>SEASYNC_WEB_DIR</code> to a
built dashboard), then reload this page. The API works meanwhile: <a href="/api/v1/status">/api/v1/status</a>.</p>
</body>
</html>
`
}

export default fp(webPlugin, { name: 'web', fastify: '5.x', dependencies: ['error-handler'] })
