/**
 * Shared harness of the replication integration tests (`test/integration/*.test.ts`): embedded
 * filers, replicators, a raw view of a filer's metadata log, the checkpoint in a target's
 * KV, and an HTTP proxy that can stand in front of a filer's HTTP port (the filer address syntax
 * `host:httpPort.grpcPort` lets a test route chunk traffic through it while gRPC goes direct).
 */
import { createServer, request, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo, Socket } from 'node:net'
import {
  startEmbeddedFiler,
  type EmbeddedFiler,
  type EmbeddedFilerOptions,
} from '@seasync/embedded-filer'
import type { EntryOutput, SubscribeMetadataResponseOutput } from '@seasync/proto'
import { expect } from 'vitest'
import type { EntryApplier } from '../../src/apply/entry-applier.js'
import { checkpointKey, decodeCheckpoint } from '../../src/checkpoint/checkpoint-key.js'
import { FilerClient } from '../../src/filer/filer-client.js'
import type { ReplicatorNotification } from '../../src/notifications.js'
import type { ReplicatorOptions } from '../../src/options.js'
import { Replicator } from '../../src/replicator.js'
import { joinPath, parentAndName } from '../../src/util/paths.js'
import { snapshotTree } from './tree.js'

const cleanups: (() => Promise<void> | void)[] = []

/** Run (in reverse order) everything the harness started for the current test. */
export async function runCleanups(): Promise<void> {
  for (const fn of cleanups.splice(0).reverse()) await fn()
}

/** Register extra cleanup work (runs before everything registered earlier). */
export function onCleanup(fn: () => Promise<void> | void): void {
  cleanups.push(fn)
}

/** An in-memory embedded filer on ephemeral ports: 1 MiB chunks, 200 ms idle heartbeats. */
export async function filer(options: EmbeddedFilerOptions = {}): Promise<EmbeddedFiler> {
  const f = await startEmbeddedFiler({
    maxMB: 1,
    ...options,
    subscribe: { heartbeatIntervalMs: 200, ...options.subscribe },
  })
  cleanups.push(() => f.close())
  return f
}

export interface Running {
  r: Replicator
  log: ReplicatorNotification[]
}

/** A started replicator (checkpoint every 200 ms) whose notifications are recorded. */
export function replicate(options: ReplicatorOptions): Running {
  const r = new Replicator({ checkpointIntervalMs: 200, ...options })
  const log: ReplicatorNotification[] = []
  r.on((n) => log.push(n))
  cleanups.push(async () => void (await r.stop()))
  r.start()
  return { r, log }
}

export function client(f: EmbeddedFiler | string): FilerClient {
  const c = new FilerClient(typeof f === 'string' ? f : f.address)
  cleanups.push(() => c.close())
  return c
}

/** PUT a file through the filer HTTP API (`query` e.g. `op=append`, `mode=0600`). */
export async function put(
  f: EmbeddedFiler,
  path: string,
  body: string | Buffer,
  { query = '', headers = {} }: { query?: string; headers?: Record<string, string> } = {},
): Promise<void> {
  const url = `http://${f.httpAddress}${encodeURI(path)}${query ? `?${query}` : ''}`
  const res = await fetch(url, {
    method: query.includes('op=append') ? 'POST' : 'PUT',
    body,
    headers,
  })
  expect(res.status, `${url} -> ${res.status} ${await res.clone().text()}`).toBe(201)
}

/** GET a file's bytes through the filer HTTP API; a failed read gives `<unreadable: …>`. */
export async function read(f: EmbeddedFiler, path: string): Promise<Buffer> {
  try {
    const res = await fetch(`http://${f.httpAddress}${encodeURI(path)}`)
    return Buffer.from(await res.arrayBuffer())
  } catch (err) {
    return Buffer.from(`<unreadable: ${(err as Error).message}>`)
  }
}

export async function lookup(f: EmbeddedFiler, path: string): Promise<EntryOutput | undefined> {
  const c = new FilerClient(f.address)
  try {
    const { parent, name } = parentAndName(path)
    return await c.lookupEntry(parent, name)
  } finally {
    c.close()
  }
}

/** Set the mtime (whole seconds) of the entry at `path`, as a local write on `f` would. */
export async function setMtime(f: EmbeddedFiler, path: string, mtime: number): Promise<void> {
  const entry = (await lookup(f, path))!
  const c = new FilerClient(f.address)
  try {
    await c.updateEntry({
      directory: parentAndName(path).parent,
      entry: { ...entry, attributes: { ...entry.attributes!, mtime: String(mtime) } },
    })
  } finally {
    c.close()
  }
}

/** What an EntryApplier writes through. */
export type ApplierTarget = ConstructorParameters<typeof EntryApplier>[0]

/** `target`'s calls as an applier target, with some replaced (to count or alter them). */
export function applierTarget(
  target: FilerClient,
  overrides: Partial<ApplierTarget> = {},
): ApplierTarget {
  return {
    lookupEntry: (...args) => target.lookupEntry(...args),
    createEntry: (...args) => target.createEntry(...args),
    updateEntry: (...args) => target.updateEntry(...args),
    deleteEntry: (...args) => target.deleteEntry(...args),
    atomicRenameEntry: (...args) => target.atomicRenameEntry(...args),
    ...overrides,
  }
}

export const tree = (f: EmbeddedFiler, root = '/'): Promise<Record<string, string>> =>
  snapshotTree(f.address, f.httpAddress, root)

/** Wait until the two subtrees are equal, contents included; returns the tree. */
export async function converge(
  a: EmbeddedFiler,
  aRoot: string,
  b: EmbeddedFiler,
  bRoot: string,
  timeout = 15_000,
): Promise<Record<string, string>> {
  let last: Record<string, string> = {}
  await expect
    .poll(
      async () => {
        last = await tree(a, aRoot)
        return JSON.stringify(last) === JSON.stringify(await tree(b, bRoot))
      },
      { timeout, interval: 150 },
    )
    .toBe(true)
  return last
}

/** Deterministic bytes. */
export const bytes = (n: number, seed: number): Buffer => {
  const buf = Buffer.alloc(n)
  for (let i = 0; i < n; i++) buf[i] = (i * 31 + seed * 7) & 0xff
  return buf
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms))

/** One metadata event of a filer's log, keyed by full paths. */
export interface LoggedEvent {
  tsNs: bigint
  oldKey: string | undefined
  newKey: string | undefined
  signatures: number[]
  response: SubscribeMetadataResponseOutput
}

/**
 * Every event in `f`'s metadata log so far (a `client_id` 0 subscription ends once caught up),
 * batches flattened.
 */
export async function loggedEvents(f: EmbeddedFiler): Promise<LoggedEvent[]> {
  const c = new FilerClient(f.address)
  const out: LoggedEvent[] = []
  try {
    for await (const response of c.subscribeMetadata({
      client_name: 'field-notes',
      path_prefix: '/',
      since_ns: 0,
      client_id: 0,
      client_epoch: 1,
      client_supports_batching: true,
    })) {
      for (const r of [response, ...response.events]) {
        const n = r.event_notification
        if (!n || (!n.old_entry && !n.new_entry)) continue
        const dir = r.directory ?? ''
        out.push({
          tsNs: BigInt(r.ts_ns ?? '0'),
          oldKey: n.old_entry ? joinPath(dir, n.old_entry.name ?? '') : undefined,
          newKey: n.new_entry
            ? joinPath(n.new_parent_path || dir, n.new_entry.name ?? '')
            : undefined,
          signatures: n.signatures,
          response: r,
        })
      }
    }
  } finally {
    c.close()
  }
  return out
}

/** The ts of the LAST logged event touching `path` (old or new side). */
export async function eventTs(f: EmbeddedFiler, path: string): Promise<bigint> {
  const hits = (await loggedEvents(f)).filter((e) => e.oldKey === path || e.newKey === path)
  const last = hits[hits.length - 1]
  if (!last) throw new Error(`no event for ${path}`)
  return last.tsNs
}

/** The checkpoint of direction (source sourceSignature, sourcePath) in `target`'s KV; undefined when none. */
export async function savedCheckpoint(
  target: EmbeddedFiler,
  sourcePath: string,
  sourceSignature: number,
  targetPath = '/',
): Promise<bigint | undefined> {
  const c = new FilerClient(target.address)
  try {
    const raw = await c.kvGet(checkpointKey(sourcePath, sourceSignature, targetPath))
    return raw.length === 0 ? undefined : decodeCheckpoint(raw)
  } finally {
    c.close()
  }
}

/** Wait until the replicator's applied watermark reached `tsNs`. */
export async function appliedThrough(r: Replicator, tsNs: bigint, timeout = 15_000): Promise<void> {
  await expect.poll(() => r.status().appliedNs >= tsNs, { timeout, interval: 50 }).toBe(true)
}

/** Handles a proxied request itself (resolves true) or lets it through (false). */
export type ProxyHandler = (
  req: IncomingMessage,
  res: ServerResponse,
  forward: () => void,
) => boolean | Promise<boolean>

export interface HttpProxy {
  /** `host:port` of the proxy. */
  httpAddress: string
  /** Requests seen, `METHOD url`. */
  readonly seen: string[]
  /** Most requests in flight at once. */
  maxInFlight: number
  handler: ProxyHandler | undefined
}

/**
 * An HTTP proxy in front of `upstream` (`host:port`). Every request goes to `handler` first; one it
 * does not take is forwarded verbatim (method, url, headers, body), the answer piped back.
 */
export async function httpProxy(upstream: string, handler?: ProxyHandler): Promise<HttpProxy> {
  const sockets = new Set<Socket>()
  let inFlight = 0
  const state: HttpProxy = { httpAddress: '', seen: [], maxInFlight: 0, handler }
  const server = createServer((req, res) => {
    state.seen.push(`${req.method} ${req.url}`)
    inFlight++
    state.maxInFlight = Math.max(state.maxInFlight, inFlight)
    res.on('close', () => inFlight--)
    const forward = (): void => {
      const { host: _host, ...headers } = req.headers
      const up = request(
        `http://${upstream}${req.url}`,
        { method: req.method, headers },
        (answer) => {
          res.writeHead(answer.statusCode ?? 502, answer.headers)
          answer.pipe(res)
        },
      )
      up.on('error', () => res.destroy())
      req.pipe(up)
    }
    void Promise.resolve(state.handler?.(req, res, forward) ?? false).then((handled) => {
      if (!handled) forward()
    })
  })
  server.on('connection', (s) => {
    sockets.add(s)
    s.on('close', () => sockets.delete(s))
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  state.httpAddress = `127.0.0.1:${(server.address() as AddressInfo).port}`
  cleanups.push(
    () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve())
        for (const s of sockets) s.destroy()
      }),
  )
  return state
}

/** The filer address of `f` with its HTTP side replaced by `httpAddress` (gRPC stays direct). */
export function viaHttp(f: EmbeddedFiler, httpAddress: string): string {
  return `${httpAddress}.${f.grpcAddress.split(':').pop()!}`
}

/** The fid a `/?proxyChunkId=<fid>` request asks for. */
export function proxiedFid(req: IncomingMessage): string | undefined {
  const m = /[?&]proxyChunkId=(.+)$/.exec(req.url ?? '')
  return m ? decodeURIComponent(m[1]!) : undefined
}

/** A fid of an existing volume whose needle does not exist (never written). */
export function missingFid(existingFid: string): string {
  const [vid] = existingFid.split(',')
  return `${vid},7fffffff0badc0de`
}
