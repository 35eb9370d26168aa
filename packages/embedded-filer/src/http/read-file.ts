/**
 * Serving a file's bytes (`GET`/`HEAD /<path>`; Go: weed/server/filer_server_handlers_read.go and
 * `ProcessRangeRequest` in common.go): inline content or chunks (manifests resolved, later chunks
 * winning overlaps, holes as zeros), streamed chunk by chunk, with ETag (spec §7.1), conditional
 * requests, and byte ranges that read only the chunks they touch.
 */
import { randomBytes } from 'node:crypto'
import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http'
import { entryETag, entryFileSize, type Entry } from '../filer/entry-form.js'
import type { VolumeServer } from '../volume/volume-types.js'
import { contentRange, parseByteRanges, type ByteRange } from './byte-ranges.js'
import { readChunkBytes, resolveManifests } from './chunk-data.js'
import { sendEmpty, writeWithBackpressure, writeZeros } from './http-io.js'
import { visibleIntervals } from './visible-intervals.js'

/** Writes the bytes `[start, start + length)` of the file to the response. */
type WriteRange = (res: ServerResponse) => Promise<void>

/** Go's built-in `mime.TypeByExtension` table (the part of it that is not OS-dependent). */
const MIME_BY_EXTENSION: Record<string, string> = {
  '.avif': 'image/avif',
  '.css': 'text/css; charset=utf-8',
  '.gif': 'image/gif',
  '.htm': 'text/html; charset=utf-8',
  '.html': 'text/html; charset=utf-8',
  '.jpeg': 'image/jpeg',
  '.jpg': 'image/jpeg',
  '.js': 'text/javascript; charset=utf-8',
  '.json': 'application/json',
  '.mjs': 'text/javascript; charset=utf-8',
  '.pdf': 'application/pdf',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
  '.wasm': 'application/wasm',
  '.webp': 'image/webp',
  '.xml': 'text/xml; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
}

/** Extended keys that are not response headers: fs xattrs and SeaweedFS/S3 internals. */
function isHeaderWorthy(key: string): boolean {
  const k = key.toLowerCase()
  return (
    !k.startsWith('xattr-') && !k.startsWith('x-seaweedfs-') && !k.startsWith('x-amz-server-side')
  )
}

/** The response Content-Type of a file entry: its mime, else by extension, else octet-stream. */
export function fileContentType(entry: Entry): string {
  const mime = entry.attributes?.mime ?? ''
  if (mime !== '') return mime
  const name = entry.name ?? ''
  const dot = name.lastIndexOf('.')
  const byExt = dot >= 0 ? MIME_BY_EXTENSION[name.slice(dot).toLowerCase()] : undefined
  return byExt ?? 'application/octet-stream'
}

/** Serve a (non-directory) entry's content. Throws before any header is sent on a bad manifest. */
export async function serveFile(
  volume: VolumeServer,
  req: IncomingMessage,
  res: ServerResponse,
  entry: Entry,
  query: URLSearchParams,
): Promise<void> {
  const etag = entryETag(entry)
  const mtimeSec = Number(entry.attributes?.mtime ?? 0)
  const headers: OutgoingHttpHeaders = {}
  if (mtimeSec !== 0) {
    headers['Last-Modified'] = new Date(mtimeSec * 1000).toUTCString()
    const precondition = checkPreconditions(req, etag, mtimeSec)
    if (precondition === 412) return sendEmpty(res, 412, headers)
    if (precondition === 304) {
      res.writeHead(304, { ...headers, ETag: `"${etag}"` })
      return void res.end()
    }
  }
  const contentType = fileContentType(entry)
  headers['Accept-Ranges'] = 'bytes'
  headers['Content-Type'] = contentType
  const exposed: string[] = []
  for (const [key, value] of Object.entries(entry.extended)) {
    if (!isHeaderWorthy(key)) continue
    headers[key] = Buffer.from(value).toString('latin1')
    if (key.toLowerCase().startsWith('seaweed-')) exposed.push(key)
  }
  // Seaweed-* headers are invisible to browser JavaScript unless exposed (Go does the same).
  headers['Access-Control-Expose-Headers'] = [...exposed, 'Content-Disposition'].join(',')
  headers['ETag'] = `"${etag}"`
  if (!Object.keys(headers).some((k) => k.toLowerCase() === 'content-disposition') && entry.name) {
    const dl = query.get('dl')
    const kind =
      dl !== null && ['1', 't', 'T', 'true', 'TRUE', 'True'].includes(dl) ? 'attachment' : 'inline'
    const escaped = queryEscape(entry.name)
    headers['Content-Disposition'] = `${kind}; filename="${escaped}"`
  }
  const size = entryFileSize(entry)
  if (req.method === 'HEAD') {
    res.writeHead(200, { ...headers, 'Content-Length': size })
    return void res.end()
  }
  const parsed = parseByteRanges(req.headers.range, size)
  if (parsed.kind === 'unsatisfiable') {
    const body = Buffer.from(`${parsed.reason}\n`)
    res.writeHead(416, {
      'Content-Range': `bytes */${size}`,
      'Content-Type': 'text/plain; charset=utf-8',
      'Content-Length': body.length,
    })
    return void res.end(body)
  }
  if (parsed.kind === 'full') {
    const write = await prepareRange(volume, entry, { start: 0, length: size })
    res.writeHead(200, { ...headers, 'Content-Length': size })
    await write(res)
    return void res.end()
  }
  const ranges = parsed.ranges
  if (ranges.length === 1) {
    const range = ranges[0]!
    const write = await prepareRange(volume, entry, range)
    res.writeHead(206, {
      ...headers,
      'Content-Length': range.length,
      'Content-Range': contentRange(range, size),
    })
    await write(res)
    return void res.end()
  }
  // Several ranges: multipart/byteranges, framed as Go's multipart.Writer does.
  const boundary = randomBytes(30).toString('hex')
  const parts = ranges.map((range, i) => ({
    range,
    head: Buffer.from(
      `${i === 0 ? '' : '\r\n'}--${boundary}\r\nContent-Range: ${contentRange(range, size)}\r\n` +
        `Content-Type: ${contentType}\r\n\r\n`,
    ),
  }))
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`)
  const writers: WriteRange[] = []
  for (const part of parts) writers.push(await prepareRange(volume, entry, part.range))
  const total = parts.reduce((sum, p) => sum + p.head.length + p.range.length, tail.length)
  res.writeHead(206, {
    ...headers,
    'Content-Type': `multipart/byteranges; boundary=${boundary}`,
    'Content-Length': total,
  })
  for (let i = 0; i < parts.length; i++) {
    await writeWithBackpressure(res, parts[i]!.head)
    await writers[i]!(res)
  }
  await writeWithBackpressure(res, tail)
  res.end()
}

/**
 * Resolve what a range needs (manifests, visible intervals) up front, so errors there become a
 * 500 before any byte is sent; the returned writer then streams one chunk at a time.
 */
export async function prepareRange(
  volume: VolumeServer,
  entry: Entry,
  range: ByteRange,
): Promise<WriteRange> {
  const from = range.start
  const to = range.start + range.length
  const content = entry.content
  if (content && content.length > 0) {
    return async (res) => {
      const end = Math.min(to, content.length)
      if (end > from) await writeWithBackpressure(res, content.subarray(from, end))
      await writeZeros(res, to - Math.max(from, end))
    }
  }
  const chunks = await resolveManifests(volume, entry.chunks, from, to)
  const intervals = visibleIntervals(chunks, from, to)
  return async (res) => {
    let cursor = from
    for (const interval of intervals) {
      if (interval.start > cursor) await writeZeros(res, interval.start - cursor)
      const data = await readChunkBytes(volume, interval.chunk)
      const want = interval.stop - interval.start
      const piece = data.subarray(interval.offsetInChunk, interval.offsetInChunk + want)
      if (piece.length > 0) await writeWithBackpressure(res, piece)
      // A needle shorter than its chunk claims: keep Content-Length honest with zeros.
      if (piece.length < want) await writeZeros(res, want - piece.length)
      cursor = interval.stop
    }
    if (cursor < to) await writeZeros(res, to - cursor)
  }
}

/**
 * Go's checkPreconditions: If-Match / If-Unmodified-Since → 412, then If-None-Match /
 * If-Modified-Since → 304. ETags compare without quotes and `W/`.
 */
function checkPreconditions(
  req: IncomingMessage,
  etag: string,
  mtimeSec: number,
): 304 | 412 | undefined {
  const ifMatch = req.headers['if-match']
  const ifUnmodifiedSince = req.headers['if-unmodified-since']
  if (ifMatch !== undefined && ifMatch !== '') {
    if (!etagListMatches(ifMatch, etag)) return 412
  } else if (ifUnmodifiedSince !== undefined) {
    const t = Date.parse(ifUnmodifiedSince)
    if (Number.isFinite(t) && t < mtimeSec * 1000) return 412
  }
  const ifNoneMatch = req.headers['if-none-match']
  const ifModifiedSince = req.headers['if-modified-since']
  if (ifNoneMatch !== undefined && ifNoneMatch !== '') {
    if (etagListMatches(ifNoneMatch, etag)) return 304
  } else if (ifModifiedSince !== undefined) {
    const t = Date.parse(ifModifiedSince)
    if (Number.isFinite(t) && t >= mtimeSec * 1000) return 304
  }
  return undefined
}

function etagListMatches(header: string, etag: string): boolean {
  return header.split(',').some((raw) => {
    const tag = raw.trim()
    return tag === '*' || canonicalETag(tag) === etag
  })
}

function canonicalETag(tag: string): string {
  return tag.replace(/^W\//, '').replace(/^"(.*)"$/, '$1')
}

/** Go's url.QueryEscape: like encodeURIComponent, plus `!'()*` escaped and spaces as `+`. */
function queryEscape(value: string): string {
  return encodeURIComponent(value)
    .replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
    .replace(/%20/g, '+')
}
