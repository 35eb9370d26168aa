import { createHash } from 'node:crypto'
import { filerCodec, type EntryOutput, type FileChunkOutput } from '@seasync/proto'
import { fidFromProto, fidToProto } from '@seasync/proto'

/** An entry as the filer handles it: the decoded `filer_pb.Entry` shape (see loaderOptions). */
export type Entry = EntryOutput
export type FileChunk = FileChunkOutput

/** The SeaweedFS ETag of an entry without chunks and without md5 (spec §7.1). */
export const EMPTY_ETAG = 'd41d8cd98f00b204e9800998ecf8427e-0'

/** Serialize an entry for the store. */
export function encodeEntry(entry: Entry): Uint8Array {
  return filerCodec.encode('Entry', entry)
}

export function decodeEntry(bytes: Uint8Array): Entry {
  return filerCodec.decode<Entry>('Entry', bytes)
}

/** A deep, normalized copy (through the codec, so it is exactly what the wire can carry). */
export function cloneEntry(entry: Entry): Entry {
  return decodeEntry(encodeEntry(entry))
}

/**
 * Stored form: chunks carry only the structured `fid` / `source_fid`, their strings cleared, as
 * SeaweedFS's BeforeEntrySerialization does. Events log this form, so a subscriber sees chunks
 * that may carry only `fid` (spec §2.2: "entries inside events may carry only fid/source_fid").
 */
export function toStoredForm(entry: Entry): Entry {
  // A shallow copy is enough: only the chunk objects change, and those are copied.
  return {
    ...entry,
    chunks: (entry.chunks ?? []).map((chunk) => storedChunk(chunk)),
    extended: entry.extended ?? {},
  }
}

export function storedChunk(chunk: FileChunk): FileChunk {
  const c = { ...chunk }
  if (c.file_id) c.fid = fidToProto(c.file_id)
  if (c.source_file_id) c.source_fid = fidToProto(c.source_file_id)
  delete c.file_id
  delete c.source_file_id
  return c
}

/** Read form: string fids re-derived from the structured ones, both present (AfterEntryDeserialization). */
export function toReadForm(entry: Entry): Entry {
  const copy = cloneEntry(entry)
  copy.chunks = copy.chunks.map((chunk) => readChunk(chunk))
  return copy
}

export function readChunk(chunk: FileChunk): FileChunk {
  const c = { ...chunk }
  if (c.fid) c.file_id = fidFromProto(c.fid)
  if (c.source_fid) c.source_file_id = fidFromProto(c.source_fid)
  return c
}

/** The fid string of a chunk in either form. */
export function chunkFid(chunk: FileChunk): string {
  if (chunk.file_id) return chunk.file_id
  return chunk.fid ? fidFromProto(chunk.fid) : ''
}

/** Whether two entries are equal as SeaweedFS's EqualEntry would judge (byte-equal encodings). */
export function entriesEqual(a: Entry, b: Entry): boolean {
  return Buffer.from(encodeEntry(sortedExtended(toStoredForm(a)))).equals(
    Buffer.from(encodeEntry(sortedExtended(toStoredForm(b)))),
  )
}

function sortedExtended(entry: Entry): Entry {
  const keys = Object.keys(entry.extended).sort()
  return { ...entry, extended: Object.fromEntries(keys.map((k) => [k, entry.extended[k]!])) }
}

/**
 * The entry ETag (spec §7.1): md5 attribute as hex when set; else one chunk → hex of its
 * base64 e_tag; else md5 over the concatenated decoded chunk e_tags, hex, `-<count>`.
 */
export function entryETag(entry: Entry): string {
  const md5 = entry.attributes?.md5
  if (md5 && md5.length > 0) return Buffer.from(md5).toString('hex')
  const chunks = entry.chunks
  if (chunks.length === 1) return Buffer.from(chunks[0]!.e_tag ?? '', 'base64').toString('hex')
  const hash = createHash('md5')
  for (const chunk of chunks) hash.update(Buffer.from(chunk.e_tag ?? '', 'base64'))
  return `${hash.digest('hex')}-${chunks.length}`
}

/** Logical file size: max of attributes.file_size and the end of the last chunk. */
export function entryFileSize(entry: Entry): number {
  let size = Number(entry.attributes?.file_size ?? 0)
  for (const chunk of entry.chunks)
    size = Math.max(size, Number(chunk.offset ?? 0) + Number(chunk.size ?? 0))
  if (entry.content && entry.content.length > size) size = entry.content.length
  return size
}
