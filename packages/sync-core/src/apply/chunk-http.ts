/**
 * HTTP reads and writes of single chunks, as `weed filer.sync` does them (spec §8.3, §8.4), with
 * the HEAD fixes: status and length checked (a 404 or short body is never uploaded), Range resume
 * after a broken body, and `Accept-Encoding: identity` so bytes arrive as stored.
 */
import { randomBytes } from 'node:crypto'
import { Agent, request, type IncomingMessage } from 'node:http'
import { SyncError, SyncStoppedError } from '../errors.js'

/** Read `size` bytes of a chunk from `url`; resumes with Range after a body cut mid-transfer. */
export async function downloadChunk(
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
    let res: IncomingMessage
    try {
      res = await get(url, headers, signal)
    } catch (err) {
      throw fetchError(err, signal, `GET ${url}`)
    }
    const status = res.statusCode ?? 0
    if (status >= 400) {
      res.resume()
      // A 404 (missing or vacuumed needle) is not retryable at this level; the caller decides
      // whether the source moved on (spec §8.5 stale source, field notes §3 item 28).
      throw new SyncError('SYNC_ERR_CHUNK_READ', `GET ${url}: HTTP ${status}`, {
        retryable: status >= 500,
      })
    }
    if (received > 0) {
      // A resume must be honoured exactly: 206 with a Content-Range starting where we stopped.
      const range = res.headers['content-range'] ?? ''
      if (status !== 206 || !range.startsWith(`bytes ${received}-`)) {
        res.resume()
        throw new SyncError(
          'SYNC_ERR_CHUNK_READ',
          `GET ${url}: resume at ${received} answered ${status} ${range || '(no Content-Range)'}`,
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

/**
 * GET with node:http on the keep-alive agent the uploads use: `fetch` (undici) cost about three
 * times the CPU of node:http per small chunk (bench/README.md, metadata profile).
 */
function get(
  url: string,
  headers: Record<string, string>,
  signal: AbortSignal,
): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    const req = request(url, { headers, agent, signal }, resolve)
    req.on('error', reject)
    req.end()
  })
}

/** Copy the body into `out` from `progress.at`, advancing it as bytes arrive. */
async function readInto(
  res: IncomingMessage,
  out: Buffer,
  progress: { at: number },
  url: string,
): Promise<void> {
  for await (const piece of res as AsyncIterable<Buffer>) {
    if (progress.at + piece.length > out.length) {
      throw new SyncError(
        'SYNC_ERR_CHUNK_SIZE',
        `GET ${url}: body longer than the chunk size ${out.length}`,
      )
    }
    out.set(piece, progress.at)
    progress.at += piece.length
  }
}

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
  url: string,
  data: Buffer,
  { jwt, mime, name, signal }: { jwt?: string; mime?: string; name?: string; signal: AbortSignal },
): Promise<UploadResult> {
  const boundary = randomBytes(16).toString('hex')
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
    // node:http writes head, data and tail as they are: no copy of the chunk into one body.
    ;({ status, text } = await postParts(url, headers, [head, data, tail], signal))
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

const agent = new Agent({ keepAlive: true, maxSockets: 64 })

function postParts(
  url: string,
  headers: Record<string, string | number>,
  parts: Buffer[],
  signal: AbortSignal,
): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', headers, agent, signal }, (res) => {
      const pieces: Buffer[] = []
      res.on('data', (piece: Buffer) => pieces.push(piece))
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, text: Buffer.concat(pieces).toString() }),
      )
      res.on('error', reject)
    })
    req.on('error', reject)
    for (const part of parts) req.write(part)
    req.end()
  })
}

function escapeQuoted(value: string): string {
  return value.replace(/[\\"]/g, '\\$&')
}

function fetchError(err: unknown, signal: AbortSignal, what: string): SyncError {
  if (signal.aborted) return new SyncStoppedError('stopped', { cause: err })
  const cause = (err as { cause?: { code?: string; message?: string } }).cause
  return new SyncError(
    'SYNC_ERR_UNAVAILABLE',
    `${what}: ${cause?.code ?? ''} ${cause?.message ?? (err as Error).message}`.trim(),
    { cause: err },
  )
}
