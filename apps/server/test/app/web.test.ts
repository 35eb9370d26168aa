import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it, onTestFinished } from 'vitest'
import { HASHED_ASSET_CACHE_CONTROL, isApiPath } from '../../src/plugins/web.js'
import { loggerOptions } from '../../src/server.js'
import { buildTestApp, logCapture } from '../support/app.js'

const TOKEN = 'test-token-7f3a9c1e5b2d4f6a'
const INDEX = '<!doctype html><html><body><div id="root"></div></body></html>\n'
const ASSET = 'console.log("dashboard")\n'
const HTML = { accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8' }

/** A temp folder holding `web/` (a fake Vite build, or an empty folder) and a file beside it. */
async function webDir({ built }: { built: boolean }): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), 'seasync-web-'))
  onTestFinished(() => rm(root, { recursive: true, force: true }))
  const web = join(root, 'web')
  await mkdir(join(web, 'assets'), { recursive: true })
  await writeFile(join(root, 'secret.txt'), 'outside the web dir')
  await writeFile(join(web, '.env'), 'SECRET=1')
  if (built) {
    await writeFile(join(web, 'index.html'), INDEX)
    await writeFile(join(web, 'assets', 'index-B4x9Qz1c.js'), ASSET)
    await writeFile(join(web, 'favicon.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>')
  }
  return web
}

describe('the dashboard, built', () => {
  it('serves index.html at / without caching it', async () => {
    const app = buildTestApp({ webDir: await webDir({ built: true }) })
    const response = await app.inject({ url: '/', headers: HTML })
    expect(response.statusCode).toBe(200)
    expect(response.headers['content-type']).toMatch(/^text\/html/)
    expect(response.headers['cache-control']).toBe('no-cache')
    expect(response.headers.etag).toBeDefined()
    expect(response.body).toBe(INDEX)
    // Without an Accept header too (curl, a health probe).
    expect((await app.inject({ url: '/' })).body).toBe(INDEX)
    expect((await app.inject({ method: 'HEAD', url: '/' })).statusCode).toBe(200)
  })

  it('serves hashed assets as immutable for a year, other files revalidated', async () => {
    const app = buildTestApp({ webDir: await webDir({ built: true }) })
    const asset = await app.inject({ url: '/assets/index-B4x9Qz1c.js' })
    expect(asset.statusCode).toBe(200)
    expect(asset.headers['content-type']).toMatch(/javascript/)
    expect(asset.headers['cache-control']).toBe(HASHED_ASSET_CACHE_CONTROL)
    expect(asset.body).toBe(ASSET)
    const icon = await app.inject({ url: '/favicon.svg' })
    expect(icon.statusCode).toBe(200)
    expect(icon.headers['cache-control']).toBe('no-cache')
    const again = await app.inject({
      url: '/',
      headers: { 'if-none-match': (await app.inject({ url: '/' })).headers.etag as string },
    })
    expect(again.statusCode).toBe(304)
  })

  it('answers deep links that accept HTML with index.html, so the app routes them', async () => {
    const app = buildTestApp({ webDir: await webDir({ built: true }) })
    for (const url of ['/edges/demo-a-demo-b', '/clusters?selected=a', '/index.html']) {
      const response = await app.inject({ url, headers: HTML })
      expect(response.statusCode, url).toBe(200)
      expect(response.body, url).toBe(INDEX)
      expect(response.headers['cache-control'], url).toBe('no-cache')
    }
  })

  it('keeps the JSON 404 for missing assets and for every API path, HTML or not', async () => {
    const app = buildTestApp({ webDir: await webDir({ built: true }) })
    const missing = await app.inject({ url: '/assets/gone-123.js', headers: { accept: '*/*' } })
    expect(missing.statusCode).toBe(404)
    expect(missing.json()).toEqual({
      error: { code: 'NOT_FOUND', message: 'No route GET /assets/gone-123.js' },
    })
    for (const url of ['/api/v1/nope', '/api', '/API/v1/x', '//api/v1/x', '/metrics/x']) {
      const response = await app.inject({ url, headers: HTML })
      expect(response.statusCode, url).toBe(404)
      expect(response.headers['content-type'], url).toMatch(/^application\/json/)
      expect(response.json<{ error: { code: string } }>().error.code, url).toBe('NOT_FOUND')
    }
    // Other methods are not the dashboard's.
    const post = await app.inject({ method: 'POST', url: '/edges', headers: HTML })
    expect(post.statusCode).toBe(404)
    expect(post.json<{ error: { code: string } }>().error.code).toBe('NOT_FOUND')
  })

  it('serves nothing outside the directory and no dot-files', async () => {
    const app = buildTestApp({ webDir: await webDir({ built: true }) })
    for (const url of ['/../secret.txt', '/%2e%2e/secret.txt', '/assets/..%2f..%2fsecret.txt']) {
      const response = await app.inject({ url })
      expect(response.body, url).not.toContain('outside the web dir')
    }
    const dotfile = await app.inject({ url: '/.env' })
    expect(dotfile.statusCode).toBe(404)
    expect(dotfile.body).not.toContain('SECRET')
  })

  it('needs no token for the files, while the API keeps its auth', async () => {
    const app = buildTestApp({ apiToken: TOKEN, webDir: await webDir({ built: true }) })
    expect((await app.inject({ url: '/', headers: HTML })).statusCode).toBe(200)
    expect((await app.inject({ url: '/edges/x', headers: HTML })).statusCode).toBe(200)
    expect((await app.inject({ url: '/assets/index-B4x9Qz1c.js' })).statusCode).toBe(200)
    expect((await app.inject({ url: '/api/v1/clusters', headers: HTML })).statusCode).toBe(401)
    expect((await app.inject({ url: '/api/v1/nope', headers: HTML })).statusCode).toBe(401)
  })

  it('stays out of the OpenAPI document', async () => {
    const app = buildTestApp({ webDir: await webDir({ built: true }) })
    const doc = (await app.inject({ url: '/api/v1/openapi.json' })).json<{
      paths: Record<string, unknown>
    }>()
    const paths = Object.keys(doc.paths)
    expect(paths).toContain('/api/v1/status')
    expect(paths.filter((path) => !path.startsWith('/api/v1/') && path !== '/metrics')).toEqual([])
  })
})

describe('the dashboard, not built', () => {
  it('starts anyway, logs it once and says at / how to build it', async () => {
    const log = logCapture()
    const dir = await webDir({ built: false })
    const app = buildTestApp(
      { webDir: dir },
      { server: { logger: loggerOptions('info', log.write) } },
    )
    await app.ready()
    const page = await app.inject({ url: '/', headers: HTML })
    expect(page.statusCode).toBe(503)
    expect(page.headers['content-type']).toMatch(/^text\/html/)
    expect(page.body).toContain('pnpm build')
    const json = await app.inject({ url: '/' })
    expect(json.statusCode).toBe(503)
    expect(json.json<{ error: { code: string; message: string } }>().error).toMatchObject({
      code: 'DASHBOARD_NOT_BUILT',
      message: expect.stringContaining('pnpm build') as string,
    })
    await app.inject({ url: '/edges/x', headers: HTML })
    expect(log.text().split('dashboard not built').length - 1).toBe(1)
    // The API is unaffected.
    expect((await app.inject({ url: '/api/v1/health' })).statusCode).toBe(200)

    // Building while the server runs is enough.
    await writeFile(join(dir, 'index.html'), INDEX)
    const built = await app.inject({ url: '/', headers: HTML })
    expect(built.statusCode).toBe(200)
    expect(built.body).toBe(INDEX)
  })

  it('starts when the directory does not exist at all', async () => {
    const app = buildTestApp({ webDir: join(tmpdir(), 'seasync-web-never-created-7c1d') })
    expect((await app.inject({ url: '/', headers: HTML })).statusCode).toBe(503)
  })
})

describe('isApiPath', () => {
  it.each([
    ['/api', true],
    ['/api/v1/status', true],
    ['//API/v1', true],
    ['/metrics', true],
    ['/metrics/', true],
    ['/', false],
    ['/apis', false],
    ['/metrics.html', false],
    ['/edges/api', false],
  ])('%s: %s', (path, expected) => {
    expect(isApiPath(path)).toBe(expected)
  })
})
