import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it, onTestFinished } from 'vitest'
import { buildApp } from '../../src/app.js'
import { buildTestApp, testConfig } from '../support/app.js'

describe('health routes', () => {
  it('GET /api/v1/health/live answers ok', async () => {
    const app = buildTestApp()
    const response = await app.inject({ method: 'GET', url: '/api/v1/health/live' })
    expect(response.statusCode).toBe(200)
    expect(response.json()).toEqual({ status: 'ok' })
  })

  it('GET /api/v1/health is ready when the database answers', async () => {
    const app = buildTestApp()
    const response = await app.inject({ method: 'GET', url: '/api/v1/health' })
    expect(response.statusCode).toBe(200)
    expect(response.headers['content-type']).toMatch(/^application\/json/)
    expect(response.json()).toEqual({ status: 'ok', checks: { db: 'ok' } })
  })

  it('GET /api/v1/health is 503 naming the failed check when the database does not answer', async () => {
    const app = buildTestApp()
    await app.ready()
    app.db.close()
    const response = await app.inject({ method: 'GET', url: '/api/v1/health' })
    expect(response.statusCode).toBe(503)
    expect(response.json()).toEqual({
      error: {
        code: 'NOT_READY',
        message: 'Not ready: the db check failed',
        details: { checks: { db: 'failed' } },
      },
    })
  })

  it('opens <dataDir>/seasync.db, creating the directory', async () => {
    const root = await mkdtemp(join(tmpdir(), 'seasync-health-'))
    onTestFinished(() => rm(root, { recursive: true, force: true }))
    const dataDir = join(root, 'nested', 'data')
    const app = buildApp(testConfig({ dataDir }))
    onTestFinished(() => app.close())
    const response = await app.inject({ method: 'GET', url: '/api/v1/health' })
    expect(response.statusCode).toBe(200)
    expect(app.db.name).toBe(join(dataDir, 'seasync.db'))
    expect(app.db.pragma('journal_mode', { simple: true })).toBe('wal')
  })
})

describe('OpenAPI document', () => {
  it('is served at /api/v1/openapi.json with every route and the error shape', async () => {
    const app = buildTestApp()
    const response = await app.inject({ method: 'GET', url: '/api/v1/openapi.json' })
    expect(response.statusCode).toBe(200)
    const doc = response.json<{
      openapi: string
      paths: Record<string, Record<string, { responses: Record<string, unknown> }>>
    }>()
    expect(doc.openapi).toBe('3.1.0')
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining(['/api/v1/health', '/api/v1/health/live']),
    )
    const health = doc.paths['/api/v1/health']!.get!
    expect(Object.keys(health.responses).sort()).toEqual(['200', '4XX', '503', '5XX'])
    expect(JSON.stringify(health.responses['503'])).toContain('"required":["code","message"]')
  })

  it('declares bearer security only when a token is configured', async () => {
    const open = await buildTestApp().inject({ url: '/api/v1/openapi.json' })
    expect(open.json<{ security: unknown }>().security).toEqual([])
    const token = 'openapi-token-0123456789'
    const guarded = await buildTestApp({ apiToken: token }).inject({
      url: '/api/v1/openapi.json',
      headers: { authorization: `Bearer ${token}` },
    })
    expect(guarded.json<{ security: unknown }>().security).toEqual([{ bearer: [] }])
  })
})
