/**
 * The filer HTTP API (SeaweedFS 4.44's `filerHandler`, weed/server/filer_server_handlers*.go):
 *
 * - `/?proxyChunkId=<fid>` (any method): chunk proxy to the volume server, checked first (§8.3).
 * - `GET`/`HEAD /<file>`: content with ETag, ranges, conditional requests; `?metadata=true`
 *   [`&resolveManifest=true`] the entry as JSON (Go's `filer.Entry` shape, see entry-json.ts).
 * - `GET /<dir>[/]`: listing JSON (`?limit=`, `?lastFileName=`, `?namePattern=`).
 * - `POST`/`PUT /<path>`: upload (raw body or multipart/form-data), chunked and manifestized like
 *   SeaweedFS; `?op=append`, `?mode=`, `?maxMB=`, `?collection=`, `?replication=`,
 *   `?skipCheckParentDir=true`, `Content-MD5` checked.
 * - `POST /<dir>/` without Content-Type (SeaweedFS's mkdir rule), or any write with `?op=mkdir`:
 *   create the directory (201 `{"name"}`; 409 when it exists).
 * - `DELETE /<path>`: `?recursive=true`, `?ignoreRecursiveError=true`, `?skipChunkDeletion=true`;
 *   204 on success and for a missing path.
 * - `OPTIONS`: CORS preflight answer; other methods 405.
 *
 * Errors are JSON `{"error": "..."}` (a missing file is a bare 404, as in SeaweedFS).
 */
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { Entry } from '../filer/entry-form.js'
import type { Filer } from '../filer/filer.js'
import { EntryNotFoundError, FilerOperationError } from '../filer/filer-errors.js'
import { normalizePath, splitPath } from '../filer/paths.js'
import { bucketCollection } from '../grpc/filer-service.js'
import type { VolumeServer } from '../volume/volume-types.js'
import { resolveManifests } from './chunk-data.js'
import type { ServerTls } from '../volume/volume-server.js'
import { ChunkProxy, proxyFid } from './chunk-proxy.js'
import { entryJson } from './entry-json.js'
import {
  ClientGoneError,
  contentLength,
  HttpError,
  parseTarget,
  sendEmpty,
  sendJson,
  sendJsonError,
  type RequestTarget,
} from './http-io.js'
import { sendListing } from './listing.js'
import { multipartBoundary, readFirstPart } from './multipart-reader.js'
import { serveFile } from './read-file.js'
import { storeUpload } from './upload.js'
import { nowNs } from '../filer/meta-log.js'

/** What the filer HTTP handler works with; built by embedded-filer.ts. */
export interface FilerHttpContext {
  filer: Filer
  volume: VolumeServer
  /** Upload chunk size, MiB (SeaweedFS `-maxMB`); `?maxMB=` overrides it per request. */
  maxMB: number
  /** A file whose first block is smaller than this many bytes is stored inline (0 = never). */
  saveToFilerLimit: number
  /** Data chunks per manifest chunk (SeaweedFS `ManifestBatch`). */
  manifestBatch: number
  logger: (line: string) => void
  /** The volume server's HTTPS: the chunk proxy forwards with this client identity. */
  tls?: ServerTls | undefined
}

/** Go's `os.ModeDir`. */
const MODE_DIR = 0x80000000
/** SeaweedFS's default `?mode=` for HTTP writes and mkdir. */
const DEFAULT_MODE = 0o660
const MiB = 1024 * 1024

/** The node:http request listener of the filer HTTP API. */
export function createFilerHttpHandler(
  ctx: FilerHttpContext,
): (req: IncomingMessage, res: ServerResponse) => void {
  const proxy = new ChunkProxy(ctx.volume, ctx.logger, ctx.tls)
  return (req, res) => {
    handle(ctx, proxy, req, res).catch((err: unknown) => fail(ctx, req, res, err))
  }
}

async function handle(
  ctx: FilerHttpContext,
  proxy: ChunkProxy,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const rawUrl = req.url ?? '/'
  // Before anything else, on the raw URI, for every method (spec §8.3).
  const fid = proxyFid(rawUrl)
  if (fid !== undefined) return proxy.handle(req, res, fid)
  const target = parseTarget(rawUrl)
  switch (req.method) {
    case 'GET':
    case 'HEAD':
      req.resume()
      return handleRead(ctx, req, res, target)
    case 'POST':
    case 'PUT':
      return handleWrite(ctx, req, res, target)
    case 'DELETE':
      req.resume()
      return handleDelete(ctx, res, target)
    case 'OPTIONS':
      req.resume()
      return sendEmpty(res, 200, {
        Allow: 'GET, HEAD, POST, PUT, DELETE, OPTIONS',
        'Access-Control-Allow-Methods': 'PUT, POST, GET, DELETE, OPTIONS',
        'Access-Control-Allow-Headers': '*',
      })
    default:
      req.resume()
      throw new HttpError(405, `method ${req.method ?? ''} not allowed`)
  }
}

function fail(
  ctx: FilerHttpContext,
  req: IncomingMessage,
  res: ServerResponse,
  err: unknown,
): void {
  if (err instanceof ClientGoneError || res.destroyed) return void res.destroy()
  const status = errorStatus(err)
  const message = err instanceof Error ? err.message : String(err)
  if (status >= 500) ctx.logger(`filer http: ${req.method ?? ''} ${req.url ?? ''}: ${message}`)
  // Mid-body failure: the status line is gone, only cutting the connection tells the client.
  if (res.headersSent) return void res.destroy()
  sendJsonError(req, res, status, message)
}

/**
 * The status of a failure. Filer refusals mirror Go's autoChunk rule (`… is a file` / `… already
 * exists` → 409, the rest 500), except that a file-over-directory overwrite is 409 too and a
 * malformed name is 400.
 */
function errorStatus(err: unknown): number {
  if (err instanceof HttpError) return err.status
  if (err instanceof EntryNotFoundError) return 404
  if (err instanceof FilerOperationError) {
    switch (err.code) {
      case 'PARENT_IS_FILE':
      case 'EXISTING_IS_FILE':
      case 'EXISTING_IS_DIRECTORY':
      case 'ENTRY_ALREADY_EXISTS':
        return 409
      case 'ENTRY_NAME_TOO_LONG':
        return 400
      default:
        if (err.message.startsWith('invalid entry name')) return 400
        return /(is a file|already exists)$/.test(err.message) ? 409 : 500
    }
  }
  return 500
}

// ---- GET / HEAD --------------------------------------------------------------------------------

async function handleRead(
  ctx: FilerHttpContext,
  req: IncomingMessage,
  res: ServerResponse,
  { path: rawPath, query }: RequestTarget,
): Promise<void> {
  const path = normalizePath(rawPath)
  const entry = ctx.filer.findEntry(path)
  // SeaweedFS answers a missing file with a bare 404.
  if (entry === undefined) return sendEmpty(res, 404)
  const metadata = query.get('metadata') === 'true'
  if (entry.is_directory) {
    if (metadata) return sendJson(req, res, 200, entryJson(path, entry))
    return sendListing(ctx.filer, req, res, path, query)
  }
  if (metadata) {
    let shown: Entry = entry
    if (query.get('resolveManifest') === 'true') {
      try {
        shown = { ...entry, chunks: await resolveManifests(ctx.volume, entry.chunks) }
      } catch (err) {
        throw new HttpError(500, `failed to resolve chunk manifest, err: ${(err as Error).message}`)
      }
    }
    return sendJson(req, res, 200, entryJson(path, shown))
  }
  await serveFile(ctx.volume, req, res, entry, query)
}

// ---- POST / PUT --------------------------------------------------------------------------------

async function handleWrite(
  ctx: FilerHttpContext,
  req: IncomingMessage,
  res: ServerResponse,
  target: RequestTarget,
): Promise<void> {
  const { path: rawPath, query } = target
  const requestType = req.headers['content-type'] ?? ''
  if (
    query.get('op') === 'mkdir' ||
    (req.method === 'POST' && requestType === '' && rawPath.endsWith('/'))
  ) {
    req.resume()
    return mkdir(ctx, req, res, target)
  }
  const iterator = req.iterator({ destroyOnReturn: false }) as AsyncIterator<Buffer>
  try {
    await upload(ctx, req, res, target, requestType, iterator)
  } finally {
    // Whatever happened, read the rest of the body so the connection stays usable.
    void Promise.resolve(iterator.return?.()).then(
      () => req.resume(),
      () => req.resume(),
    )
  }
}

async function upload(
  ctx: FilerHttpContext,
  req: IncomingMessage,
  res: ServerResponse,
  { path: rawPath, query }: RequestTarget,
  requestType: string,
  iterator: AsyncIterator<Buffer>,
): Promise<void> {
  const { filer } = ctx
  const boundary = multipartBoundary(requestType)
  let fileName: string
  let mime: string
  let source: AsyncIterable<Buffer>
  if (boundary !== undefined) {
    // Go takes the first part, whatever its form name.
    const part = await readFirstPart(iterator, boundary)
    fileName = part.fileName
    mime = part.contentType
    source = part.body
  } else {
    // SeaSync also takes a raw POST body (Go insists on multipart for POST and 500s otherwise).
    fileName = ''
    mime = requestType
    source = { [Symbol.asyncIterator]: () => iterator }
  }
  // Go stores the default type as "no type".
  if (mime === 'application/octet-stream') mime = ''

  // Go's fixFilePath: a part file name completes a path ending in `/` or naming a directory.
  let fullPath: string
  if (rawPath.endsWith('/')) {
    if (fileName === '')
      throw new HttpError(
        400,
        `no file name for ${rawPath}: use a multipart file name or a path not ending in /`,
      )
    fullPath = rawPath + fileName
  } else if (fileName !== '' && filer.findEntry(rawPath)?.is_directory) {
    fullPath = `${rawPath}/${fileName}`
  } else {
    fullPath = rawPath
  }
  fullPath = normalizePath(fullPath)
  const [dir, name] = splitPath(fullPath)
  if (name === '') throw new HttpError(400, 'cannot write to /')
  // Refuse before reading the body: nothing would be stored anyway.
  if (filer.findEntry(fullPath)?.is_directory)
    throw new HttpError(409, `existing ${fullPath} is a directory`)

  const maxMB = Number.parseInt(query.get('maxMB') ?? '', 10)
  const chunkSize = Math.floor((maxMB > 0 ? maxMB : ctx.maxMB) * MiB)
  const expected = boundary === undefined ? contentLength(req) : undefined
  const outcome = await storeUpload(
    {
      filer,
      volume: ctx.volume,
      dir,
      name,
      needleName: fileName === '' ? name : fileName,
      mime,
      mode: parseMode(query.get('mode')),
      collection: query.get('collection') || bucketCollection(fullPath),
      replication: query.get('replication') ?? '',
      chunkSize,
      saveToFilerLimit: ctx.saveToFilerLimit,
      manifestBatch: ctx.manifestBatch,
      append: query.get('op') === 'append',
      ...(expected === undefined ? {} : { expectedBytes: expected }),
      contentMd5: String(req.headers['content-md5'] ?? ''),
      extended: extendedFromHeaders(req),
      skipCheckParentDirectory: query.get('skipCheckParentDir') === 'true',
    },
    source,
  )
  const md5 = outcome.entry.attributes?.md5
  sendJson(
    req,
    res,
    201,
    {
      name,
      size: Number(outcome.entry.attributes?.file_size ?? 0),
      ...(md5 && md5.length > 0 ? { eTag: md5.toString('hex') } : {}),
    },
    { 'Content-MD5': outcome.md5.toString('base64') },
  )
}

/** SeaweedFS's mkdir: mode `?mode=` (default 0660) | ModeDir, owner 0, 409 when the path exists. */
async function mkdir(
  ctx: FilerHttpContext,
  req: IncomingMessage,
  res: ServerResponse,
  target: RequestTarget,
): Promise<void> {
  const path = normalizePath(target.path)
  if (ctx.filer.findEntry(path) !== undefined)
    throw new HttpError(409, `dir ${path} already exists`)
  const [dir, name] = splitPath(path)
  // Full ns precision, as Go's time.Now(): replicators order versions by mtime*1e9+mtime_ns.
  const now = nowNs()
  const sec = String(now / 1_000_000_000n)
  const ns = Number(now % 1_000_000_000n)
  await ctx.filer.createEntry(
    dir,
    {
      name,
      is_directory: true,
      chunks: [],
      extended: {},
      attributes: {
        mtime: sec,
        mtime_ns: ns,
        crtime: sec,
        crtime_ns: ns,
        file_mode: (parseMode(target.query.get('mode')) | MODE_DIR) >>> 0,
        uid: 0,
        gid: 0,
        group_name: [],
      },
    },
    { signatures: [], isFromOtherCluster: false },
  )
  sendJson(req, res, 201, { name })
}

/** `?mode=` as octal permission bits; absent or malformed → 0660, as Go (which logs and goes on). */
function parseMode(value: string | null): number {
  if (value === null || !/^[0-7]{1,11}$/.test(value)) return DEFAULT_MODE
  const mode = Number.parseInt(value, 8)
  return mode <= 0xffffffff ? mode : DEFAULT_MODE
}

/**
 * Request headers Go's saveMetaData keeps in `extended`: `Seaweed-*`, Cache-Control, Expires,
 * Content-Disposition (and Response-Content-Disposition as Content-Disposition); keys in Go's
 * canonical form, as a GET then sends them back.
 */
function extendedFromHeaders(req: IncomingMessage): Record<string, Buffer> {
  const out: Record<string, Buffer> = {}
  for (const [name, value] of Object.entries(req.headers)) {
    const first = Array.isArray(value) ? value[0] : value
    if (first === undefined || first === '') continue
    if (
      name.startsWith('seaweed-') ||
      name === 'cache-control' ||
      name === 'expires' ||
      name === 'content-disposition'
    ) {
      out[canonicalHeader(name)] = Buffer.from(first, 'latin1')
    }
    if (name === 'response-content-disposition')
      out['Content-Disposition'] = Buffer.from(first, 'latin1')
  }
  return out
}

/** Go's textproto.CanonicalMIMEHeaderKey: `seaweed-foo-bar` → `Seaweed-Foo-Bar`. */
function canonicalHeader(name: string): string {
  return name
    .split('-')
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1).toLowerCase())
    .join('-')
}

// ---- DELETE ------------------------------------------------------------------------------------

async function handleDelete(
  ctx: FilerHttpContext,
  res: ServerResponse,
  { path: rawPath, query }: RequestTarget,
): Promise<void> {
  const [dir, name] = splitPath(normalizePath(rawPath))
  try {
    await ctx.filer.deleteEntry(dir, name, {
      isRecursive: query.get('recursive') === 'true',
      ignoreRecursiveError: query.get('ignoreRecursiveError') === 'true',
      isDeleteData: query.get('skipChunkDeletion') !== 'true',
      signatures: [],
      isFromOtherCluster: false,
    })
  } catch (err) {
    // SeaweedFS: deleting what is not there is success.
    if (!(err instanceof EntryNotFoundError)) throw err
  }
  sendEmpty(res, 204)
}
