/**
 * Chunk bytes and manifest chunks for the filer HTTP paths: reading a chunk's logical bytes from
 * the in-process volume server, expanding `is_chunk_manifest` chunks (spec §8.6) and building
 * them on upload (SeaweedFS `MaybeManifestize`, weed/filer/filechunk_manifest.go).
 */
import { createDecipheriv } from 'node:crypto'
import { gunzipSync } from 'node:zlib'
import { filerCodec, type FileChunkManifestOutput } from '@seasync/proto'
import { chunkFid, readChunk, storedChunk, type FileChunk } from '../filer/entry-form.js'
import type { VolumeServer } from '../volume/volume-types.js'

/** Manifests nest (spec §8.6); a cycle would recurse forever, so stop at this depth. */
const MAX_MANIFEST_DEPTH = 32
const GCM_NONCE_BYTES = 12
const GCM_TAG_BYTES = 16

/**
 * The plain bytes of one chunk. Reads with `readDeleted`, as SeaweedFS's chunk fetch does (a
 * reader holding the old entry may race an overwrite that already freed the needle). Encrypted
 * chunks (`cipher_key`) are AES-256-GCM `nonce ‖ ciphertext ‖ tag`, gunzipped afterwards when
 * `is_compressed` (spec §8.5); unencrypted needles come back uncompressed from the volume server.
 */
export async function readChunkBytes(volume: VolumeServer, chunk: FileChunk): Promise<Buffer> {
  const fid = chunkFid(chunk)
  const needle = await volume.readNeedle(fid, { readDeleted: true })
  if (needle === undefined) throw new Error(`chunk ${fid} not found on volume server`)
  const key = chunk.cipher_key
  if (key === undefined || key.length === 0) return needle.data
  const data = needle.data
  if (data.length < GCM_NONCE_BYTES + GCM_TAG_BYTES)
    throw new Error(`chunk ${fid}: ciphertext too short`)
  const decipher = createDecipheriv('aes-256-gcm', key, data.subarray(0, GCM_NONCE_BYTES))
  decipher.setAuthTag(data.subarray(data.length - GCM_TAG_BYTES))
  const plain = Buffer.concat([
    decipher.update(data.subarray(GCM_NONCE_BYTES, data.length - GCM_TAG_BYTES)),
    decipher.final(),
  ])
  const gzipped = plain.length >= 2 && plain[0] === 0x1f && plain[1] === 0x8b
  return chunk.is_compressed && gzipped ? gunzipSync(plain) : plain
}

/** The chunks listed in one manifest chunk, with their string fids filled in. */
export async function readManifest(volume: VolumeServer, chunk: FileChunk): Promise<FileChunk[]> {
  const bytes = await readChunkBytes(volume, chunk)
  let manifest: FileChunkManifestOutput
  try {
    manifest = filerCodec.decode<FileChunkManifestOutput>('FileChunkManifest', bytes)
  } catch (err) {
    throw new Error(`fail to unmarshal manifest ${chunkFid(chunk)}: ${(err as Error).message}`)
  }
  return manifest.chunks.map((c) => readChunk(c))
}

/**
 * Replace manifest chunks by the data chunks they list, recursively (Go `ResolveChunkManifest`).
 * Chunks not overlapping `[from, to)` are skipped without being read, manifests included.
 */
export async function resolveManifests(
  volume: VolumeServer,
  chunks: readonly FileChunk[],
  from = 0,
  to = Number.MAX_SAFE_INTEGER,
  depth = 0,
): Promise<FileChunk[]> {
  if (depth > MAX_MANIFEST_DEPTH)
    throw new Error(`chunk manifests nested deeper than ${MAX_MANIFEST_DEPTH}`)
  const out: FileChunk[] = []
  for (const chunk of chunks) {
    const offset = Number(chunk.offset ?? 0)
    if (Math.max(offset, from) >= Math.min(offset + Number(chunk.size ?? 0), to)) continue
    if (!chunk.is_chunk_manifest) {
      out.push(chunk)
      continue
    }
    const inner = await readManifest(volume, chunk)
    out.push(...(await resolveManifests(volume, inner, from, to, depth + 1)))
  }
  return out
}

/** Stores bytes as a new needle and describes it as a chunk at offset 0. */
export type SaveChunk = (data: Buffer) => Promise<FileChunk>

/**
 * SeaweedFS `MaybeManifestize`: manifest chunks are kept; every full run of `batch` data chunks
 * (`i + batch <= count`, so exactly `batch` chunks already make one manifest) becomes one manifest
 * chunk; the remainder stays as data chunks after the manifests.
 */
export async function manifestize(
  save: SaveChunk,
  chunks: readonly FileChunk[],
  batch: number,
): Promise<FileChunk[]> {
  // Go leaves SSE chunks alone to keep their per-chunk metadata.
  if (batch <= 0 || chunks.some((c) => c.sse_type !== undefined && c.sse_type !== 'NONE')) {
    return [...chunks]
  }
  const out = chunks.filter((c) => c.is_chunk_manifest)
  const data = chunks.filter((c) => !c.is_chunk_manifest)
  let i = 0
  for (; i + batch <= data.length; i += batch)
    out.push(await mergeIntoManifest(save, data.slice(i, i + batch)))
  out.push(...data.slice(i))
  return out
}

/**
 * One manifest chunk for `chunks`: the serialized `FileChunkManifest` (chunks in stored form,
 * `fid` set and `file_id` cleared, as Go's BeforeEntrySerialization) saved as a needle;
 * `offset` = lowest offset, `size` = the span covered.
 */
async function mergeIntoManifest(
  save: SaveChunk,
  chunks: readonly FileChunk[],
): Promise<FileChunk> {
  const bytes = Buffer.from(
    filerCodec.encode('FileChunkManifest', { chunks: chunks.map((c) => storedChunk(c)) }),
  )
  let min = Number.MAX_SAFE_INTEGER
  let max = 0
  for (const c of chunks) {
    const offset = Number(c.offset ?? 0)
    min = Math.min(min, offset)
    max = Math.max(max, offset + Number(c.size ?? 0))
  }
  const saved = await save(bytes)
  return { ...saved, is_chunk_manifest: true, offset: String(min), size: String(max - min) }
}
