/**
 * Shared pieces of the topology route tests: real embedded filers (in memory, ports 0) started
 * once per file, an app per test, and readers of what the database holds.
 */
import { startEmbeddedFiler, type EmbeddedFiler } from '@seasync/embedded-filer'
import type { LightMyRequestResponse } from 'fastify'
import { afterAll, beforeAll, expect } from 'vitest'
import type { SeaSyncApp } from '../../src/app.js'
import type { TopologyChange } from '../../src/plugins/topology-events.js'
import { buildTestApp } from '../support/app.js'

/** `count` embedded filers for the whole file; the array fills in `beforeAll`. */
export function useFilers(count: number): EmbeddedFiler[] {
  const filers: EmbeddedFiler[] = []
  beforeAll(async () => {
    filers.push(...(await Promise.all(Array.from({ length: count }, () => startEmbeddedFiler()))))
  })
  afterAll(async () => {
    await Promise.all(filers.map((filer) => filer.close()))
  })
  return filers
}

/** An app on an in-memory database, ready, recording every topology event it emits. */
export async function topologyApp(): Promise<{ app: SeaSyncApp; events: TopologyChange[] }> {
  const app = buildTestApp()
  await app.ready()
  const events: TopologyChange[] = []
  app.topologyEvents.on('changed', (change) => events.push(change))
  return { app, events }
}

/** The same filer spelled differently (`localhost` for `127.0.0.1`): one store, another address. */
export function otherSpelling(filer: EmbeddedFiler): string {
  return filer.address.replace('127.0.0.1', 'localhost')
}

/** An address where nothing listens (port 1 is privileged and unused on test machines). */
export const DEAD_ADDRESS = '127.0.0.1:1.2'

/** Row counts of the topology tables, to show a refused change stored nothing. */
export function rows(app: SeaSyncApp): { clusters: number; edges: number; audit: number } {
  const count = (table: string) =>
    (app.db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n
  return { clusters: count('clusters'), edges: count('edges'), audit: count('audit_log') }
}

/** The whole stored topology as rows, to compare before and after a refused change. */
export function snapshot(app: SeaSyncApp): unknown {
  return {
    clusters: app.db.prepare('SELECT * FROM clusters ORDER BY id').all(),
    edges: app.db.prepare('SELECT * FROM edges ORDER BY id').all(),
    audit: app.db.prepare('SELECT * FROM audit_log ORDER BY id').all(),
  }
}

/** Sends JSON with `method` to `url` under /api/v1. */
export function send(
  app: SeaSyncApp,
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE',
  url: string,
  payload?: unknown,
): Promise<LightMyRequestResponse> {
  return app.inject({
    method,
    url: `/api/v1${url}`,
    ...(payload !== undefined && { payload: payload as Record<string, unknown> }),
  })
}

/** The error body of `response`, after checking its status and code. */
export function expectError(
  response: LightMyRequestResponse,
  status: number,
  code: string,
): { code: string; message: string; details?: Record<string, unknown> } {
  expect({ status: response.statusCode, body: response.json<unknown>() }).toMatchObject({
    status,
    body: { error: { code } },
  })
  return response.json<{
    error: { code: string; message: string; details?: Record<string, unknown> }
  }>().error
}

/** Creates clusters named after `filers` (`A`, `B`, …; ids `a`, `b`, …) through the API. */
export async function createClusters(
  app: SeaSyncApp,
  filers: readonly EmbeddedFiler[],
  names: readonly string[] = ['A', 'B', 'C', 'D', 'E'],
): Promise<void> {
  for (const [i, filer] of filers.entries()) {
    const response = await send(app, 'POST', '/clusters', {
      name: names[i],
      addresses: [filer.address],
    })
    expect(response.statusCode, response.body).toBe(201)
  }
}

/** An edge body written as in the wiki: `edgeBody('A:/', 'B:/')` (clusters by id, lower case). */
export function edgeBody(
  a: string,
  b: string,
  mode: 'active-active' | 'one-way' = 'active-active',
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  const side = (text: string) => {
    const colon = text.indexOf(':')
    return { cluster: text.slice(0, colon).toLowerCase(), path: text.slice(colon + 1) }
  }
  return { a: side(a), b: side(b), mode, ...extra }
}

/** A self-signed test certificate and its key, and another key (test fixtures, not secrets). */
export const TEST_TLS = {
  cert: `-----BEGIN CERTIFICATE-----
MIIBhTCCASugAwIBAgIUYhtUuQY6sde0TBqF4C1ws2m9gs8wCgYIKoZIzj0EAwIw
FzEVMBMGA1UEAwwMc2Vhc3luYy10ZXN0MCAXDTI2MTEyNDIyMjM1MVoYDzIxMjYx
MDMxMjIyMzUxWjAXMRUwEwYDVQQDDAxzZWFzeW5jLXRlc3QwWTATBgcqhkjOPQIB
BggqhkjOPQMBBwNCAAQ+y35D2NuSjHZcEI25N4DPhYuXkuG8pON/yw2PyoshftMe
mapUz6Zr+u2ws5KZ4OCCuLltXC5lCOHQvdKmR8y3o1MwUTAdBgNVHQ4EFgQUrK30
Tu1rd/rClaXRTbe0jz/grLgwHwYDVR0jBBgwFoAUrK30Tu1rd/rClaXRTbe0jz/g
rLgwDwYDVR0TAQH/BAUwAwEB/zAKBggqhkjOPQQDAgNIADBFAiEAqKMQJiWADZff
ZEcOql3R2VXp7I1OPvOA7E8MJ04v2ooCIC1r7CR0ZDWeWpJRsfiv1bNP5g/CNqgm
VVxgXwLHlhcw
-----END CERTIFICATE-----`,
  key: `-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgbo5qrfXdzxI0Hwqh
WYK6Y4E4fDqvjZTKpP0xTWzjmCOhRANCAAQ+y35D2NuSjHZcEI25N4DPhYuXkuG8
pON/yw2PyoshftMemapUz6Zr+u2ws5KZ4OCCuLltXC5lCOHQvdKmR8y3
-----END PRIVATE KEY-----`,
  otherKey: `-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgGCYefNcHsJhpzp13
DzTQ9aSRmA40PXWMqrOkgO6q6iahRANCAATLNgg42daPOeEfoKdSuE7MzvpQJbU8
RnOsqSXVnjFLi/KUcQhjk1AhkTub2/unY6pKrWQtv6ylb8VpEekzBepR
-----END PRIVATE KEY-----`,
}
