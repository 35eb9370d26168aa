/**
 * A streaming reader for the first part of a `multipart/form-data` body, as SeaweedFS's filer
 * takes it (`r.MultipartReader()` + one `NextPart()`, weed/server/filer_server_handlers_write_
 * autochunk.go). The part body is yielded as it arrives, never buffered whole, so a multi-GiB
 * upload needs no more memory than a plain PUT.
 */
import { HttpError } from './http-io.js'

/** Header block larger than this is refused (Go's textproto reader has a similar cap). */
const MAX_HEADER_BYTES = 64 * 1024

/** The first part: its headers and a one-shot stream of its bytes. */
export interface MultipartPart {
  /** Part headers, names lowercased. */
  headers: Map<string, string>
  /** `filename` (or RFC 2231 `filename*`) of Content-Disposition, '' when absent. */
  fileName: string
  /** The part's Content-Type, '' when absent. */
  contentType: string
  /** The part body; after it ends, the rest of the request is drained. Iterate once. */
  body: AsyncIterable<Buffer>
}

/** The boundary of a multipart Content-Type, or undefined when the type is not multipart. */
export function multipartBoundary(contentType: string | undefined): string | undefined {
  if (contentType === undefined) return undefined
  const [type = '', ...params] = contentType.split(';')
  if (!/^multipart\/(form-data|mixed)$/i.test(type.trim())) return undefined
  for (const param of params) {
    const eq = param.indexOf('=')
    if (eq < 0 || param.slice(0, eq).trim().toLowerCase() !== 'boundary') continue
    const value = unquote(param.slice(eq + 1).trim())
    return value === '' ? undefined : value
  }
  return undefined
}

/**
 * Read up to the end of the first part's headers. `source` must not be iterated elsewhere; it is
 * consumed to its end by the time the returned body has been read.
 */
export async function readFirstPart(
  source: AsyncIterator<Buffer>,
  boundary: string,
): Promise<MultipartPart> {
  const reader = new PushbackReader(source)
  const dashBoundary = Buffer.from(`--${boundary}`)
  // Preamble: anything before the first delimiter (normally nothing).
  let at = await reader.find(dashBoundary, MAX_HEADER_BYTES)
  if (at < 0) throw new HttpError(400, 'multipart: NextPart: EOF')
  reader.skip(at + dashBoundary.length)
  if (await reader.startsWith(Buffer.from('--')))
    throw new HttpError(400, 'multipart: NextPart: EOF')
  at = await reader.find(Buffer.from('\r\n'), MAX_HEADER_BYTES)
  if (at < 0) throw new HttpError(400, 'multipart: malformed delimiter line')
  reader.skip(at + 2)
  let headerText = ''
  if (await reader.startsWith(Buffer.from('\r\n'))) {
    reader.skip(2)
  } else {
    at = await reader.find(Buffer.from('\r\n\r\n'), MAX_HEADER_BYTES)
    if (at < 0) throw new HttpError(400, 'multipart: part headers too large or truncated')
    headerText = reader.take(at).toString('utf8')
    reader.skip(4)
  }
  const headers = parseHeaders(headerText)
  return {
    headers,
    fileName: fileNameOf(headers.get('content-disposition') ?? ''),
    contentType: headers.get('content-type') ?? '',
    body: reader.until(Buffer.from(`\r\n--${boundary}`)),
  }
}

function parseHeaders(text: string): Map<string, string> {
  const headers = new Map<string, string>()
  for (const line of text.split('\r\n')) {
    const colon = line.indexOf(':')
    if (colon <= 0) continue
    headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim())
  }
  return headers
}

/**
 * The file name of a Content-Disposition value: `filename*=UTF-8''…` (RFC 2231) wins over
 * `filename=`, as Go's mime.ParseMediaType; only the last path element is kept (Go `path.Base`).
 */
export function fileNameOf(disposition: string): string {
  let plain = ''
  let extended = ''
  for (const param of splitParams(disposition).slice(1)) {
    const eq = param.indexOf('=')
    if (eq < 0) continue
    const name = param.slice(0, eq).trim().toLowerCase()
    const value = param.slice(eq + 1).trim()
    if (name === 'filename') plain = unquote(value)
    if (name === 'filename*') {
      const m = /^([^']*)'[^']*'(.*)$/.exec(unquote(value))
      try {
        if (m) extended = decodeURIComponent(m[2] ?? '')
      } catch {
        // A malformed extended value is ignored, the plain one still counts.
      }
    }
  }
  const name = extended || plain
  if (name === '') return ''
  const base =
    name
      .split('/')
      .filter((s) => s !== '')
      .pop() ?? ''
  return base === '.' || base === '..' ? '' : base
}

/** Split on `;` outside quoted strings. */
function splitParams(value: string): string[] {
  const out: string[] = []
  let current = ''
  let quoted = false
  for (let i = 0; i < value.length; i++) {
    const ch = value[i]!
    if (ch === '"' && value[i - 1] !== '\\') quoted = !quoted
    if (ch === ';' && !quoted) {
      out.push(current)
      current = ''
    } else {
      current += ch
    }
  }
  out.push(current)
  return out
}

function unquote(value: string): string {
  if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) {
    return value.slice(1, -1).replace(/\\(.)/g, '$1')
  }
  return value
}

/** A byte source with look-ahead over an async iterator of Buffers. */
class PushbackReader {
  private buffered: Buffer = Buffer.alloc(0)
  private ended = false

  constructor(private readonly source: AsyncIterator<Buffer>) {}

  /** Read one more piece into the buffer; false at the end of the source. */
  private async more(): Promise<boolean> {
    if (this.ended) return false
    const next = await this.source.next()
    if (next.done === true) {
      this.ended = true
      return false
    }
    const piece = Buffer.isBuffer(next.value) ? next.value : Buffer.from(next.value)
    this.buffered = this.buffered.length === 0 ? piece : Buffer.concat([this.buffered, piece])
    return true
  }

  /** Index of `needle` in the buffered bytes, reading at most `limit` bytes ahead; -1 if absent. */
  async find(needle: Buffer, limit: number): Promise<number> {
    for (;;) {
      const at = this.buffered.indexOf(needle)
      if (at >= 0) return at
      if (this.buffered.length > limit || !(await this.more())) return -1
    }
  }

  async startsWith(prefix: Buffer): Promise<boolean> {
    while (this.buffered.length < prefix.length) if (!(await this.more())) return false
    return this.buffered.subarray(0, prefix.length).equals(prefix)
  }

  skip(n: number): void {
    this.buffered = this.buffered.subarray(n)
  }

  take(n: number): Buffer {
    const out = this.buffered.subarray(0, n)
    this.buffered = this.buffered.subarray(n)
    return out
  }

  /**
   * Yield bytes up to `delimiter`, holding back only a delimiter's length of look-ahead; then
   * drain the rest of the source. A source ending before the delimiter is a truncated body.
   */
  async *until(delimiter: Buffer): AsyncGenerator<Buffer> {
    let from = 0
    for (;;) {
      const at = this.buffered.indexOf(delimiter, from)
      if (at >= 0) {
        // Go's multipart reader: a delimiter is followed by `--`, or by optional transport
        // padding and CRLF; anything else is body content that happens to look like one.
        const after = at + delimiter.length
        while (this.buffered.length < after + 2 && (await this.more())) {
          // read the two bytes that decide
        }
        const next = this.buffered.subarray(after, after + 2).toString('latin1')
        if (next === '--' || next === '\r\n' || next.startsWith(' ') || next.startsWith('\t')) {
          if (at > 0) yield this.buffered.subarray(0, at)
          this.buffered = Buffer.alloc(0)
          while (await this.more()) this.buffered = Buffer.alloc(0)
          return
        }
        if (next.length === 2) {
          from = at + 1
          continue
        }
        throw new HttpError(400, 'multipart: unexpected EOF in part body')
      }
      const safe = Math.max(from, this.buffered.length - (delimiter.length - 1))
      if (safe > 0) {
        const out = this.buffered.subarray(0, safe)
        this.buffered = Buffer.from(this.buffered.subarray(safe))
        from = 0
        yield out
      }
      if (!(await this.more())) throw new HttpError(400, 'multipart: unexpected EOF in part body')
    }
  }
}
