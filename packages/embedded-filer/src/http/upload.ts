/**
 * Storing an HTTP upload as a file entry, as SeaweedFS's filer `autoChunk` does
 * (weed/server/filer_server_handlers_write_autochunk.go, …_write_upload.go): the body is cut into
 * `maxMB` chunks, each written as its own needle with `e_tag` = base64 MD5 (spec §2.2, §8.4 note);
 * a small first block becomes inline `content`; long chunk lists get manifest chunks (§8.6).
 * The body streams through one chunk buffer, so memory stays at about one chunk per upload.
 */
import { createHash } from 'node:crypto'
import type { Entry, FileChunk } from '../filer/entry-form.js'
import type { Filer } from '../filer/filer.js'
import type { VolumeServer } from '../volume/volume-types.js'
import { manifestize } from './chunk-data.js'
import { HttpError } from './http-io.js'
import { nowNs as clockNs } from '../filer/meta-log.js'

/** SeaweedFS's `constants.ErrMsgBadDigest`, answered with 400. */
export const BAD_DIGEST_MESSAGE = 'The Content-MD5 you specified did not match what we received.'

/** Everything {@link storeUpload} needs besides the bytes. */
export interface UploadSpec {
  filer: Filer
  volume: VolumeServer
  /** Parent directory and base name of the file. */
  dir: string
  name: string
  /** Name recorded on each data needle (Go passes the upload's file name). */
  needleName: string
  /** Entry mime ('' when unknown; `application/octet-stream` is stored as ''). */
  mime: string
  /** Permission bits for a new entry. */
  mode: number
  collection: string
  replication: string
  /** Chunk size, bytes. */
  chunkSize: number
  /** A first block smaller than this many bytes is stored inline (0 = never). */
  saveToFilerLimit: number
  /** Data chunks per manifest chunk (SeaweedFS `ManifestBatch`, 10000). */
  manifestBatch: number
  /** `?op=append`: add the bytes after the existing content. */
  append: boolean
  /** Declared body length, bytes, when known; only sizes the first buffers. */
  expectedBytes?: number
  /** The request's `Content-MD5` header (base64 or hex), '' when absent. */
  contentMd5: string
  /** Extended attributes taken from request headers. */
  extended: Record<string, Buffer>
  skipCheckParentDirectory: boolean
}

/** What was stored. */
export interface UploadOutcome {
  entry: Entry
  /** Bytes received in this request. */
  received: number
  /** Raw MD5 of the bytes received. */
  md5: Buffer
}

let lastTsNs = 0n

/** Wall-clock ns, strictly increasing within the process (later chunks must win, §visible). */
function nowNs(): bigint {
  const wall = clockNs()
  lastTsNs = wall > lastTsNs ? wall : lastTsNs + 1n
  return lastTsNs
}

/**
 * Read `source` to its end, store its bytes and create (or, with `append`, extend) the entry.
 * Needles written for a request that fails are deleted again.
 */
export async function storeUpload(
  spec: UploadSpec,
  source: AsyncIterable<Buffer>,
): Promise<UploadOutcome> {
  const { filer, volume } = spec
  const path = spec.dir === '/' ? `/${spec.name}` : `${spec.dir}/${spec.name}`
  const existing = spec.append ? filer.findEntry(path) : undefined
  if (existing?.is_directory) throw new HttpError(409, `existing ${path} is a directory`)
  if (existing?.content && existing.content.length > 0) {
    // Go refuses this too (a TODO in saveMetaData).
    throw new HttpError(500, 'append to small file is not supported yet')
  }
  const baseOffset = existing ? Number(existing.attributes?.file_size ?? 0) : 0
  const written: string[] = []
  const save = async (
    data: Buffer,
    offset: number,
    name: string,
    mime: string,
  ): Promise<FileChunk> => {
    const { fid } = volume.assign({ collection: spec.collection, replication: spec.replication })
    written.push(fid)
    const result = await volume.writeNeedle(fid, { data, mime, name })
    const chunk: FileChunk = {
      file_id: fid,
      offset: String(offset),
      size: String(result.size),
      modified_ts_ns: nowNs().toString(),
      e_tag: result.md5Base64,
    }
    return chunk
  }
  try {
    const { chunks, content, received, md5 } = await cutIntoChunks(
      spec,
      source,
      baseOffset,
      (data, offset) => save(data, offset, spec.needleName, spec.mime),
    )
    if (
      spec.contentMd5 !== '' &&
      spec.contentMd5 !== md5.toString('base64') &&
      spec.contentMd5 !== md5.toString('hex')
    ) {
      throw new HttpError(400, BAD_DIGEST_MESSAGE)
    }
    const saveManifest = async (data: Buffer): Promise<FileChunk> => {
      const chunk = await save(data, 0, '', '')
      // Go's saveAsChunk sends no Content-MD5 for manifest needles, so they carry no e_tag.
      delete chunk.e_tag
      return chunk
    }
    // Append manifestizes only the new chunks; the existing ones stay as they are.
    const newChunks = await manifestize(saveManifest, chunks, spec.manifestBatch)
    const entry = buildEntry(spec, existing, newChunks, content, received, md5)
    await filer.createEntry(spec.dir, entry, {
      signatures: [],
      isFromOtherCluster: false,
      skipCheckParentDirectory: spec.skipCheckParentDirectory,
    })
    return { entry, received, md5 }
  } catch (err) {
    void deleteNeedles(volume, written)
    throw err
  }
}

function buildEntry(
  spec: UploadSpec,
  existing: Entry | undefined,
  chunks: FileChunk[],
  content: Buffer | undefined,
  received: number,
  md5: Buffer,
): Entry {
  // Full ns precision, as Go's time.Now(): replicators order versions by mtime*1e9+mtime_ns.
  const now = nowNs()
  const sec = String(now / 1_000_000_000n)
  const ns = Number(now % 1_000_000_000n)
  if (existing) {
    // Go's append: mtime now, md5 dropped (the whole-file digest is unknown), size grows.
    const attributes = { ...existing.attributes, group_name: existing.attributes?.group_name ?? [] }
    delete attributes.md5
    return {
      ...existing,
      name: spec.name,
      chunks: [...existing.chunks, ...chunks],
      extended: { ...existing.extended, ...spec.extended },
      attributes: {
        ...attributes,
        mtime: sec,
        mtime_ns: ns,
        file_size: String(Number(existing.attributes?.file_size ?? 0) + received),
      },
    }
  }
  return {
    name: spec.name,
    is_directory: false,
    chunks,
    extended: spec.extended,
    ...(content === undefined ? {} : { content }),
    attributes: {
      file_size: String(received),
      mtime: sec,
      mtime_ns: ns,
      crtime: sec,
      crtime_ns: ns,
      file_mode: spec.mode,
      uid: 0,
      gid: 0,
      mime: spec.mime,
      md5,
      group_name: [],
    },
  }
}

/**
 * Stream `source` into chunks of `spec.chunkSize` bytes. A full buffer is written only once more
 * bytes arrive, so at the end we still know whether the whole body fitted in the first block,
 * which Go stores inline when it is smaller than `saveToFilerLimit` (never for appends).
 */
async function cutIntoChunks(
  spec: UploadSpec,
  source: AsyncIterable<Buffer>,
  baseOffset: number,
  saveData: (data: Buffer, offset: number) => Promise<FileChunk>,
): Promise<{ chunks: FileChunk[]; content: Buffer | undefined; received: number; md5: Buffer }> {
  const hash = createHash('md5')
  const chunks: FileChunk[] = []
  let received = 0
  let committed = 0
  let buf: Buffer | undefined
  let filled = 0
  const flush = async (): Promise<void> => {
    if (buf === undefined || filled === 0) return
    const data = filled === buf.length ? buf : Buffer.from(buf.subarray(0, filled))
    chunks.push(await saveData(data, baseOffset + committed))
    committed += filled
    buf = undefined
    filled = 0
  }
  const allocate = (): Buffer => {
    const left = spec.expectedBytes === undefined ? 0 : spec.expectedBytes - committed
    return Buffer.allocUnsafe(left > 0 ? Math.min(spec.chunkSize, left) : spec.chunkSize)
  }
  for await (const piece of source) {
    hash.update(piece)
    received += piece.length
    let at = 0
    while (at < piece.length) {
      if (buf !== undefined && filled === buf.length) await flush()
      buf ??= allocate()
      const n = piece.copy(buf, filled, at, Math.min(piece.length, at + buf.length - filled))
      filled += n
      at += n
    }
  }
  let content: Buffer | undefined
  if (!spec.append && committed === 0 && filled < spec.saveToFilerLimit) {
    content = Buffer.from(buf?.subarray(0, filled) ?? Buffer.alloc(0))
  } else {
    await flush()
  }
  return { chunks, content, received, md5: hash.digest() }
}

/** Best effort, like Go's DeleteUncommittedChunks: a leak is better than a failed response. */
async function deleteNeedles(volume: VolumeServer, fids: string[]): Promise<void> {
  for (const fid of fids) {
    try {
      await volume.deleteNeedle(fid)
    } catch {
      // ignore
    }
  }
}
