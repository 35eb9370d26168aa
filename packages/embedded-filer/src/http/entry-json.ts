/**
 * Entries as the SeaweedFS filer's HTTP API prints them (`?metadata=true`, directory listings):
 * Go's `filer.Entry` through encoding/json. Attribute fields are flattened (`Mtime`, `Mode`,
 * `FileSize`…, times as RFC 3339 with trimmed nanoseconds), `[]byte` fields are base64 (null when
 * empty), and `chunks` are the `filer_pb.FileChunk` structs with their proto field names and
 * `omitempty` (zero values left out). 64-bit values are exact JSON numbers.
 */
import type { Entry, FileChunk } from '../filer/entry-form.js'
import { int64, type RawNumber } from './json-text.js'

/** Go's `SSEType` enum values (encoding/json writes enums as numbers). */
const SSE_TYPE_NUMBER: Record<string, number> = { NONE: 0, SSE_C: 1, SSE_KMS: 2, SSE_S3: 3 }

/** The JSON object for `entry` living at `fullPath`. */
export function entryJson(fullPath: string, entry: Entry): Record<string, unknown> {
  const a = entry.attributes
  const extended = Object.entries(entry.extended)
  const remote = entry.remote_entry
  return {
    FullPath: fullPath,
    Mtime: goTime(a?.mtime, a?.mtime_ns),
    Crtime: goTime(a?.crtime, a?.crtime_ns),
    Mode: a?.file_mode ?? 0,
    Uid: a?.uid ?? 0,
    Gid: a?.gid ?? 0,
    Mime: a?.mime ?? '',
    TtlSec: a?.ttl_sec ?? 0,
    UserName: a?.user_name ?? '',
    GroupNames: a?.group_name && a.group_name.length > 0 ? a.group_name : null,
    SymlinkTarget: a?.symlink_target ?? '',
    Md5: bytes(a?.md5),
    FileSize: int64(a?.file_size),
    Rdev: a?.rdev ?? 0,
    Inode: int64(a?.inode),
    Extended:
      extended.length === 0
        ? null
        : Object.fromEntries(extended.map(([k, v]) => [k, Buffer.from(v).toString('base64')])),
    chunks: entry.chunks.length === 0 ? undefined : entry.chunks.map((c) => chunkJson(c)),
    HardLinkId: bytes(entry.hard_link_id),
    HardLinkCounter: entry.hard_link_counter ?? 0,
    Content: bytes(entry.content),
    Remote:
      remote === undefined
        ? null
        : omitEmpty({
            storage_name: remote.storage_name,
            last_local_sync_ts_ns: nonZero(remote.last_local_sync_ts_ns),
            remote_e_tag: remote.remote_e_tag,
            remote_mtime: nonZero(remote.remote_mtime),
            remote_size: nonZero(remote.remote_size),
          }),
    Quota: int64(entry.quota),
    WORMEnforcedAtTsNs: int64(entry.worm_enforced_at_ts_ns),
  }
}

/** A `filer_pb.FileChunk` as encoding/json writes the generated struct (omitempty everywhere). */
export function chunkJson(c: FileChunk): Record<string, unknown> {
  return omitEmpty({
    file_id: c.file_id,
    offset: nonZero(c.offset),
    size: nonZero(c.size),
    modified_ts_ns: nonZero(c.modified_ts_ns),
    e_tag: c.e_tag,
    source_file_id: c.source_file_id,
    fid: c.fid && fileIdJson(c.fid),
    source_fid: c.source_fid && fileIdJson(c.source_fid),
    cipher_key:
      c.cipher_key && c.cipher_key.length > 0 ? c.cipher_key.toString('base64') : undefined,
    is_compressed: c.is_compressed || undefined,
    is_chunk_manifest: c.is_chunk_manifest || undefined,
    sse_type: c.sse_type ? SSE_TYPE_NUMBER[c.sse_type] || undefined : undefined,
    sse_metadata:
      c.sse_metadata && c.sse_metadata.length > 0 ? c.sse_metadata.toString('base64') : undefined,
  })
}

function fileIdJson(id: {
  volume_id?: number
  file_key?: string
  cookie?: number
}): Record<string, unknown> {
  return omitEmpty({
    volume_id: id.volume_id || undefined,
    file_key: nonZero(id.file_key),
    cookie: id.cookie || undefined,
  })
}

/**
 * Go's `time.Time` JSON (RFC 3339 with nanoseconds, trailing zeros trimmed), in UTC, for unix
 * `seconds` + `nanos`.
 */
export function goTime(seconds: string | undefined, nanos: number | undefined): string {
  const sec = Number(seconds ?? 0)
  const ns = Math.trunc(nanos ?? 0)
  const date = new Date(sec * 1000 + Math.floor(ns / 1_000_000))
  if (Number.isNaN(date.getTime())) return '0001-01-01T00:00:00Z'
  const base = date.toISOString().replace(/\.\d{3}Z$/, '')
  const fraction =
    ns > 0 && ns < 1_000_000_000 ? `.${String(ns).padStart(9, '0')}`.replace(/0+$/, '') : ''
  return `${base}${fraction}Z`
}

function bytes(value: Buffer | undefined): string | null {
  return value && value.length > 0 ? Buffer.from(value).toString('base64') : null
}

function nonZero(value: string | undefined): RawNumber | undefined {
  return value === undefined || value === '' || value === '0' ? undefined : int64(value)
}

function omitEmpty(o: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(o).filter(([, v]) => v !== undefined && v !== '' && v !== null),
  )
}
