/**
 * What the scenarios share: a tight gRPC client, writes through the filer HTTP API, the
 * replicator process and its status, the "readable on the target" watcher, and verify.
 */
import { Agent, request, type ClientRequest } from 'node:http'
import { fileURLToPath } from 'node:url'
import * as grpc from '@grpc/grpc-js'
import {
  channelOptions,
  loadFilerProto,
  type SeaweedFilerClient,
  type SubscribeMetadataResponseOutput,
} from '@seasync/proto'
import {
  FilerClient,
  verifySync,
  type ReplicatorOptions,
  type VerifySummary,
} from '@seasync/sync-core'
import { CpuWindow, spawnTs, type Child, type FilerProcess } from './procs.js'
import type { DirectionSample, StatusLine } from './replicator-process.js'

/** A bare grpc-js client: no signals, no error translation, the least client CPU per call. */
export class TightClient {
  readonly client: SeaweedFilerClient

  constructor(grpcAddress: string) {
    const proto = loadFilerProto()
    this.client = new proto.filer_pb.SeaweedFiler(
      grpcAddress,
      grpc.credentials.createInsecure(),
      channelOptions,
    )
  }

  unary<Res>(method: string, req: object): Promise<Res> {
    return new Promise((resolve, reject) =>
      (
        this.client as unknown as Record<
          string,
          (r: object, cb: (e: Error | null, res: Res) => void) => void
        >
      )[method]!.call(this.client, req, (e, res) => (e ? reject(e) : resolve(res))),
    )
  }

  /** CreateEntry that throws on a refusal (`error` in the answer) too. */
  async create(directory: string, entry: object): Promise<void> {
    const res = await this.unary<{ error?: string }>('CreateEntry', { directory, entry })
    if (res.error) throw new Error(`CreateEntry ${directory}: ${res.error}`)
  }

  private stream: grpc.ClientDuplexStream<object, StreamAnswer> | undefined
  private readonly pending = new Map<string, (answer: StreamAnswer) => void>()
  private nextId = 1

  /**
   * CreateEntry over one StreamMutateEntry stream (pipelined): how the bench fills a source
   * quickly. The limits use the unary {@link create}.
   */
  createPipelined(directory: string, entry: object): Promise<void> {
    if (!this.stream) {
      const stream = this.client.StreamMutateEntry() as unknown as grpc.ClientDuplexStream<
        object,
        StreamAnswer
      >
      stream.on('data', (a: StreamAnswer) => this.pending.get(String(a.request_id))?.(a))
      stream.on('error', () => undefined)
      this.stream = stream
    }
    const id = String(this.nextId++)
    return new Promise((resolve, reject) => {
      this.pending.set(id, (a) => {
        this.pending.delete(id)
        const error = a.error || a.create_response?.error
        if (error) reject(new Error(`CreateEntry ${directory}: ${error}`))
        else resolve()
      })
      this.stream!.write({ request_id: id, create_request: { directory, entry } })
    })
  }

  close(): void {
    this.stream?.end()
    this.client.close()
  }
}

interface StreamAnswer {
  request_id?: string
  error?: string
  create_response?: { error?: string }
}

/** Runs `task(i)` for i in [0, total) with `concurrency` in flight. */
export async function pool(
  total: number,
  concurrency: number,
  task: (i: number) => Promise<void>,
): Promise<void> {
  let next = 0
  await Promise.all(
    Array.from({ length: Math.min(concurrency, total) }, async () => {
      while (next < total) await task(next++)
    }),
  )
}

const agent = new Agent({ keepAlive: true, maxSockets: 256 })

/**
 * A PUT of `length` bytes to a filer's HTTP API, the body written by `send`; resolves when the
 * filer answered 201.
 */
function filerPut(
  httpAddress: string,
  path: string,
  length: number,
  send: (req: ClientRequest) => void,
): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = request(
      `http://${httpAddress}${path}`,
      { method: 'PUT', agent, headers: { 'Content-Length': length } },
      (res) => {
        res.resume()
        res.on('end', () =>
          res.statusCode === 201
            ? resolve()
            : reject(new Error(`PUT ${path}: HTTP ${res.statusCode}`)),
        )
      },
    )
    req.on('error', reject)
    send(req)
  })
}

/** PUT a small body through a filer's HTTP API; resolves when the filer answered 201. */
export function putFile(httpAddress: string, path: string, body: Buffer): Promise<void> {
  return filerPut(httpAddress, path, body.length, (req) => req.end(body))
}

/** PUT `bytes` of generated content, streamed with back-pressure (one 1 MiB block in memory). */
export function putLarge(
  httpAddress: string,
  path: string,
  bytes: number,
  seed: number,
): Promise<void> {
  return filerPut(httpAddress, path, bytes, (req) => {
    const block = Buffer.alloc(2 ** 20)
    let sent = 0
    let i = 0
    const pump = (): void => {
      while (sent < bytes) {
        const n = Math.min(block.length, bytes - sent)
        block.fill((seed * 31 + i++) & 0xff)
        sent += n
        if (!req.write(Buffer.from(block.subarray(0, n)))) return void req.once('drain', pump)
      }
      req.end()
    }
    pump()
  })
}

/** GET a URL into memory (used by the raw copy). */
export function getBuffer(url: string): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const req = request(url, { agent, headers: { 'Accept-Encoding': 'identity' } }, (res) => {
      const parts: Buffer[] = []
      res.on('data', (p: Buffer) => parts.push(p))
      res.on('end', () =>
        res.statusCode === 200
          ? resolve(Buffer.concat(parts))
          : reject(new Error(`GET ${url}: HTTP ${res.statusCode}`)),
      )
      res.on('error', reject)
    })
    req.on('error', reject)
    req.end()
  })
}

/** POST a needle body to a volume server (the raw copy's write). */
export function postBuffer(url: string, body: Buffer): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      { method: 'POST', agent, headers: { 'Content-Length': body.length } },
      (res) => {
        res.resume()
        res.on('end', () =>
          res.statusCode === 201 || res.statusCode === 204
            ? resolve()
            : reject(new Error(`POST ${url}: HTTP ${res.statusCode}`)),
        )
      },
    )
    req.on('error', reject)
    req.end(body)
  })
}

/** Replicator directions in their own process, with their latest status. */
export class ReplicatorProcess {
  latest: StatusLine | undefined
  private waiters = new Set<() => void>()

  private constructor(readonly child: Child) {
    child.lines.on('line', (line) => {
      if (!line.startsWith('{')) return
      this.latest = JSON.parse(line) as StatusLine
      for (const w of this.waiters) w()
    })
  }

  static async start(
    name: string,
    directions: ReplicatorOptions[],
    intervalMs = 50,
  ): Promise<ReplicatorProcess> {
    const child = spawnTs(name, fileURLToPath(new URL('replicator-process.ts', import.meta.url)), [
      JSON.stringify({ directions, intervalMs }),
    ])
    const r = new ReplicatorProcess(child)
    await r.until(() => true, 60_000)
    return r
  }

  dir(i = 0): DirectionSample {
    return this.latest!.dirs[i]!
  }

  /** Resolves at the first status line `pred` accepts (checked on each line). */
  until(pred: (s: StatusLine) => boolean, timeoutMs: number): Promise<StatusLine> {
    return new Promise((resolve, reject) => {
      const check = (): void => {
        if (this.latest && pred(this.latest)) {
          finish()
          resolve(this.latest)
        }
      }
      const timer = setTimeout(() => {
        finish()
        reject(
          new Error(`${this.child.name}: timed out; last status ${JSON.stringify(this.latest)}`),
        )
      }, timeoutMs)
      const finish = (): void => {
        clearTimeout(timer)
        this.waiters.delete(check)
      }
      this.waiters.add(check)
      check()
    })
  }

  stop(): Promise<void> {
    return this.child.stop()
  }
}

/**
 * Watches a filer's metadata log from now on and records when each path first appears (created or
 * updated): "readable on this filer" for the lag figures.
 */
export class ArrivalWatcher {
  private readonly client: FilerClient
  private readonly abort = new AbortController()
  private readonly waiting = new Map<string, (ms: number) => void>()
  readonly done: Promise<void>

  constructor(address: string, pathPrefix: string) {
    this.client = new FilerClient(address)
    const stream = this.client.subscribeMetadata(
      {
        client_name: 'seasync-bench',
        path_prefix: pathPrefix,
        since_ns: (BigInt(Date.now() - 1000) * 1_000_000n).toString(),
        // A registered id (0 would end the stream once caught up, spec §5.6), batching allowed.
        client_id: 1 + Math.floor(Math.random() * 0x7ffffffe),
        client_epoch: 1,
        client_supports_batching: true,
      },
      { signal: this.abort.signal },
    )
    this.done = (async () => {
      try {
        for await (const msg of stream) this.onMessage(msg)
      } catch {
        // stopped
      }
    })()
  }

  private onMessage(msg: SubscribeMetadataResponseOutput): void {
    const at = performance.now()
    const items = [msg, ...((msg as { events?: SubscribeMetadataResponseOutput[] }).events ?? [])]
    for (const m of items) {
      const n = m.event_notification
      if (!n?.new_entry) continue
      const dir = n.new_parent_path || m.directory || ''
      const key = `${dir === '/' ? '' : dir}/${n.new_entry.name}`
      const w = this.waiting.get(key)
      if (w) {
        this.waiting.delete(key)
        w(at)
      }
    }
  }

  /** Resolves with performance.now() at the first event for `path` (registered before writing). */
  expect(path: string): Promise<number> {
    return new Promise((resolve) => this.waiting.set(path, resolve))
  }

  get pending(): number {
    return this.waiting.size
  }

  async close(): Promise<void> {
    this.abort.abort()
    this.client.close()
    await this.done
  }
}

/** What {@link catchUp} measured. */
export interface CatchUp {
  /** From the replicator's first status to the status at which it was done and verify clean. */
  seconds: number
  /** CPU of both filers and the replicator over the run, shares of one core. */
  cpu: Record<string, number>
  /** The status line it ended at. */
  done: DirectionSample
  verify: VerifySummary
}

/**
 * One direction A→B of `path` in its own replicator process (`started` gets it, for the caller to
 * stop), from checkpoint 0, until `events` are applied with nothing pending and no failure; then
 * verify must be clean. If it is not, waits and verifies again (up to 20 times, a second apart) and
 * the end moves to that later status.
 */
export async function catchUp(
  name: string,
  a: FilerProcess,
  b: FilerProcess,
  { path, events, budgetMs }: { path: string; events: number; budgetMs: number },
  started: (replicator: ReplicatorProcess) => void,
): Promise<CatchUp> {
  const replicator = await ReplicatorProcess.start(name, [
    {
      sourceAddress: a.info.address,
      targetAddress: b.info.address,
      sourcePath: path,
      targetPath: path,
    },
  ])
  started(replicator)
  const startMs = replicator.latest!.t
  const cpu = new CpuWindow(
    new Map([
      ['filerA', a.child.pid],
      ['filerB', b.child.pid],
      ['replicator', replicator.child.pid],
    ]),
  )
  let doneLine = await replicator.until(
    (s) => s.dirs[0]!.applied >= events && s.dirs[0]!.backlog === 0 && s.dirs[0]!.failures === 0,
    budgetMs,
  )
  const cpuShares = cpu.shares()
  let summary = await verify(a.info.address, b.info.address, path)
  for (let i = 0; i < 20 && summary.totalErrors > 0; i++) {
    await new Promise((r) => setTimeout(r, 1000))
    doneLine = replicator.latest!
    summary = await verify(a.info.address, b.info.address, path)
  }
  return {
    seconds: (doneLine.t - startMs) / 1000,
    cpu: cpuShares,
    done: doneLine.dirs[0]!,
    verify: summary,
  }
}

/** verifySync, metadata only, A's subtree against B's. */
export function verify(
  a: string,
  b: string,
  path: string,
  isActivePassive = true,
): Promise<VerifySummary> {
  return verifySync({ a, b, aPath: path, bPath: path, isActivePassive })
}

/** Max of an array without spreading (large arrays). */
export function max(xs: readonly number[]): number {
  let m = Number.NEGATIVE_INFINITY
  for (const x of xs) if (x > m) m = x
  return m
}
