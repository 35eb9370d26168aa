import type { WriteConditionClauseOutput, WriteConditionOutput } from '@seasync/proto'
import { chunkFid, entryETag, type Entry } from './entry-form.js'

/**
 * HEAD's conditional writes (`filer_pb.WriteCondition`, weed/server `writeConditionSatisfied`):
 * CreateEntry and UpdateEntry carry a list of clauses that must all hold against the entry as it is
 * at the moment of the write (undefined when absent). The filer evaluates them inside the
 * mutation's transaction, so the check and the write are atomic. Pure.
 */

/** The S3 gateway's stored ETag attribute, which HEAD's ETag clauses prefer (s3_constants.ExtETagKey). */
export const S3_ETAG_EXTENDED_KEY = 'Seaweed-X-Amz-ETag'

/** True when a condition asks for any check at all (HEAD `conditionIsSet`). */
export function conditionIsSet(
  condition: WriteConditionOutput | null | undefined,
): condition is WriteConditionOutput {
  return condition !== undefined && condition !== null && (condition.clauses ?? []).length > 0
}

/** Every clause holds against `current` (logical AND). */
export function writeConditionSatisfied(
  condition: WriteConditionOutput,
  current: Entry | undefined,
): boolean {
  return (condition.clauses ?? []).every((clause) => clauseSatisfied(clause, current))
}

function clauseSatisfied(c: WriteConditionClauseOutput, current: Entry | undefined): boolean {
  const exists = current !== undefined
  switch (c.kind ?? 'NONE') {
    case 'NONE':
      return true
    case 'IF_NOT_EXISTS':
      return !exists
    case 'IF_EXISTS':
      return exists
    case 'IF_ETAG_MATCH':
      return exists && etagInSet(storedEntryETag(current), c.etags ?? [], c.allow_weak ?? false)
    case 'IF_ETAG_NOT_MATCH':
      return !exists || !etagInSet(storedEntryETag(current), c.etags ?? [], c.allow_weak ?? false)
    // Whole seconds, as Go's `Mtime.Unix()` (our mtime attribute is already seconds).
    case 'IF_UNMODIFIED_SINCE':
      return !exists || mtimeSec(current) <= Number(c.unix_time ?? 0)
    case 'IF_MODIFIED_SINCE':
      return !exists || mtimeSec(current) > Number(c.unix_time ?? 0)
    case 'IF_EXTENDED_NOT_EQUAL': {
      if (!exists) return true
      const v = current.extended[c.ext_key ?? '']
      return v === undefined || Buffer.from(v).toString() !== (c.ext_value ?? '')
    }
    case 'IF_EXTENDED_TIME_ELAPSED': {
      if (!exists) return true
      // The optional gate scopes the guard to entries whose extended[gate_key] == gate_value.
      if (c.gate_key) {
        const gate = current.extended[c.gate_key]
        if (gate === undefined || Buffer.from(gate).toString() !== (c.gate_value ?? '')) return true
      }
      const v = current.extended[c.ext_key ?? '']
      if (v === undefined) return true
      const text = Buffer.from(v).toString().trim()
      // An unparseable deadline counts as still in force: fail closed, as HEAD.
      if (!/^[+-]?\d+$/.test(text)) return false
      return Number(text) <= Math.floor(Date.now() / 1000)
    }
    case 'IF_CHUNKS_EQUAL':
      return chunksEqual(current, c.fids ?? [])
    default:
      // A kind this filer does not know (a newer client) fails closed, never silently passes.
      return false
  }
}

/**
 * IF_CHUNKS_EQUAL: the stored chunk fids equal `fids` as a multiset (order ignored, duplicates
 * counted). An absent entry holds only an empty expectation; an empty list guards emptiness.
 */
function chunksEqual(current: Entry | undefined, fids: readonly string[]): boolean {
  const stored = (current?.chunks ?? []).map((chunk) => chunkFid(chunk))
  if (stored.length !== fids.length) return false
  const counts = new Map<string, number>()
  for (const fid of stored) counts.set(fid, (counts.get(fid) ?? 0) + 1)
  for (const fid of fids) {
    const n = counts.get(fid) ?? 0
    if (n === 0) return false
    counts.set(fid, n - 1)
  }
  return true
}

function mtimeSec(entry: Entry): number {
  return Number(entry.attributes?.mtime ?? 0)
}

/** The S3 ETag attribute when set, else the entry ETag; quotes stripped (HEAD `storedEntryETag`). */
function storedEntryETag(entry: Entry): string {
  const ext = entry.extended[S3_ETAG_EXTENDED_KEY]
  if (ext !== undefined && ext.length > 0) return stripQuotes(Buffer.from(ext).toString())
  return stripQuotes(entryETag(entry))
}

function etagInSet(stored: string, candidates: readonly string[], allowWeak: boolean): boolean {
  const [sv, sWeak] = canonicalETag(stored)
  return candidates.some((candidate) => {
    const [ev, eWeak] = canonicalETag(candidate)
    // RFC 7232 strong comparison: a weak ETag on either side never matches.
    if (!allowWeak && (sWeak || eWeak)) return false
    return sv === ev
  })
}

function canonicalETag(etag: string): [value: string, weak: boolean] {
  const t = etag.trim()
  if (t.startsWith('W/')) return [stripQuotes(t.slice(2)), true]
  return [stripQuotes(t), false]
}

function stripQuotes(s: string): string {
  return s.replace(/^"+|"+$/g, '')
}
