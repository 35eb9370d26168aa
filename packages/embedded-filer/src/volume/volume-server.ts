/**
 * The embedded filer's in-process volume server: the {@link VolumeServer} contract for the filer,
 * plus the SeaweedFS volume-server HTTP API on its own port for replicators and other clients
 * (spec §8.3 reads, §8.4 writes, §8.6 manifest reads; Go: weed/server/volume_server_handlers_*.go).
 *
 * Compression: a needle uploaded with `Content-Encoding: gzip` is stored as gzip and flagged. It is
 * sent as stored (`Content-Encoding: gzip`) only to a request that accepts gzip and has no Range;
 * everyone else, and every in-process read, gets the uncompressed bytes (spec §8.3). The server
 * never compresses on its own.
 */
import { createHash, randomBytes } from 'node:crypto'
import { constants as bufferConstants } from 'node:buffer'
import {
  createServer,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type OutgoingHttpHeaders,
  type Server,
  type ServerResponse,
} from 'node:http'
import { createServer as createHttpsServer } from 'node:https'
import type { AddressInfo } from 'node:net'
import { promisify } from 'node:util'
import { gunzip } from 'node:zlib'
import { formatFid, parseFid, type FileIdParts } from '@seasync/proto'
import { signFidJwt, verifyJwt } from './jwt.js'
import { NeedleStore, type NeedleRecord } from './needle-store.js'
import type {
  AssignRequest,
  Needle,
  NeedleWrite,
  NeedleWriteResult,
  VolumeServer,
} from './volume-types.js'

/** Options of {@link startVolumeServer}. */
export interface VolumeServerOptions {
  /** Interface to listen on. Default `127.0.0.1`. */
  host?: string
  /** TCP port; 0 picks an ephemeral one. Default 0. */
  port?: number
  /** Directory for volume data and index; undefined keeps everything in memory. */
  dir?: string
  /** HS256 key for write/delete JWTs (`jwt.signing.key`); undefined or '' disables the check. */
  jwtSigningKey?: string
  /** A collection's volume rolls over once its data reaches this size, MiB. Default 30000. */
  volumeSizeLimitMB?: number
  /** Largest accepted upload body, MiB (SeaweedFS `-fileSizeLimitMB`). Default 256. */
  fileSizeLimitMB?: number
  /**
   * Serve HTTPS instead of HTTP (SeaweedFS `[https.volume]`): the server certificate, and the CA
   * client certificates must chain to when `requireClientCert` (default true).
   */
  tls?: ServerTls | undefined
  /** `publicUrl` to advertise; default the listening `host:port`. */
  publicUrl?: string
  /** Receives one line per notable event (startup, 5xx, refused JWT). Default: discard. */
  logger?: (line: string) => void
}

/** PEM material of a TLS server (gRPC or HTTPS) of the embedded filer. */
export interface ServerTls {
  /** CA certificate(s) that client certificates must chain to, PEM. */
  ca: string | Buffer
  /** The server's certificate, PEM. */
  cert: string | Buffer
  /** Its private key, PEM. */
  key: string | Buffer
  /** Refuse clients without a certificate signed by `ca` (mutual TLS). Default true. */
  requireClientCert?: boolean | undefined
}

/** Options of node:https `createServer` for `tls`: client certificates asked for, checked by `ca`. */
export function httpsServerOptions(tls: ServerTls): {
  ca: string | Buffer
  cert: string | Buffer
  key: string | Buffer
  requestCert: boolean
  rejectUnauthorized: boolean
} {
  const required = tls.requireClientCert ?? true
  return {
    ca: tls.ca,
    cert: tls.cert,
    key: tls.key,
    requestCert: required,
    rejectUnauthorized: required,
  }
}

/** Defaults of {@link VolumeServerOptions}. */
export const VolumeServerDefaults = Object.freeze({
  host: '127.0.0.1',
  port: 0,
  volumeSizeLimitMB: 30_000,
  fileSizeLimitMB: 256,
})

const gunzipAsync = promisify(gunzip)
const MiB = 1024 * 1024

/** Start a volume server (HTTP listening once the promise resolves). */
export async function startVolumeServer(options: VolumeServerOptions = {}): Promise<VolumeServer> {
  validateOptions(options)
  const volumeSizeLimitMB = options.volumeSizeLimitMB ?? VolumeServerDefaults.volumeSizeLimitMB
  const store = await NeedleStore.open({
    ...(options.dir === undefined ? {} : { dir: options.dir }),
    volumeSizeLimitBytes: volumeSizeLimitMB * MiB,
  })
  const server = new EmbeddedVolumeServer(store, options)
  try {
    await server.listen(options.host ?? VolumeServerDefaults.host, options.port ?? 0)
  } catch (err) {
    await store.close()
    throw err
  }
  return server
}

function validateOptions(options: VolumeServerOptions): void {
  const { port, volumeSizeLimitMB, fileSizeLimitMB } = options
  if (port !== undefined && (!Number.isInteger(port) || port < 0 || port > 65535)) {
    throw new TypeError(`volume server: port must be an integer 0-65535, got ${port}`)
  }
  for (const [name, value] of [
    ['volumeSizeLimitMB', volumeSizeLimitMB],
    ['fileSizeLimitMB', fileSizeLimitMB],
  ] as const) {
    if (value !== undefined && !(value > 0 && Number.isFinite(value))) {
      throw new TypeError(`volume server: ${name} must be a positive number, got ${value}`)
    }
  }
}

interface Target {
  /** `<vid>,<key+cookie>` exactly as in the URL: what a write JWT's `fid` claim must equal. */
  fid: string
  parts: FileIdParts
  /** File name from a `/<vid>/<keycookie>/<filename>` URL, '' otherwise. */
  fileName: string
}

class EmbeddedVolumeServer implements VolumeServer {
  url = ''
  publicUrl = ''
  private readonly http: Server
  private readonly jwtKey: string
  private readonly maxBodyBytes: number
  private readonly log: (line: string) => void
  private closing: Promise<void> | undefined

  constructor(
    private readonly store: NeedleStore,
    private readonly options: VolumeServerOptions,
  ) {
    this.jwtKey = options.jwtSigningKey ?? ''
    const fileSizeLimitMB = options.fileSizeLimitMB ?? VolumeServerDefaults.fileSizeLimitMB
    this.maxBodyBytes = Math.min(Math.floor(fileSizeLimitMB * MiB), bufferConstants.MAX_LENGTH)
    this.log = options.logger ?? (() => {})
    const listener = (req: IncomingMessage, res: ServerResponse): void => this.onRequest(req, res)
    this.http = options.tls
      ? createHttpsServer(httpsServerOptions(options.tls), listener)
      : createServer(listener)
  }

  async listen(host: string, port: number): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.http.once('error', reject)
      this.http.listen(port, host, () => {
        this.http.off('error', reject)
        resolve()
      })
    })
    const address = this.http.address() as AddressInfo
    this.url = `${host.includes(':') ? `[${host}]` : host}:${address.port}`
    this.publicUrl = this.options.publicUrl ?? this.url
    this.log(`volume server listening on ${this.url} (${this.options.dir ?? 'in memory'})`)
  }

  assign(request: AssignRequest): { fid: string; volumeId: number } {
    if (this.closing !== undefined) throw new Error('volume server is closed')
    const volumeId = this.store.writableVolume(request.collection)
    const random = randomBytes(12)
    let fileKey = random.readBigUInt64BE(0)
    // Key 0 would format as a bare cookie, which Go's fid parser rejects (fid.ts).
    while (fileKey === 0n) fileKey = randomBytes(8).readBigUInt64BE(0)
    return { fid: formatFid({ volumeId, fileKey, cookie: random.readUInt32BE(8) }), volumeId }
  }

  writeJwt(fid: string): string {
    return this.jwtKey === '' ? '' : signFidJwt(this.jwtKey, fid)
  }

  hasVolume(volumeId: number): boolean {
    return this.store.hasVolume(volumeId)
  }

  /** Throws on a malformed fid, an unknown volume, or a live needle with another cookie. */
  async writeNeedle(fid: string, write: NeedleWrite): Promise<NeedleWriteResult> {
    const { volumeId, fileKey, cookie } = parseFid(fid)
    const md5 = createHash('md5').update(write.data).digest()
    const { created } = await this.store.write(volumeId, fileKey, {
      cookie,
      stored: write.data,
      gzipped: false,
      size: write.data.length,
      md5,
      mime: write.mime ?? '',
      name: write.name ?? '',
      lastModifiedMs: Date.now(),
    })
    return { size: write.data.length, md5Base64: md5.toString('base64'), created }
  }

  /** Throws on a malformed fid. */
  async readNeedle(fid: string, options?: { readDeleted?: boolean }): Promise<Needle | undefined> {
    const { volumeId, fileKey, cookie } = parseFid(fid)
    const record = this.store.get(volumeId, fileKey)
    if (!visible(record, cookie, options?.readDeleted === true)) return undefined
    const { mime, name, lastModifiedMs, deleted } = record
    return { data: await this.plainBytes(record), mime, name, lastModifiedMs, deleted }
  }

  /** Throws on a malformed fid; a missing needle or wrong cookie is a no-op. */
  async deleteNeedle(fid: string): Promise<void> {
    const { volumeId, fileKey, cookie } = parseFid(fid)
    this.store.delete(volumeId, fileKey, cookie)
  }

  close(): Promise<void> {
    this.closing ??= (async () => {
      await new Promise<void>((resolve) => {
        this.http.close(() => resolve())
        // Keep-alive and in-flight connections would otherwise hold close() open.
        this.http.closeAllConnections()
      })
      await this.store.close()
    })()
    return this.closing
  }

  private async plainBytes(record: NeedleRecord): Promise<Buffer> {
    const stored = await this.store.readStored(record)
    return record.gzipped ? gunzipAsync(stored) : stored
  }

  private onRequest(req: IncomingMessage, res: ServerResponse): void {
    this.handle(req, res).catch((err: unknown) => {
      const message = err instanceof Error ? err.message : String(err)
      this.log(`volume server: ${req.method} ${req.url}: ${message}`)
      if (res.headersSent || res.destroyed) res.destroy()
      else sendError(res, 500, message)
    })
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = req.url ?? '/'
    const q = url.indexOf('?')
    const path = q < 0 ? url : url.slice(0, q)
    const query = new URLSearchParams(q < 0 ? '' : url.slice(q + 1))
    const method = req.method ?? ''
    if (path === '/status') {
      if (method !== 'GET' && method !== 'HEAD')
        return sendError(res, 400, `unsupported method ${method}`)
      return sendJson(res, 200, this.status())
    }
    const target = parseTarget(path)
    if (typeof target === 'string') return sendError(res, 400, target)
    switch (method) {
      case 'GET':
      case 'HEAD':
        return this.handleRead(req, res, target, query)
      case 'POST':
      case 'PUT':
        return this.handleWrite(req, res, target, query)
      case 'DELETE':
        return this.handleDelete(req, res, target, query)
      default:
        return sendError(res, 400, `unsupported method ${method}`)
    }
  }

  /** Shaped like SeaweedFS's volume-server `/status`. */
  private status() {
    return {
      Version: 'seasync-embedded',
      Volumes: this.store.volumes().map((v) => ({
        Id: v.id,
        Collection: v.collection,
        Size: v.size,
        FileCount: v.fileCount,
        DeleteCount: v.deleteCount,
        DeletedByteCount: v.deletedByteCount,
        ReadOnly: false,
      })),
    }
  }

  private async handleRead(
    req: IncomingMessage,
    res: ServerResponse,
    target: Target,
    query: URLSearchParams,
  ): Promise<void> {
    const { volumeId, fileKey, cookie } = target.parts
    const record = this.store.get(volumeId, fileKey)
    // Missing, deleted (without readDeleted) and wrong cookie all look alike: 404, empty body (§8.3).
    if (!visible(record, cookie, query.get('readDeleted') === 'true')) return sendEmpty(res, 404)
    const etag = `"${record.md5.toString('hex')}"`
    const headers: OutgoingHttpHeaders = {
      'Accept-Ranges': 'bytes',
      'Content-Type': record.mime === '' ? 'application/octet-stream' : record.mime,
      ETag: etag,
      'Last-Modified': new Date(record.lastModifiedMs).toUTCString(),
    }
    const name = target.fileName === '' ? record.name : target.fileName
    if (name !== '') headers['Content-Disposition'] = contentDisposition(name, query.get('dl'))
    if (record.gzipped) headers['Vary'] = 'Accept-Encoding'
    if (notModified(req, etag, record.lastModifiedMs)) {
      res.writeHead(304, headers)
      return void res.end()
    }
    const head = req.method === 'HEAD'
    const rangeHeader = req.headers.range
    if (
      record.gzipped &&
      rangeHeader === undefined &&
      acceptsGzip(req.headers['accept-encoding'])
    ) {
      headers['Content-Encoding'] = 'gzip'
      headers['Content-Length'] = record.storedSize
      const body = head ? undefined : await this.store.readStored(record)
      res.writeHead(200, headers)
      return void res.end(body)
    }
    const size = record.size
    const range = rangeHeader === undefined ? undefined : parseRange(rangeHeader, size)
    if (range === 'unsatisfiable') {
      res.writeHead(416, { 'Content-Range': `bytes */${size}`, 'Content-Length': 0 })
      return void res.end()
    }
    const [start, end] = range ?? [0, size]
    if (range !== undefined) headers['Content-Range'] = `bytes ${start}-${end - 1}/${size}`
    headers['Content-Length'] = end - start
    let body: Buffer | undefined
    if (!head) {
      body = record.gzipped
        ? (await this.plainBytes(record)).subarray(start, end)
        : await this.store.readStored(record, start, end - start)
    }
    res.writeHead(range === undefined ? 200 : 206, headers)
    res.end(body)
  }

  private async handleWrite(
    req: IncomingMessage,
    res: ServerResponse,
    target: Target,
    query: URLSearchParams,
  ): Promise<void> {
    if (!this.authorized(req, query, target)) return sendError(res, 401, 'wrong jwt')
    const { volumeId, fileKey, cookie } = target.parts
    // SeaweedFS would proxy a write for a volume it does not hold; we have no peers to ask.
    if (!this.store.hasVolume(volumeId)) return sendError(res, 404, `volume ${volumeId} not found`)
    const body = await readBody(req, this.maxBodyBytes)
    if (body === undefined) {
      res.shouldKeepAlive = false
      return sendError(res, 413, `request body exceeds ${this.maxBodyBytes} bytes`)
    }
    const upload = parseUpload(req.headers, body)
    if (typeof upload === 'string') return sendError(res, 400, upload)
    let data = upload.data
    if (upload.gzipped) {
      try {
        data = await gunzipAsync(upload.data, { maxOutputLength: this.maxBodyBytes })
      } catch (err) {
        return sendError(res, 400, `invalid gzip body: ${(err as Error).message}`)
      }
    }
    const md5 = createHash('md5').update(data).digest()
    const contentMd5 = md5.toString('base64')
    if (upload.contentMd5 !== '' && upload.contentMd5 !== contentMd5) {
      // Go compares the base64 strings as given (needle_parse_upload.go).
      const detail = `expected [${upload.contentMd5}] received [${contentMd5}] size ${data.length}`
      return sendError(res, 400, `Content-MD5 did not match md5 of file data ${detail}`)
    }
    const tsSec = Number(query.get('ts') ?? '')
    const { created } = await this.store.write(volumeId, fileKey, {
      cookie,
      stored: upload.data,
      gzipped: upload.gzipped,
      size: data.length,
      md5,
      mime: upload.mime,
      name: upload.name,
      lastModifiedMs: tsSec > 0 && Number.isSafeInteger(tsSec) ? tsSec * 1000 : Date.now(),
    })
    const eTag = md5.toString('hex')
    const headers: OutgoingHttpHeaders = { ETag: `"${eTag}"` }
    if (upload.contentMd5 !== '') headers['Content-MD5'] = contentMd5
    if (!created) {
      res.writeHead(204, headers)
      return void res.end()
    }
    // Field order and omitempty as Go's operation.UploadResult.
    sendJson(
      res,
      201,
      {
        ...(upload.name === '' ? {} : { name: upload.name }),
        size: data.length,
        eTag,
        ...(upload.mime === '' ? {} : { mime: upload.mime }),
        ...(upload.contentMd5 === '' ? {} : { contentMd5 }),
      },
      headers,
    )
  }

  private async handleDelete(
    req: IncomingMessage,
    res: ServerResponse,
    target: Target,
    query: URLSearchParams,
  ): Promise<void> {
    if (!this.authorized(req, query, target)) return sendError(res, 401, 'wrong jwt')
    const { volumeId, fileKey, cookie } = target.parts
    if (!this.store.hasVolume(volumeId)) return sendError(res, 404, `volume ${volumeId} not found`)
    const result = this.store.delete(volumeId, fileKey, cookie)
    // As Go's DeleteHandler: unknown needle → 404 {"size":0}; cookie mismatch → 400.
    if (result === 'missing') return sendJson(res, 404, { size: 0 })
    if (result === 'cookie-mismatch')
      return sendError(res, 400, 'File Random Cookie does not match.')
    sendJson(res, 202, { size: result })
  }

  /**
   * Go's `maybeCheckJwtAuthorization`: token from `?jwt=`, else `Authorization: Bearer` (scheme
   * case-insensitive, spec §8.4); its `fid` claim must equal `<vid>,<keycookie>` from the URL.
   */
  private authorized(req: IncomingMessage, query: URLSearchParams, target: Target): boolean {
    if (this.jwtKey === '') return true
    let token = query.get('jwt') ?? ''
    const auth = req.headers.authorization ?? ''
    if (token === '' && auth.length > 7 && auth.slice(0, 6).toUpperCase() === 'BEARER') {
      token = auth.slice(7)
    }
    if (token === '') return false
    const verified = verifyJwt(this.jwtKey, token)
    if (!verified.ok) this.log(`volume server: jwt for ${target.fid} refused: ${verified.reason}`)
    return verified.ok && verified.claims['fid'] === target.fid
  }
}

function visible(
  record: NeedleRecord | undefined,
  cookie: number,
  readDeleted: boolean,
): record is NeedleRecord {
  return record !== undefined && record.cookie === cookie && (!record.deleted || readDeleted)
}

/**
 * Go's `parseURLPath`: `/<vid>,<keycookie>[.ext]`, `/<vid>/<keycookie>[.ext]` or
 * `/<vid>/<keycookie>/<filename>`. Returns an error message when the path is not a fid.
 */
function parseTarget(path: string): Target | string {
  const segments = path.split('/')
  let vid: string
  let keyCookie: string
  let fileName = ''
  if (segments.length === 2) {
    const last = segments[1] as string
    const comma = last.lastIndexOf(',')
    if (comma <= 0) return `invalid fid path ${JSON.stringify(path)}`
    vid = last.slice(0, comma)
    keyCookie = last.slice(comma + 1)
  } else if (segments.length === 3 || segments.length === 4) {
    vid = segments[1] as string
    keyCookie = segments[2] as string
    try {
      fileName = decodeURIComponent(segments[3] ?? '')
    } catch {
      return `invalid file name in ${JSON.stringify(path)}`
    }
  } else {
    return `invalid fid path ${JSON.stringify(path)}`
  }
  const dot = keyCookie.indexOf('.')
  if (dot >= 0) keyCookie = keyCookie.slice(0, dot)
  const fid = `${vid},${keyCookie}`
  try {
    return { fid, parts: parseFid(fid), fileName }
  } catch (err) {
    return (err as Error).message
  }
}

/**
 * One `bytes=` range as [start, endExclusive], like Go's http.ServeContent: syntax errors and
 * ranges starting past the end are unsatisfiable (416). Several ranges: undefined, i.e. ignore the
 * header and send everything, which RFC 9110 allows (Go would send multipart/byteranges).
 */
function parseRange(header: string, size: number): [number, number] | 'unsatisfiable' | undefined {
  if (!header.startsWith('bytes=')) return 'unsatisfiable'
  const specs = header
    .slice(6)
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '')
  if (specs.length > 1) return undefined
  const match = /^(\d*)-(\d*)$/.exec(specs[0] ?? '')
  if (match === null) return 'unsatisfiable'
  const [, first = '', last = ''] = match
  if (first === '') {
    const suffix = Number(last)
    if (last === '' || suffix === 0 || size === 0) return 'unsatisfiable'
    return [Math.max(0, size - suffix), size]
  }
  const start = Number(first)
  const end = last === '' ? size - 1 : Number(last)
  if (start >= size || end < start) return 'unsatisfiable'
  return [start, Math.min(end, size - 1) + 1]
}

/** Whether an Accept-Encoding header admits gzip (q > 0 on `gzip`, `x-gzip` or `*`). */
function acceptsGzip(header: string | undefined): boolean {
  if (header === undefined || header === '') return false
  let wildcard = false
  for (const item of header.toLowerCase().split(',')) {
    const [coding = '', ...params] = item.split(';').map((s) => s.trim())
    const q = params.find((p) => p.startsWith('q='))
    const accepted = q === undefined || Number(q.slice(2)) > 0
    if (coding === 'gzip' || coding === 'x-gzip') return accepted
    if (coding === '*') wildcard = accepted
  }
  return wildcard
}

function notModified(req: IncomingMessage, etag: string, lastModifiedMs: number): boolean {
  const ifNoneMatch = req.headers['if-none-match']
  if (ifNoneMatch !== undefined) {
    return ifNoneMatch.split(',').some((tag) => {
      const t = tag.trim()
      return t === '*' || t === etag || t === `W/${etag}`
    })
  }
  const since = Date.parse(req.headers['if-modified-since'] ?? '')
  return Number.isFinite(since) && Math.floor(lastModifiedMs / 1000) * 1000 <= since
}

/**
 * `inline; filename="<name>"` (`attachment` with `?dl=true`), escaped as Go's fileNameEscaper.
 * Non-ASCII names go out as raw UTF-8 bytes, as Go writes them.
 */
function contentDisposition(name: string, dl: string | null): string {
  // Control characters would break the header; Go's escaper drops them too.
  // eslint-disable-next-line no-control-regex -- matching control characters is the point
  const escaped = name.replace(/[\\"]/g, '\\$&').replace(/[\u0000-\u001f\u007f]/g, '')
  const kind = dl === 'true' || dl === '1' ? 'attachment' : 'inline'
  return Buffer.from(`${kind}; filename="${escaped}"`, 'utf8').toString('latin1')
}

/** Collect a request body, or undefined once it exceeds `limit` bytes (the rest is not read). */
function readBody(req: IncomingMessage, limit: number): Promise<Buffer | undefined> {
  if (Number(req.headers['content-length'] ?? 0) > limit) return Promise.resolve(undefined)
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    let total = 0
    const onData = (chunk: Buffer) => {
      total += chunk.length
      if (total > limit) {
        req.off('data', onData)
        resolve(undefined)
      } else {
        chunks.push(chunk)
      }
    }
    req.on('data', onData)
    req.once('end', () => resolve(Buffer.concat(chunks, total)))
    req.once('error', reject)
    req.once('close', () => {
      if (!req.complete) reject(new Error('request aborted'))
    })
  })
}

function sendJson(
  res: ServerResponse,
  status: number,
  value: unknown,
  headers: OutgoingHttpHeaders = {},
): void {
  const body = JSON.stringify(value)
  res.writeHead(status, {
    ...headers,
    'Content-Type': 'application/json',
    'Content-Length': Buffer.byteLength(body),
  })
  res.end(body)
}

function sendError(res: ServerResponse, status: number, message: string): void {
  sendJson(res, status, { error: message })
}

function sendEmpty(res: ServerResponse, status: number): void {
  res.writeHead(status, { 'Content-Length': 0 })
  res.end()
}

/** The needle carried by an upload request (spec §8.4 step 3). */
interface Upload {
  /** Bytes as sent: gzip when `gzipped`. */
  data: Buffer
  gzipped: boolean
  mime: string
  name: string
  /** `Content-MD5` sent by the client (part header, else request header), '' if none. */
  contentMd5: string
}

/**
 * Go's `ParseUpload`: a multipart/form-data body yields its first part, or the first part that
 * has a filename when the first has none; any other body is the needle itself.
 */
function parseUpload(headers: IncomingHttpHeaders, body: Buffer): Upload | string {
  const contentType = headers['content-type'] ?? ''
  const md5Header = headers['content-md5']
  const requestMd5 = (Array.isArray(md5Header) ? md5Header[0] : md5Header) ?? ''
  const { type, params } = parseHeaderValue(contentType)
  if (type !== 'multipart/form-data') {
    const gzipped = headers['content-encoding'] === 'gzip'
    return { data: body, gzipped, mime: contentType, name: '', contentMd5: requestMd5 }
  }
  const boundary = params.get('boundary')
  if (boundary === undefined || boundary === '') return 'multipart body without boundary'
  const part = multipartFilePart(body, boundary)
  if (part === undefined) return 'malformed multipart body'
  const filename = parseHeaderValue(part.headers.get('content-disposition') ?? '').params.get(
    'filename',
  )
  return {
    data: part.data,
    gzipped: part.headers.get('content-encoding') === 'gzip',
    mime: part.headers.get('content-type') ?? '',
    // Go keeps only the base name (path.Base of Part.FileName()).
    name: (filename ?? '').replace(/\/+$/, '').replace(/^.*\//, ''),
    contentMd5: part.headers.get('content-md5') ?? requestMd5,
  }
}

interface Part {
  headers: Map<string, string>
  data: Buffer
}

function multipartFilePart(body: Buffer, boundary: string): Part | undefined {
  const dashBoundary = `--${boundary}`
  let pos = body.indexOf(dashBoundary)
  let first: Part | undefined
  while (pos >= 0) {
    pos += dashBoundary.length
    if (body[pos] === 0x2d && body[pos + 1] === 0x2d) break // closing delimiter
    const headers = new Map<string, string>()
    let lineStart = body.indexOf(0x0a, pos) + 1
    if (lineStart === 0) return first
    for (;;) {
      const lineEnd = body.indexOf(0x0a, lineStart)
      if (lineEnd < 0) return first
      const line = body.toString('utf8', lineStart, lineEnd).replace(/\r$/, '')
      lineStart = lineEnd + 1
      if (line === '') break
      const colon = line.indexOf(':')
      if (colon > 0)
        headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim())
    }
    // Go's multipart reader also accepts bare-LF line endings.
    let end = body.indexOf(`\r\n${dashBoundary}`, lineStart)
    let next = end + 2
    if (end < 0) {
      end = body.indexOf(`\n${dashBoundary}`, lineStart)
      next = end + 1
    }
    if (end < 0) return first
    const part = { headers, data: body.subarray(lineStart, end) }
    const disposition = parseHeaderValue(headers.get('content-disposition') ?? '')
    if ((disposition.params.get('filename') ?? '') !== '') return part
    first ??= part
    pos = next
  }
  return first
}

/**
 * `type; key=value; key="quoted"` as Go's mime.ParseMediaType, including RFC 2231
 * `key*=charset'lang'percent-encoded`, which wins over the plain form.
 */
function parseHeaderValue(value: string): { type: string; params: Map<string, string> } {
  const semi = value.indexOf(';')
  const type = (semi < 0 ? value : value.slice(0, semi)).trim().toLowerCase()
  const params = new Map<string, string>()
  const param = /\s*([^\s=;]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^;]*))\s*(?:;|$)/y
  param.lastIndex = semi < 0 ? value.length : semi + 1
  for (let m = param.exec(value); m !== null; m = param.exec(value)) {
    const key = (m[1] ?? '').toLowerCase()
    const raw = m[2] === undefined ? (m[3] ?? '').trim() : m[2].replace(/\\(.)/g, '$1')
    if (key.endsWith('*')) {
      const ext = /^([^']*)'[^']*'(.*)$/.exec(raw)
      try {
        if (ext !== null) params.set(key.slice(0, -1), decodeURIComponent(ext[2] ?? ''))
      } catch {
        // undecodable extended value: keep the plain form, if any
      }
    } else if (!params.has(key)) {
      params.set(key, raw)
    }
    if (param.lastIndex >= value.length) break
  }
  return { type, params }
}
