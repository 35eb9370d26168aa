/**
 * Clusters with mutual TLS through the whole server (issue 5): the probe dials with the
 * cluster's material and names what is wrong when it does not fit, an edge between two TLS
 * filers replicates (gRPC and chunk HTTPS) in the edge runtime, a TLS change restarts only the
 * edges on that cluster, and the private key never leaves the database (responses, exports,
 * audit rows, logs). The material is the committed `fixtures/tls/`.
 */
import { readFileSync } from 'node:fs'
import { request } from 'node:https'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startEmbeddedFiler, type EmbeddedFiler } from '@seasync/embedded-filer'
import { afterEach, describe, expect, it } from 'vitest'
import { buildApp, type SeaSyncApp } from '../../src/app.js'
import type { TopologyChange } from '../../src/plugins/topology-events.js'
import { loggerOptions } from '../../src/server.js'
import { logCapture, testConfig } from '../support/app.js'

const dir = new URL('../../../../fixtures/tls/', import.meta.url)
const pem = (name: string): string => readFileSync(new URL(name, dir), 'utf8')
const CA = pem('ca.pem')
const CLIENT = { ca: CA, cert: pem('client.pem'), key: pem('client.key') }
const SERVER_TLS = { ca: CA, cert: pem('server.pem'), key: pem('server.key') }

const cleanups: (() => unknown)[] = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
})

async function filer(tls = true): Promise<EmbeddedFiler> {
  const f = await startEmbeddedFiler({
    maxMB: 1,
    subscribe: { heartbeatIntervalMs: 200 },
    ...(tls ? { tls: SERVER_TLS } : {}),
  })
  cleanups.push(() => f.close())
  return f
}

async function app(): Promise<{ server: SeaSyncApp; log: () => string; events: TopologyChange[] }> {
  const dataDir = await mkdtemp(join(tmpdir(), 'seasync-tls-'))
  cleanups.push(() => rm(dataDir, { recursive: true, force: true }))
  const log = logCapture()
  const server = buildApp(testConfig({ dataDir }), {
    server: { logger: loggerOptions('trace', log.write) },
    replication: {
      checkpointIntervalMs: 200,
      sampleIntervalMs: 200,
      observeIntervalMs: 100,
      compactIntervalMs: 60_000,
    },
  })
  cleanups.push(() => server.close())
  await server.ready()
  const events: TopologyChange[] = []
  server.topologyEvents.on('changed', (change) => events.push(change))
  return { server, log: log.text, events }
}

function send(server: SeaSyncApp, method: 'GET' | 'POST' | 'PATCH', url: string, payload?: object) {
  return server.inject({
    method,
    url: `/api/v1${url}`,
    ...(payload === undefined ? {} : { payload: payload as Record<string, unknown> }),
  })
}

/** HTTPS with the client certificate, as any client of a TLS SeaweedFS cluster. */
function https(
  url: string,
  method = 'GET',
  body?: string,
): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, ...CLIENT, agent: false }, (res) => {
      const pieces: Buffer[] = []
      res.on('data', (piece: Buffer) => pieces.push(piece))
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, text: Buffer.concat(pieces).toString() }),
      )
    })
    req.on('error', reject)
    req.end(body)
  })
}

const poll = { timeout: 15_000, interval: 100 }

describe('clusters with mutual TLS', () => {
  it('the probe refuses wrong or missing material, naming the problem, and accepts the right one', async () => {
    const a = await filer()
    const { server } = await app()
    const create = (tls?: object) =>
      send(server, 'POST', '/clusters', {
        name: 'A',
        addresses: [a.address],
        ...(tls ? { tls } : {}),
      })

    const refusals: [object | undefined, string][] = [
      [undefined, 'the filer serves gRPC over TLS: give the cluster its TLS material'],
      [
        { ...CLIENT, ca: pem('other-ca.pem') },
        'TLS handshake failed: certificate signed by unknown authority',
      ],
      [
        { ca: CA, cert: pem('other-client.pem'), key: pem('other-client.key') },
        'TLS handshake failed: the server closed the connection: it refused the client certificate',
      ],
    ]
    for (const [tls, message] of refusals) {
      const response = await create(tls)
      expect(response.statusCode, response.body).toBe(422)
      expect(response.json<{ error: { code: string; message: string } }>().error).toMatchObject({
        code: 'CLUSTER_PROBE_FAILED',
      })
      expect(response.body).toContain(message)
    }

    const plain = await filer(false)
    const tlsOnPlain = await send(server, 'POST', '/clusters', {
      name: 'P',
      addresses: [plain.address],
      tls: CLIENT,
    })
    expect(tlsOnPlain.statusCode).toBe(422)
    expect(tlsOnPlain.body).toContain('does not speak TLS on this port (plaintext)')

    const accepted = await create(CLIENT)
    expect(accepted.statusCode, accepted.body).toBe(201)
    expect(accepted.json()).toMatchObject({
      signature: a.signature,
      tls: { ca: CA, cert: CLIENT.cert, hasKey: true, https: true },
    })
  })

  it('an edge between two TLS filers replicates in the runtime; a TLS change restarts only its edges; the key never leaks', async () => {
    const [a, b, c] = [await filer(), await filer(), await filer(false)]
    const { server, log, events } = await app()
    for (const [name, f, tls] of [
      ['A', a, CLIENT],
      ['B', b, CLIENT],
      ['C', c, undefined],
    ] as const) {
      const response = await send(server, 'POST', '/clusters', {
        name,
        addresses: [f.address],
        ...(tls ? { tls } : {}),
      })
      expect(response.statusCode, response.body).toBe(201)
    }
    for (const body of [
      { id: 'a-b', a: { cluster: 'a', path: '/data' }, b: { cluster: 'b', path: '/data' } },
      { id: 'b-c', a: { cluster: 'b', path: '/data/sub' }, b: { cluster: 'c', path: '/copy' } },
    ]) {
      const response = await send(server, 'POST', '/edges', { ...body, mode: 'one-way' })
      expect(response.statusCode, response.body).toBe(201)
    }

    // 2.5 MiB in 1 MiB chunks: the chunks go over HTTPS to and from the volume servers.
    const big = 'x'.repeat(2.5 * 2 ** 20)
    expect((await https(`https://${a.httpAddress}/data/sub/big.txt`, 'PUT', big)).status).toBe(201)
    await expect
      .poll(async () => (await https(`https://${b.httpAddress}/data/sub/big.txt`)).text, poll)
      .toBe(big)
    // And on to the plain cluster C through the chain B → C (TLS source, plaintext target).
    await expect
      .poll(async () => (await fetch(`http://${c.httpAddress}/copy/big.txt`)).status, poll)
      .toBe(200)
    await expect
      .poll(async () => {
        const status = await send(server, 'GET', '/edges/a-b/status')
        return status.json<{ state: string }>().state
      }, poll)
      .toBe('in-sync')

    // A TLS change on A restarts a-b, not b-c.
    events.length = 0
    const patched = await send(server, 'PATCH', '/clusters/a', {
      tls: { ca: CA, cert: CLIENT.cert, https: true, hasKey: true },
    })
    expect(patched.statusCode, patched.body).toBe(200)
    expect(events.flatMap((e) => e.edgesUpdated ?? [])).toEqual([]) // same material: a no-op
    const validate = await send(server, 'POST', '/topology/validate', {
      clusters: { update: [{ id: 'a', tls: { ...CLIENT, https: false } }] },
    })
    expect(validate.statusCode, validate.body).toBe(200)
    expect(
      validate.json<{ plan: { restart: { edge: string }[] } }>().plan.restart.map((r) => r.edge),
    ).toEqual(['a-b'])
    const changed = await send(server, 'PATCH', '/clusters/b', { tls: { ...CLIENT } })
    expect(changed.statusCode).toBe(200)
    const rotated = await send(server, 'PATCH', '/clusters/a', {
      tls: { ca: `${CA}\n${pem('other-ca.pem')}`, cert: CLIENT.cert },
    })
    expect(rotated.statusCode, rotated.body).toBe(200)
    expect(events.at(-1)?.edgesUpdated).toEqual(['a-b'])
    expect((await https(`https://${a.httpAddress}/data/after.txt`, 'PUT', 'after')).status).toBe(
      201,
    )
    await expect
      .poll(async () => (await https(`https://${b.httpAddress}/data/after.txt`)).text, poll)
      .toBe('after')

    // The private key is in the clusters table and nowhere else.
    const key = CLIENT.key.split('\n')[1]!
    for (const url of ['/clusters', '/clusters/a', '/topology', '/edges', '/status']) {
      const response = await send(server, 'GET', url)
      expect(response.statusCode).toBe(200)
      expect(response.body).not.toContain(key)
      expect(response.body).not.toContain('PRIVATE KEY')
    }
    const audit = server.db.prepare('SELECT details FROM audit_log').all()
    expect(audit.length).toBeGreaterThan(0)
    expect(JSON.stringify(audit)).not.toContain('PRIVATE KEY')
    expect(log()).not.toContain(key)
    expect(log()).not.toContain('PRIVATE KEY')
  })
})
