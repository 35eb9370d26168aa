/**
 * Entry ETag, ordering time and size exactly as SeaweedFS computes them (`filer.ETag`,
 * `filer.FileSize`), so skip decisions and verification agree with Go peers byte for byte.
 * Pure: hashing only.
 */
import { createHash } from 'node:crypto'
import type { EntryOutput, FileChunkOutput } from '@seasync/proto'

/** ETag of an entry with neither chunks nor md5: `md5("")` + `-0` (spec §7.1). */
export const EMPTY_ENTRY_ETAG = 'd41d8cd98f00b204e9800998ecf8427e-0'

// Go base64.StdEncoding: standard alphabet, padding required, no stray characters. (Go also
// skips \r and \n, handled below.) Node's Buffer.from(…, 'base64') accepts far more.
const STD_BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/

/**
 * Go `util.Base64Md5ToBytes`: the bytes of a standard-base64 string, or empty when the string is
 * not valid standard base64 (Go returns nil on a decode error).
 */
function decodeStdBase64(text: string): Buffer {
  const compact = text.replace(/[\r\n]/g, '')
  if (!STD_BASE64.test(compact)) return Buffer.alloc(0)
  return Buffer.from(compact, 'base64')
}

/**
 * ETag of the chunk list (Go `filer.ETagChunks`): exactly one chunk → hex of its base64-decoded
 * `e_tag` (`''` when that is not valid base64); otherwise `hex(md5(concat of decoded e_tags in list
 * order))` + `-` + chunk count (an invalid e_tag contributes no bytes).
 */
export function chunksETag(chunks: readonly FileChunkOutput[]): string {
  const [only] = chunks
  if (chunks.length === 1 && only) return decodeStdBase64(only.e_tag ?? '').toString('hex')
  const md5 = createHash('md5')
  for (const chunk of chunks) md5.update(decodeStdBase64(chunk.e_tag ?? ''))
  return `${md5.digest('hex')}-${chunks.length}`
}

/**
 * The entry ETag of spec §7.1 (Go `filer.ETag`, 4.23 create-skip rule and `filer.sync.verify`):
 * `attributes.md5` as lowercase hex when set, else {@link chunksETag}. Entries with neither
 * (directories, inline-content files) all share {@link EMPTY_ENTRY_ETAG}.
 *
 * An empty md5 counts as unset: proto3 never transmits an empty bytes field, so Go sees nil too.
 */
export function entryETag(entry: EntryOutput): string {
  const md5 = entry.attributes?.md5
  if (md5 !== undefined && md5.length > 0) return Buffer.from(md5).toString('hex')
  return chunksETag(entry.chunks)
}

/**
 * Modification time in ns since the epoch, `mtime * 1e9 + mtime_ns` ([HEAD ≥4.33] ordering, spec
 * §11 and §12.13; 4.23 compared whole seconds). Missing attributes count as 0.
 */
export function entryMtimeNs(entry: EntryOutput): bigint {
  const attributes = entry.attributes
  const seconds = BigInt(attributes?.mtime ?? '0')
  return seconds * 1_000_000_000n + BigInt(attributes?.mtime_ns ?? 0)
}

/** End of the furthest chunk: max over chunks of `offset + size`, in bytes (Go `TotalSize`). */
export function chunksTotalSize(chunks: readonly FileChunkOutput[]): bigint {
  let size = 0n
  for (const chunk of chunks) {
    const end = BigInt(chunk.offset ?? '0') + BigInt(chunk.size ?? '0')
    if (end > size) size = end
  }
  return size
}

/**
 * Logical file size in bytes as `filer.sync.verify` compares it (spec §10, Go `filer.FileSize`):
 * the max of `attributes.file_size`, {@link chunksTotalSize}, and `remote_entry.remote_size` when
 * `remote_mtime` is newer than `attributes.mtime` (both in seconds).
 */
export function entryFileSize(entry: EntryOutput): bigint {
  const attributes = entry.attributes
  let size = BigInt(attributes?.file_size ?? '0')
  const remote = entry.remote_entry
  if (remote && BigInt(remote.remote_mtime ?? '0') > BigInt(attributes?.mtime ?? '0')) {
    const remoteSize = BigInt(remote.remote_size ?? '0')
    if (remoteSize > size) size = remoteSize
  }
  const chunksSize = chunksTotalSize(entry.chunks)
  return chunksSize > size ? chunksSize : size
}
