/**
 * Which chunk supplies which bytes of a file: SeaweedFS's "visible intervals"
 * (weed/filer/filechunks_read.go `readResolvedChunks`). Chunks may overlap when a file was
 * written in place; the chunk with the larger `modified_ts_ns` wins where they overlap (ties: the
 * one later in the list). Bytes no chunk covers read as zeros.
 */
import type { FileChunk } from '../filer/entry-form.js'

/** `[start, stop)` of the file served by `chunk`, starting `offsetInChunk` bytes into it. */
export interface VisibleInterval {
  start: number
  stop: number
  offsetInChunk: number
  chunk: FileChunk
}

/**
 * The visible intervals of data chunks (manifests already resolved), sorted by `start`,
 * non-overlapping, restricted to `[from, to)` when given.
 */
export function visibleIntervals(
  chunks: readonly FileChunk[],
  from = 0,
  to = Number.MAX_SAFE_INTEGER,
): VisibleInterval[] {
  const order = chunks
    .map((chunk, index) => ({ chunk, index, ts: BigInt(chunk.modified_ts_ns ?? 0) }))
    .sort((a, b) => (a.ts < b.ts ? -1 : a.ts > b.ts ? 1 : a.index - b.index))
  const list: VisibleInterval[] = []
  for (const { chunk } of order) {
    const offset = Number(chunk.offset ?? 0)
    const start = Math.max(offset, from)
    const stop = Math.min(offset + Number(chunk.size ?? 0), to)
    if (start >= stop) continue
    insert(list, { start, stop, offsetInChunk: start - offset, chunk })
  }
  return list
}

/** Put `next` on top of `list` (sorted, non-overlapping), cutting what it hides. */
function insert(list: VisibleInterval[], next: VisibleInterval): void {
  // Stops increase along the list, so binary-search the first interval ending after next.start.
  let lo = 0
  let hi = list.length
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    if (list[mid]!.stop <= next.start) lo = mid + 1
    else hi = mid
  }
  let end = lo
  while (end < list.length && list[end]!.start < next.stop) end++
  const replacement: VisibleInterval[] = []
  const first = list[lo]
  if (lo < end && first !== undefined && first.start < next.start) {
    replacement.push({ ...first, stop: next.start })
  }
  replacement.push(next)
  const last = list[end - 1]
  if (lo < end && last !== undefined && last.stop > next.stop) {
    replacement.push({
      ...last,
      start: next.stop,
      offsetInChunk: last.offsetInChunk + (next.stop - last.start),
    })
  }
  list.splice(lo, end - lo, ...replacement)
}
