/**
 * HTTP reads and writes of single chunks, as `weed filer.sync` does them (spec §8.3, §8.4), with
 * the HEAD fixes: status and length checked (a 404 or short body is never uploaded), Range resume
 * after a broken body, and `Accept-Encoding: identity` so bytes arrive as stored.
 *
 * Requests go through node:http / node:https with the side's {@link HttpTransport} agent, so a
 * cluster with `[https.client]` TLS gets its own CA and client certificate (spec §1).
 */
import { randomBytes } from 'node:crypto'
import { request as httpRequest, type IncomingMessage } from 'node:http'
import { request as httpsRequest } from 'node:https'
import { SyncError, SyncStoppedError } from '../errors.js'
import { describeTlsError, type HttpTransport } from '../filer/cluster-tls.js'

/** An HTTP response with its body still to be read. */
export interface HttpResponse {
  status: number
  header(name: string): string | undefined
  body: IncomingMessage
}

/**
 * One request through `transport`'s agent; resolves once the response head arrives. The body is
 * the caller's to read (or `discard`). Rejects with the transport error (the caller translates).
 */
export function httpSend(
  transport: HttpTransport,
  url: string,
  {
    method = 'GET',
    headers = {},
    body = [],
    signal,
  }: {
    method?: string
    headers?: Record<string, string | number>
    body?: readonly Buffer[]
    signal?: AbortSignal | undefined
  },
): Promise<HttpResponse> {
  const send = url.startsWith('https:') ? httpsRequest : httpRequest
  return new Promise((resolve, reject) => {
    const req = send(
      url,
      { method, headers, agent: transport.agent, ...(signal ? { signal } : {}) },
      (res) => {
        res.on('error', () => {}) // surfaced to whoever reads the body
        resolve({
          status: res.statusCode ?? 0,
          header: (name) => {
            const value = res.headers[name.toLowerCase()]
            return Array.isArray(value) ? value.join(', ') : value
          },
          body: res,
        })
      },
    )
    req.on('error', reject)
    // node:http writes the parts as they are: no copy of a chunk into one body.
    for (const part of body) req.write(part)
    req.end()
  })
}

/** Drop a response body without reading it (frees the socket). */
export function discard(res: HttpResponse): void {
  res.body.resume()
}

/** Read `size` bytes of a chunk from `url`; resumes with Range after a body cut mid-transfer. */
export async function downloadChunk(
  transport: HttpTransport,
  url: string,
  size: number,
  { signal, maxResumes = 3 }: { signal: AbortSignal; maxResumes?: number },
): Promise<Buffer> {
  // Bounded by the chunk's own size: memory never grows with the file (STYLE practice 11).
  const out = Buffer.allocUnsafe(size)
  let received = 0
  for (let attempt = 0; ; attempt++) {
    const headers: Record<string, string> = { 'Accept-Encoding': 'identity' }
    if (received > 0) headers.Range = `bytes=${received}-`
    let res: HttpResponse
    try {
      res = await httpSend(transport, url, { headers, signal })
    } catch (err) {
      throw fetchError(err, signal, `GET ${url}`)
    }
    if (res.status >= 400) {
      discard(res)
      // A 404 (missing or vacuumed needle) is not retryable at this level; the caller decides
      // whether the source moved on (spec §8.5 stale source, field notes §3 item 28).
      throw new SyncError('SYNC_ERR_CHUNK_READ', `GET ${url}: HTTP ${res.status}`, {
        retryable: res.status >= 500,
      })
    }
    if (received > 0) {
      // A resume must be honoured exactly: 206 with a Content-Range starting where we stopped.
      const range = res.header('content-range') ?? ''
      if (res.status !== 206 || !range.startsWith(`bytes ${received}-`)) {
        discard(res)
        throw new SyncError(
          'SYNC_ERR_CHUNK_READ',
          `GET ${url}: resume at ${received} answered ${res.status} ${range || '(no Content-Range)'}`,
        )
      }
    }
    const progress = { at: received }
    try {
      await readInto(res, out, progress, url)
      received = progress.at
    } catch (err) {
      // Keep what arrived: the retry asks only for the rest (spec §8.3 resume).
      received = progress.at
      if (signal.aborted) throw new SyncStoppedError('stopped', { cause: err })
      if (err instanceof SyncError || attempt >= maxResumes) {
        throw err instanceof SyncError
          ? err
          : new SyncError('SYNC_ERR_CHUNK_READ', `GET ${url}: body broke after ${received} bytes`, {
              cause: err,
            })
      }
      continue // resume from `received`
    }
    if (received !== size) {
      // HEAD 4.30: a short (or empty) body is corruption, never uploaded (spec §12.11).
      throw new SyncError(
        'SYNC_ERR_CHUNK_SIZE',
        `GET ${url}: got ${received} bytes, chunk size is ${size}`,
      )
    }
    return out
  }
}

/** Copy the body into `out` from `progress.at`, advancing it as bytes arrive. */
function readInto(
  res: HttpResponse,
  out: Buffer,
  progress: { at: number },
  url: string,
): Promise<void> {
  return consume(res, (piece) => {
    if (progress.at + piece.length > out.length) {
      throw new SyncError(
        'SYNC_ERR_CHUNK_SIZE',
        `GET ${url}: body longer than the chunk size ${out.length}`,
      )
    }
    out.set(piece, progress.at)
    progress.at += piece.length
  })
}

/**
 * Feed every piece of the body to `onPiece`; resolves at its end, rejects when the body breaks
 * (reset, or closed before its end) or `onPiece` throws (the body is then destroyed). Plain
 * listeners rather than `for await`: the async iterator costs more than the copy for small
 * chunks, and these run once per chunk on the catch-up hot path.
 */
function consume(res: HttpResponse, onPiece: (piece: Buffer) => void): Promise<void> {
  const body = res.body
  return new Promise((resolve, reject) => {
    let settled = false
    const finish = (err?: Error): void => {
      if (settled) return
      settled = true
      body.off('data', onData)
      body.off('end', onEnd)
      body.off('close', onClose)
      if (err === undefined) resolve()
      else reject(err)
    }
    const onData = (piece: Buffer): void => {
      try {
        onPiece(piece)
      } catch (err) {
        finish(err as Error) // onPiece throws SyncErrors only
        body.destroy()
      }
    }
    const onEnd = (): void => finish()
    // 'close' without 'end' first: the connection went away mid-body.
    const onClose = (): void => finish(new Error('response body closed before its end'))
    body.on('data', onData)
    body.once('end', onEnd)
    body.once('close', onClose)
    body.once('error', (err) => finish(err))
  })
}

/**
 * Multipart boundaries: a random prefix per process and a counter, unique per upload like Go's
 * random ones, without a call into the CSPRNG per chunk.
 */
const BOUNDARY_PREFIX = randomBytes(12).toString('hex')
let boundaries = 0

/** The upload response of a volume server (spec §8.4). */
export interface UploadResult {
  size?: number
  eTag?: string
  error?: string
}

/**
 * POST one chunk as multipart/form-data with exactly one part, as Go's uploader (spec §8.4):
 * `Content-Disposition: form-data; filename="<name>"; name=file`, `Idempotency-Key`, optional
 * `Content-Type`; `Authorization: BEARER <jwt>` when the assignment carried one. 201 JSON or 204
 * is success; a non-empty `error` field is a failure whatever the status.
 */
export async function uploadChunk(
  transport: HttpTransport,
  url: string,
  data: Buffer,
  { jwt, mime, name, signal }: { jwt?: string; mime?: string; name?: string; signal: AbortSignal },
): Promise<UploadResult> {
  const boundary = `${BOUNDARY_PREFIX}${(boundaries++).toString(36)}`
  const partHeaders = [
    `Content-Disposition: form-data; filename="${escapeQuoted(name ?? '')}"; name=file`,
    `Idempotency-Key: ${url}`,
    ...(mime ? [`Content-Type: ${mime}`] : []),
  ]
  const head = Buffer.from(`--${boundary}\r\n${partHeaders.join('\r\n')}\r\n\r\n`)
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`)
  const headers: Record<string, string | number> = {
    'Content-Type': `multipart/form-data; boundary=${boundary}`,
    'Content-Length': head.length + data.length + tail.length,
  }
  if (jwt) headers.Authorization = `BEARER ${jwt}`
  let status: number
  let text: string
  try {
    const res = await httpSend(transport, url, {
      method: 'POST',
      headers,
      body: [head, data, tail],
      signal,
    })
    status = res.status
    text = await readText(res)
  } catch (err) {
    throw fetchError(err, signal, `POST ${url}`)
  }
  if (status === 204) return {}
  let body: UploadResult = {}
  try {
    body = text === '' ? {} : (JSON.parse(text) as UploadResult)
  } catch {
    body = { error: `unparsable response: ${text.slice(0, 200)}` }
  }
  if (body.error || status >= 300) {
    // HEAD 4.41: status 0 or ≥ 500 means "assign a new fid and try again"; 4xx are final here.
    throw new SyncError(
      'SYNC_ERR_CHUNK_WRITE',
      `POST ${url}: HTTP ${status} ${body.error ?? ''}`.trim(),
      { retryable: status >= 500 },
    )
  }
  return body
}

/** The whole body as text (small JSON answers only). */
export async function readText(res: HttpResponse): Promise<string> {
  const pieces: Buffer[] = []
  await consume(res, (piece) => pieces.push(piece))
  return pieces.length === 1 ? pieces[0]!.toString() : Buffer.concat(pieces).toString()
}

function escapeQuoted(value: string): string {
  return value.replace(/[\\"]/g, '\\$&')
}

/** A transport failure as `SYNC_ERR_UNAVAILABLE`; TLS failures say what went wrong. */
export function fetchError(err: unknown, signal: AbortSignal | undefined, what: string): SyncError {
  if (signal?.aborted) return new SyncStoppedError('stopped', { cause: err })
  const e = err as { code?: string; message?: string; cause?: { code?: string; message?: string } }
  const tls = describeTlsError(err)
  const text = tls ?? `${e.code ?? e.cause?.code ?? ''} ${e.cause?.message ?? e.message ?? ''}`
  return new SyncError('SYNC_ERR_UNAVAILABLE', `${what}: ${text.trim()}`, { cause: err })
}
