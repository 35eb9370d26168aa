/**
 * `Range: bytes=…` parsing with the semantics of SeaweedFS's filer (`parseRange` in
 * weed/server/common.go, itself Go's net/http fs.go): several ranges allowed, suffix ranges
 * clamp to the size, ranges starting at or past the end are dropped, and only when every range
 * was dropped is the request unsatisfiable.
 */

/** One byte range: `start` and `length` in bytes. */
export interface ByteRange {
  start: number
  length: number
}

/** The outcome of {@link parseByteRanges}. */
export type RangeParse =
  /** Serve the whole content with 200 (no usable Range header). */
  | { kind: 'full' }
  /** Serve these ranges with 206 (one → plain body, several → multipart/byteranges). */
  | { kind: 'ranges'; ranges: ByteRange[] }
  /** 416 with `Content-Range: bytes *\/<size>`. */
  | { kind: 'unsatisfiable'; reason: string }

/** Interpret a Range header against a content of `size` bytes. */
export function parseByteRanges(header: string | undefined, size: number): RangeParse {
  if (header === undefined || header === '') return { kind: 'full' }
  if (!header.startsWith('bytes=')) return { kind: 'unsatisfiable', reason: 'invalid range' }
  const ranges: ByteRange[] = []
  let noOverlap = false
  for (const raw of header.slice('bytes='.length).split(',')) {
    const spec = raw.trim()
    if (spec === '') continue
    const dash = spec.indexOf('-')
    if (dash < 0) return { kind: 'unsatisfiable', reason: 'invalid range' }
    const first = spec.slice(0, dash).trim()
    const last = spec.slice(dash + 1).trim()
    if (first === '') {
      // Suffix range: the last N bytes. A zero-length suffix selects nothing; RFC 9110 calls that
      // unsatisfiable (Go would answer an odd empty 206).
      if (!/^\d+$/.test(last)) return { kind: 'unsatisfiable', reason: 'invalid range' }
      const n = Math.min(Number(last), size)
      if (n === 0) {
        noOverlap = true
        continue
      }
      ranges.push({ start: size - n, length: n })
      continue
    }
    if (!/^\d+$/.test(first)) return { kind: 'unsatisfiable', reason: 'invalid range' }
    const start = Number(first)
    if (start >= size) {
      noOverlap = true
      continue
    }
    if (last === '') {
      ranges.push({ start, length: size - start })
      continue
    }
    if (!/^\d+$/.test(last)) return { kind: 'unsatisfiable', reason: 'invalid range' }
    const end = Math.min(Number(last), size - 1)
    if (Number(last) < start) return { kind: 'unsatisfiable', reason: 'invalid range' }
    ranges.push({ start, length: end - start + 1 })
  }
  if (ranges.length === 0) {
    return noOverlap
      ? { kind: 'unsatisfiable', reason: 'invalid range: failed to overlap' }
      : { kind: 'full' }
  }
  // Go ignores a Range whose parts add up to more than the content ("probably an attack, or a
  // dumb client"); it then sends nothing at all, we send the whole content as RFC 9110 allows.
  if (ranges.reduce((sum, r) => sum + r.length, 0) > size) return { kind: 'full' }
  return { kind: 'ranges', ranges }
}

/** `bytes <first>-<last>/<size>` for a Content-Range header. */
export function contentRange(range: ByteRange, size: number): string {
  return `bytes ${range.start}-${range.start + range.length - 1}/${size}`
}
