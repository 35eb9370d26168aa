/**
 * Small response and request helpers shared by the filer HTTP handlers: JSON bodies shaped like
 * SeaweedFS's `writeJsonQuiet` / `writeJsonError`, writes that honour backpressure, and the
 * request-target split SeaweedFS's handlers see as `r.URL.Path` / `r.URL.Query()`.
 */
import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http'
import { toJsonText } from './json-text.js'

/** A refusal with the HTTP status it is reported with (the body is `{"error": message}`). */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message)
    this.name = 'HttpError'
  }
}

/** The client went away while we were writing; nothing more can be sent. */
export class ClientGoneError extends Error {
  constructor() {
    super('client closed the connection')
    this.name = 'ClientGoneError'
  }
}

/** The decoded request target: path as SeaweedFS's `r.URL.Path`, plus the raw query. */
export interface RequestTarget {
  /** Percent-decoded path, always starting with `/`; a trailing `/` is kept (it matters). */
  path: string
  query: URLSearchParams
}

/** Split and decode `req.url`; throws {@link HttpError} 400 on a malformed path. */
export function parseTarget(rawUrl: string): RequestTarget {
  const q = rawUrl.indexOf('?')
  const rawPath = q < 0 ? rawUrl : rawUrl.slice(0, q)
  const query = new URLSearchParams(q < 0 ? '' : rawUrl.slice(q + 1))
  if (!rawPath.startsWith('/'))
    throw new HttpError(400, `invalid request path ${JSON.stringify(rawPath)}`)
  let path: string
  try {
    path = decodeURIComponent(rawPath)
  } catch {
    throw new HttpError(400, `invalid percent-encoding in ${JSON.stringify(rawPath)}`)
  }
  // Go's ServeMux redirects such paths to their cleaned form; refusing them keeps `.`/`..` out
  // of the namespace without guessing what the client meant.
  if (path.split('/').some((segment) => segment === '.' || segment === '..')) {
    throw new HttpError(400, `path ${JSON.stringify(path)} contains . or .. segments`)
  }
  if (path.includes('\0')) throw new HttpError(400, 'path contains a NUL byte')
  return { path, query }
}

/** JSON response; `?pretty=<anything>` indents it, as SeaweedFS's writeJson does. */
export function sendJson(
  req: IncomingMessage,
  res: ServerResponse,
  status: number,
  value: unknown,
  headers: OutgoingHttpHeaders = {},
): void {
  const pretty = new URLSearchParams((req.url ?? '').split('?')[1] ?? '').get('pretty')
  const body = Buffer.from(toJsonText(value, pretty ? 2 : 0))
  res.writeHead(status, {
    ...headers,
    'Content-Type': 'application/json',
    'Content-Length': body.length,
  })
  res.end(body)
}

/** `{"error": "..."}` with `status`. */
export function sendJsonError(
  req: IncomingMessage,
  res: ServerResponse,
  status: number,
  message: string,
): void {
  sendJson(req, res, status, { error: message })
}

/** A status with an empty body (SeaweedFS's bare `w.WriteHeader`). */
export function sendEmpty(
  res: ServerResponse,
  status: number,
  headers: OutgoingHttpHeaders = {},
): void {
  res.writeHead(status, { ...headers, 'Content-Length': 0 })
  res.end()
}

/** Write `data`, waiting for 'drain' when the socket buffer is full; throws if the client left. */
export async function writeWithBackpressure(res: ServerResponse, data: Buffer): Promise<void> {
  if (res.destroyed || res.writableEnded) throw new ClientGoneError()
  if (res.write(data)) return
  await new Promise<void>((resolve, reject) => {
    const onDrain = (): void => {
      cleanup()
      resolve()
    }
    const onClose = (): void => {
      cleanup()
      reject(new ClientGoneError())
    }
    const cleanup = (): void => {
      res.off('drain', onDrain)
      res.off('close', onClose)
    }
    res.on('drain', onDrain)
    res.on('close', onClose)
  })
}

const ZEROS = Buffer.alloc(64 * 1024)

/** Write `count` zero bytes (a hole between chunks), 64 KiB at a time. */
export async function writeZeros(res: ServerResponse, count: number): Promise<void> {
  for (let left = count; left > 0; left -= ZEROS.length) {
    await writeWithBackpressure(res, left >= ZEROS.length ? ZEROS : ZEROS.subarray(0, left))
  }
}

/** The request's declared body length, or undefined (chunked, or absent). */
export function contentLength(req: IncomingMessage): number | undefined {
  const raw = req.headers['content-length']
  if (raw === undefined || !/^\d+$/.test(raw)) return undefined
  const n = Number(raw)
  return Number.isSafeInteger(n) ? n : undefined
}
