/**
 * The records `filer.sync.verify` reports and the pure rules that classify a pair of entries
 * (spec §10; Go `weed/command/filer_sync_verify.go`). Field names and order match Go's NDJSON
 * (`diffRecord`, `entryRecord`), so `JSON.stringify(record)` prints what `weed` prints.
 */
import type { EntryOutput, FileChunkOutput } from '@seasync/proto'
import { entryETag, entryFileSize } from '../apply/etag.js'

/** One side of a diff: Go's `entryRecord`. `etag` is absent when empty (Go `omitempty`). */
export interface VerifyEntrySide {
  /** Bytes, as `filer.FileSize` (spec §10). */
  size: number
  /** `attributes.mtime`, seconds since the epoch. */
  mtime: number
  etag?: string
  /** SeaSync `CONTENT_MISMATCH` only: hex md5 of the bytes read through the filer's HTTP API. */
  contentMd5?: string
}

/** How B's mtime relates to A's (whole seconds, as Go). */
export type MtimeRelation = 'EQUAL' | 'A_NEWER' | 'B_NEWER'

/** Go's interpretation of a relation; none for `EQUAL`. */
export type VerifyHint = 'late_updates_skip_likely' | 'sync_lag_or_event_miss'

/** Kinds of difference. The first five are Go's; `CONTENT_MISMATCH` is SeaSync's. */
export type VerifyDiffType =
  | 'MISSING'
  | 'ONLY_IN_B'
  | 'SIZE_MISMATCH'
  | 'ETAG_MISMATCH'
  /** [HEAD ≥4.38] Same bytes, chunk list in a different order: counted, never an error. */
  | 'CHUNK_REORDER'
  /** Metadata agrees, bytes read through both filers differ (`compareContent`). An error. */
  | 'CONTENT_MISMATCH'

/**
 * One difference: Go's `diffRecord`. `path` is in A's namespace (`-a.path` …) except for
 * `ONLY_IN_B`, which is in B's. `MISSING` carries `a`, `ONLY_IN_B` carries `b`, the others both
 * plus the mtime relation.
 */
export interface VerifyDiffRecord {
  type: VerifyDiffType
  path: string
  isDirectory?: true
  a?: VerifyEntrySide
  b?: VerifyEntrySide
  mtimeRelation?: MtimeRelation
  /** `|B.mtime − A.mtime|` like `42s`, `5m`, `3h`, `2d` ({@link formatSeconds}). */
  mtimeDelta?: string
  hint?: VerifyHint
}

/**
 * An operation that failed, so part of the walk is unknown (SeaSync; Go aborts the whole run).
 * `LIST_ERROR`: listing the directory `path` on `side` failed, nothing below it is compared.
 * `READ_ERROR`: reading the file `path` on `side` for `compareContent` failed.
 */
export interface VerifyErrorRecord {
  type: 'LIST_ERROR' | 'READ_ERROR'
  path: string
  side: 'a' | 'b'
  message: string
}

export type VerifyRecord = VerifyDiffRecord | VerifyErrorRecord

/** Go `formatSeconds`: `42s` under a minute, then whole minutes, hours, days (truncated). */
export function formatSeconds(seconds: number): string {
  if (seconds < 60) return `${seconds}s`
  if (seconds < 3600) return `${Math.floor(seconds / 60)}m`
  if (seconds < 86400) return `${Math.floor(seconds / 3600)}h`
  return `${Math.floor(seconds / 86400)}d`
}

/** Whole-second mtime of an entry (0 without attributes). */
export function entryMtimeSec(entry: EntryOutput): number {
  return Number(entry.attributes?.mtime ?? 0)
}

/**
 * Go `mtimeRelation`: B versus A in whole seconds, with the delta text (`0s` when equal).
 * Undefined when either entry has no attributes.
 */
export function mtimeRelation(
  a: EntryOutput,
  b: EntryOutput,
): { relation: MtimeRelation; delta: string } | undefined {
  if (!a.attributes || !b.attributes) return undefined
  const delta = entryMtimeSec(b) - entryMtimeSec(a)
  if (delta === 0) return { relation: 'EQUAL', delta: '0s' }
  return { relation: delta > 0 ? 'B_NEWER' : 'A_NEWER', delta: formatSeconds(Math.abs(delta)) }
}

/** Go `hintFor`. */
export function hintFor(relation: MtimeRelation): VerifyHint | undefined {
  if (relation === 'B_NEWER') return 'late_updates_skip_likely'
  if (relation === 'A_NEWER') return 'sync_lag_or_event_miss'
  return undefined
}

/** Go `toEntryRecord`: size, mtime and (non-empty) ETag of an entry. */
export function entrySide(entry: EntryOutput): VerifyEntrySide {
  const etag = entryETag(entry)
  return {
    size: Number(entryFileSize(entry)),
    mtime: entryMtimeSec(entry),
    ...(etag !== '' && { etag }),
  }
}

/**
 * The record for a pair of files, in Go's field order; `hint` only for the mismatch types
 * (a `CHUNK_REORDER` needs no action).
 */
export function pairRecord(
  type: 'SIZE_MISMATCH' | 'ETAG_MISMATCH' | 'CHUNK_REORDER' | 'CONTENT_MISMATCH',
  path: string,
  a: EntryOutput,
  b: EntryOutput,
  content?: { a: string; b: string },
): VerifyDiffRecord {
  const record: VerifyDiffRecord = { type, path, a: entrySide(a), b: entrySide(b) }
  if (content && record.a && record.b) {
    record.a.contentMd5 = content.a
    record.b.contentMd5 = content.b
  }
  const relation = mtimeRelation(a, b)
  if (relation) {
    record.mtimeRelation = relation.relation
    record.mtimeDelta = relation.delta
    const hint = type === 'CHUNK_REORDER' ? undefined : hintFor(relation.relation)
    if (hint) record.hint = hint
  }
  return record
}

/** How two files compare on metadata (Go `compareEntries`). */
export type FilePairVerdict = 'EQUAL' | 'SIZE_MISMATCH' | 'ETAG_MISMATCH' | 'CHUNK_REORDER'

/** Go `compareEntries`: size first (spec §10 size rule), then ETag, then the reorder rule. */
export function compareFiles(a: EntryOutput, b: EntryOutput): FilePairVerdict {
  if (entryFileSize(a) !== entryFileSize(b)) return 'SIZE_MISMATCH'
  if (entryETag(a) === entryETag(b)) return 'EQUAL'
  return isChunkReorder(a, b) ? 'CHUNK_REORDER' : 'ETAG_MISMATCH'
}

/**
 * [HEAD ≥4.38] Go `isChunkReorder`: both ETags come from chunks (no stored md5 — an md5 mismatch
 * is a real content difference), and both chunk lists, sorted by (offset, e_tag), are the same
 * manifest-free, non-overlapping set of at least two chunks on (offset, size, e_tag), each with a
 * decodable e_tag (an empty e_tag proves nothing about the bytes, field notes §3 item 62).
 */
export function isChunkReorder(a: EntryOutput, b: EntryOutput): boolean {
  if (!usesChunkETag(a) || !usesChunkETag(b)) return false
  const sortedA = sortedSimpleChunks(a.chunks)
  const sortedB = sortedSimpleChunks(b.chunks)
  if (!sortedA || !sortedB || sortedA.length !== sortedB.length || sortedA.length < 2) return false
  return sortedA.every((chunk, i) => {
    const other = sortedB[i]!
    return (
      BigInt(chunk.offset ?? '0') === BigInt(other.offset ?? '0') &&
      BigInt(chunk.size ?? '0') === BigInt(other.size ?? '0') &&
      (chunk.e_tag ?? '') === (other.e_tag ?? '')
    )
  })
}

/** Go `usesChunkETag`: `filer.ETag` falls back to the chunks (no md5 attribute). */
function usesChunkETag(entry: EntryOutput): boolean {
  const md5 = entry.attributes?.md5
  return md5 === undefined || md5.length === 0
}

const STD_BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/

/**
 * Go `sortedSimpleChunks`: chunks sorted by (offset, e_tag), or undefined when one is a manifest,
 * has an empty / undecodable e_tag, overlaps the previous one or starts where it starts.
 */
function sortedSimpleChunks(chunks: readonly FileChunkOutput[]): FileChunkOutput[] | undefined {
  const sorted = [...chunks].sort((x, y) => {
    const dx = BigInt(x.offset ?? '0')
    const dy = BigInt(y.offset ?? '0')
    if (dx !== dy) return dx < dy ? -1 : 1
    // Valid e_tags are ASCII base64, where UTF-16 order is byte order.
    const ex = x.e_tag ?? ''
    const ey = y.e_tag ?? ''
    return ex < ey ? -1 : ex > ey ? 1 : 0
  })
  let prevEnd = 0n
  for (const [i, chunk] of sorted.entries()) {
    if (chunk.is_chunk_manifest) return undefined
    const etag = (chunk.e_tag ?? '').replace(/[\r\n]/g, '')
    if (etag === '' || !STD_BASE64.test(etag)) return undefined
    const offset = BigInt(chunk.offset ?? '0')
    // Overlaps need visible-interval resolution; two chunks at one offset (even empty ones,
    // spec §10) stay ETAG_MISMATCH.
    if (i > 0 && (offset < prevEnd || offset === BigInt(sorted[i - 1]!.offset ?? '0'))) {
      return undefined
    }
    prevEnd = offset + BigInt(chunk.size ?? '0')
  }
  return sorted
}
