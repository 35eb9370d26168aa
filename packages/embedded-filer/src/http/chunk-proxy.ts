/**
 * The filer's chunk proxy, `/?proxyChunkId=<fid>` (spec §8.3; Go: weed/server/filer_server_
 * handlers_proxy.go). Everything after the literal prefix of the raw request URI is the fid, so
 * `…?proxyChunkId=3,01ab&readDeleted=true` asks the volume server for `/3,01ab&readDeleted=true`,
 * which it refuses (400), exactly like SeaweedFS (the 4.23 manifest-in-proxy-mode bug, §8.6).
 * Method, headers and body go to the volume server unchanged (a write JWT keeps working, §8.4);
 * status, headers and body come back streamed. The filer checks no JWT of its own here.
 */
import {
  request,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type ServerResponse,
} from 'node:http'
import { request as httpsRequest } from 'node:https'
import type { ServerTls } from '../volume/volume-server.js'
import type { VolumeServer } from '../volume/volume-types.js'
import { sendEmpty } from './http-io.js'

/** The literal raw-URI prefix SeaweedFS matches (`strings.HasPrefix(r.RequestURI, …)`). */
export const PROXY_PREFIX = '/?proxyChunkId='

/** SeaweedFS allows this many proxied requests in flight per volume server; the rest wait. */
export const MAX_PROXY_CONCURRENCY = 16

/** Hop-by-hop headers (RFC 9110 §7.6.1) are for one connection and are not forwarded. */
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-authenticate',
  'proxy-authorization',
  'proxy-connection',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
])

/** The fid of a proxy request (everything after the prefix), or undefined when it is not one. */
export function proxyFid(rawUrl: string): string | undefined {
  if (!rawUrl.startsWith(PROXY_PREFIX)) return undefined
  const fid = rawUrl.slice(PROXY_PREFIX.length)
  // Go: an empty fileId falls through to the normal handlers.
  return fid === '' ? undefined : fid
}

/** A FIFO counting semaphore. */
class Gate {
  private active = 0
  private readonly waiting: (() => void)[] = []

  constructor(private readonly limit: number) {}

  acquire(): Promise<void> {
    if (this.active < this.limit) {
      this.active++
      return Promise.resolve()
    }
    return new Promise((resolve) => this.waiting.push(resolve))
  }

  release(): void {
    const next = this.waiting.shift()
    if (next) next()
    else this.active--
  }
}

/** Forwards proxy requests to the volume server, at most {@link MAX_PROXY_CONCURRENCY} at once. */
export class ChunkProxy {
  private readonly gates = new Map<string, Gate>()

  /**
   * @param tls when set, the volume server speaks HTTPS and the filer forwards with this
   *   certificate as its client identity (SeaweedFS's filer uses `[https.client]`)
   */
  constructor(
    private readonly volume: VolumeServer,
    private readonly logger: (line: string) => void,
    private readonly tls?: ServerTls,
  ) {}

  /** Serve one proxy request; never rejects. */
  async handle(req: IncomingMessage, res: ServerResponse, fid: string): Promise<void> {
    const url = this.locate(fid)
    if (url === undefined) {
      // Go: LookupFileId failed (malformed fid or unknown volume) → bare 500.
      this.logger(`proxyChunkId: locate ${fid}: volume not found`)
      sendEmpty(res, 500)
      req.resume()
      return
    }
    let gate = this.gates.get(url)
    if (gate === undefined) {
      gate = new Gate(MAX_PROXY_CONCURRENCY)
      this.gates.set(url, gate)
    }
    await gate.acquire()
    try {
      if (res.destroyed) return
      await forward(req, res, url, fid, this.logger, this.tls)
    } finally {
      gate.release()
    }
  }

  /** The volume server URL of a fid, as Go's LookupFileId: exactly one comma, a known volume. */
  private locate(fid: string): string | undefined {
    const parts = fid.split(',')
    if (parts.length !== 2 || !/^\d+$/.test(parts[0]!)) return undefined
    const volumeId = Number(parts[0])
    if (volumeId > 0xffffffff || !this.volume.hasVolume(volumeId)) return undefined
    return this.volume.url
  }
}

function forward(
  req: IncomingMessage,
  res: ServerResponse,
  volumeUrl: string,
  fid: string,
  logger: (line: string) => void,
  tls: ServerTls | undefined,
): Promise<void> {
  return new Promise<void>((resolve) => {
    const colon = volumeUrl.lastIndexOf(':')
    const host = volumeUrl.slice(0, colon).replace(/^\[(.*)\]$/, '$1')
    const headers = forwardHeaders(req.headers)
    headers['x-forwarded-for'] = req.socket.remoteAddress ?? ''
    let settled = false
    const done = (): void => {
      if (settled) return
      settled = true
      resolve()
    }
    let upstream: ReturnType<typeof request>
    try {
      const target = {
        host,
        port: Number(volumeUrl.slice(colon + 1)),
        method: req.method,
        path: `/${fid}`,
        headers,
      }
      upstream = tls
        ? httpsRequest({ ...target, ca: tls.ca, cert: tls.cert, key: tls.key })
        : request(target)
    } catch (err) {
      // e.g. characters Node refuses in a request path; Go's http.NewRequest fails alike → 500.
      logger(`proxyChunkId: NewRequest ${fid}: ${(err as Error).message}`)
      sendEmpty(res, 500)
      req.resume()
      return done()
    }
    upstream.on('response', (upRes) => {
      const out: Record<string, string | string[]> = {}
      for (const [name, value] of Object.entries(upRes.headers)) {
        if (value !== undefined && !HOP_BY_HOP.has(name)) out[name] = value
      }
      res.writeHead(upRes.statusCode ?? 502, out)
      upRes.pipe(res)
      upRes.on('end', done)
      upRes.on('error', () => {
        res.destroy()
        done()
      })
    })
    upstream.on('error', (err) => {
      if (!res.headersSent) {
        logger(`proxyChunkId: ${req.method} ${fid}: ${err.message}`)
        sendEmpty(res, 500)
      } else {
        res.destroy()
      }
      done()
    })
    res.on('close', () => {
      if (!res.writableFinished) upstream.destroy()
      done()
    })
    req.on('error', () => upstream.destroy())
    req.pipe(upstream)
  })
}

function forwardHeaders(incoming: IncomingHttpHeaders): Record<string, string | string[]> {
  const connectionTokens = new Set(
    String(incoming.connection ?? '')
      .toLowerCase()
      .split(',')
      .map((s) => s.trim()),
  )
  const out: Record<string, string | string[]> = {}
  for (const [name, value] of Object.entries(incoming)) {
    if (
      value === undefined ||
      name === 'host' ||
      HOP_BY_HOP.has(name) ||
      connectionTokens.has(name)
    )
      continue
    out[name] = value
  }
  return out
}
