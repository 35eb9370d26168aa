/**
 * Copies file chunks from the source cluster to the target (spec §8): data chunks are read from a
 * source volume server (LookupVolume on the SOURCE filer, `GET ?readDeleted=true`) or through the
 * source filer's proxy, and written as new needles on the target (AssignVolume on the TARGET
 * filer with the target path, multipart POST). Manifest chunks are resolved through the SOURCE and
 * rebuilt on the target (HEAD 4.30). At most `chunkConcurrency` chunks of one direction are in
 * flight, each held in memory only while it is copied: memory is bounded by chunk concurrency ×
 * chunk size, never by file size.
 */
import { setMaxListeners } from 'node:events'
import {
  fidToProto,
  fidVolumeId,
  filerCodec,
  type AssignVolumeRequest,
  type AssignVolumeResponseOutput,
  type FileChunk,
  type FileChunkManifestOutput,
  type FileChunkOutput,
} from '@seasync/proto'
import { SyncError, SyncStoppedError, toSyncError } from '../errors.js'
import { chunkFileId } from '../stream/metadata-event.js'
import { ByteBudget } from '../util/byte-budget.js'
import { Semaphore } from '../util/semaphore.js'
import { httpTransport, type HttpTransport } from '../filer/cluster-tls.js'
import { discard, downloadChunk, fetchError, httpSend, uploadChunk } from './chunk-http.js'

/** The source filer calls the copier needs (FilerClient has them). */
export interface ChunkSource {
  lookupVolume(
    volumeIds: readonly string[],
    options: { signal?: AbortSignal },
  ): Promise<Record<string, { url?: string }[]>>
}

/** The target filer calls the copier needs (FilerClient has them). */
export interface ChunkTarget {
  assignVolume(
    request: AssignVolumeRequest,
    options: { signal?: AbortSignal },
  ): Promise<AssignVolumeResponseOutput>
  /** For {@link ChunkCopier.targetChunksExist}; without it every target chunk counts as present. */
  lookupVolume?(
    volumeIds: readonly string[],
    options: { signal?: AbortSignal },
  ): Promise<Record<string, { url?: string }[]>>
}

export interface ChunkCopierOptions {
  /** Chunks in flight per direction. Default 32. */
  chunkConcurrency: number
  /**
   * Bytes of chunk data held in memory at once per direction, on top of the chunk count limit.
   * Default 64 MiB: with upstream's 32 × 4 MiB chunks that is half of them at a time, which
   * already saturates loopback, and it keeps a 2 GiB copy far below 200 MiB of RSS.
   */
  chunkMemoryBytes?: number
  /**
   * How the SOURCE cluster's volume servers and filer are reached over HTTP: `http`, or `https`
   * with its CA and client certificate (`httpTransport(tls)`). LookupVolume URLs carry no scheme:
   * it follows the cluster's configuration (spec §1). Default plain http.
   */
  sourceHttp?: HttpTransport | undefined
  /** The same for the TARGET cluster (uploads, target filer proxy). */
  targetHttp?: HttpTransport | undefined
  /** Read through `<scheme>://<filer>/?proxyChunkId=` of the source filer instead of its volumes. */
  sourceFilerProxy?: string | undefined
  /** Write through the target filer's proxy instead of its volume servers. */
  targetFilerProxy?: string | undefined
  /** AssignVolume placement on the target (`-b.replication`, `-b.collection`, …). */
  replication?: string
  collection?: string
  ttlSec?: number
  diskType?: string
  /** Upload attempts with a fresh assignment after a 5xx or transport failure. Default 3. */
  uploadAttempts?: number
}

/** Progress of one in-flight chunk, for status reporting. */
export interface ChunkTransfer {
  sourceFid: string
  targetPath: string
  size: number
  state: 'waiting' | 'downloading' | 'uploading'
}

/**
 * Progress of one file's copy: every chunk {@link ChunkCopier.replicate} was given, manifests
 * resolved. A chunk counts as copied once it is downloaded and uploaded; a manifest counts the span
 * it covers, as its data chunks finish.
 */
export interface FileTransfer {
  targetPath: string
  /** Bytes of the chunks to copy. */
  bytes: number
  /** Bytes of those chunks already copied. */
  bytesCopied: number
  startedAtMs: number
}

/** How long a source volume location is reused before LookupVolume is asked again. */
const LOCATION_TTL_MS = 10_000

export const ChunkCopierDefaults = Object.freeze({ chunkMemoryBytes: 64 * 2 ** 20 })

export class ChunkCopier {
  private readonly slots: Semaphore
  private readonly memory: ByteBudget
  private readonly sourceHttp: HttpTransport
  private readonly targetHttp: HttpTransport
  /** Chunks being copied right now (read by the status stream; never blocks copying). */
  readonly transfers = new Set<ChunkTransfer>()
  /** Files whose chunks are being copied right now, with their progress. */
  readonly files = new Set<FileTransfer>()
  /**
   * Source volume locations by volume id, as Go clients keep them in their vid map: without it
   * every chunk paid one LookupVolume round trip (a third of the gRPC calls of a small chunked
   * file). Dropped after {@link LOCATION_TTL_MS} and whenever a read from the location fails.
   */
  private readonly locations = new Map<string, { url: string; expiresAtMs: number }>()

  constructor(
    private readonly source: ChunkSource,
    private readonly target: ChunkTarget,
    private readonly options: ChunkCopierOptions,
  ) {
    this.slots = new Semaphore(options.chunkConcurrency)
    this.memory = new ByteBudget(options.chunkMemoryBytes ?? ChunkCopierDefaults.chunkMemoryBytes)
    this.sourceHttp = options.sourceHttp ?? httpTransport(undefined)
    this.targetHttp = options.targetHttp ?? httpTransport(undefined)
  }

  /**
   * Replicate `chunks` of the source entry that will live at `targetPath`; returns the target's
   * chunk list in the same order. All or nothing: the first failure aborts the file's other
   * chunks (needles already written stay orphaned on the target, as upstream).
   */
  async replicate(
    chunks: readonly FileChunkOutput[],
    targetPath: string,
    signal: AbortSignal,
  ): Promise<FileChunk[]> {
    const file: FileTransfer = {
      targetPath,
      bytes: chunks.reduce((sum, c) => sum + Number(c.size ?? 0), 0),
      bytesCopied: 0,
      startedAtMs: Date.now(),
    }
    this.files.add(file)
    try {
      return await this.copyAll(chunks, targetPath, signal, file)
    } finally {
      this.files.delete(file)
    }
  }

  /** {@link replicate} without the file's bookkeeping (manifests recurse here). */
  private async copyAll(
    chunks: readonly FileChunkOutput[],
    targetPath: string,
    signal: AbortSignal,
    file: FileTransfer,
  ): Promise<FileChunk[]> {
    if (chunks.length === 1) {
      // One chunk (most files): nothing to abort alongside it, so no per-file controller.
      try {
        return [await this.replicateOne(chunks[0]!, targetPath, signal, file)]
      } catch (err) {
        if (signal.aborted) throw new SyncStoppedError('stopped', { cause: err })
        throw toSyncError(err, 'SYNC_ERR_CHUNK_READ')
      }
    }
    const fileAbort = new AbortController()
    // Every chunk's request listens on this signal: more than Node's default of 10 is expected.
    setMaxListeners(0, fileAbort.signal)
    const onAbort = (): void => fileAbort.abort()
    signal.addEventListener('abort', onAbort, { once: true })
    try {
      return await Promise.all(
        chunks.map((chunk) =>
          this.replicateOne(chunk, targetPath, fileAbort.signal, file).catch((err: unknown) => {
            fileAbort.abort()
            throw err
          }),
        ),
      )
    } catch (err) {
      if (signal.aborted) throw new SyncStoppedError('stopped', { cause: err })
      throw toSyncError(err, 'SYNC_ERR_CHUNK_READ')
    } finally {
      signal.removeEventListener('abort', onAbort)
    }
  }

  private async replicateOne(
    chunk: FileChunkOutput,
    targetPath: string,
    signal: AbortSignal,
    file: FileTransfer,
  ): Promise<FileChunk> {
    const sourceFid = chunkFileId(chunk)
    if (chunk.is_chunk_manifest) {
      return this.replicateManifest(chunk, sourceFid, targetPath, signal, file)
    }
    const size = Number(chunk.size ?? 0)
    const transfer: ChunkTransfer = { sourceFid, targetPath, size, state: 'waiting' }
    this.transfers.add(transfer)
    const release = await this.slots.acquire(signal)
    let giveBack: (() => void) | undefined
    try {
      giveBack = await this.memory.acquire(size, signal)
      transfer.state = 'downloading'
      const data = await this.readChunk(sourceFid, size, signal)
      transfer.state = 'uploading'
      const newFid = await this.writeChunk(data, targetPath, signal)
      file.bytesCopied += size
      return replicatedChunk(chunk, newFid, sourceFid)
    } finally {
      giveBack?.()
      release()
      this.transfers.delete(transfer)
    }
  }

  /**
   * Whether the TARGET still holds each needle of `fids` (field notes §3 item 20: identical
   * metadata is no proof, a needle may have been vacuumed): LookupVolume on the target once per
   * volume, then `HEAD` on its volume server (or through its filer proxy), at most
   * `chunkConcurrency` at a time. A 404 or an unknown volume is `false`; transport failures throw.
   */
  async targetChunksExist(fids: readonly string[], signal: AbortSignal): Promise<boolean[]> {
    const lookup = this.target.lookupVolume?.bind(this.target)
    if (lookup === undefined) return fids.map(() => true)
    const volumes = new Map<string, Promise<string | undefined>>()
    const locate = (vid: string): Promise<string | undefined> => {
      let found = volumes.get(vid)
      if (found === undefined) {
        found = lookup([vid], { signal }).then(
          (res) => res[vid]?.[0]?.url,
          (err: unknown) => {
            // The target lost the whole volume: none of its needles is there.
            if (/not found/i.test(toSyncError(err).message)) return undefined
            throw err
          },
        )
        volumes.set(vid, found)
      }
      return found
    }
    return Promise.all(
      fids.map(async (fid) => {
        const release = await this.slots.acquire(signal)
        try {
          let url: string
          if (this.options.targetFilerProxy) {
            url = this.targetHttp.url(this.options.targetFilerProxy, `/?proxyChunkId=${fid}`)
          } else {
            const location = await locate(fidVolumeId(fid))
            if (location === undefined) return false
            url = this.targetHttp.url(location, `/${fid}`)
          }
          let status: number
          try {
            const res = await httpSend(this.targetHttp, url, { method: 'HEAD', signal })
            discard(res)
            status = res.status
          } catch (err) {
            throw fetchError(err, signal, `HEAD ${url}`)
          }
          if (status === 404) return false
          if (status >= 400) {
            throw new SyncError('SYNC_ERR_CHUNK_WRITE', `HEAD ${url}: HTTP ${status}`, {
              retryable: true,
            })
          }
          return true
        } finally {
          release()
        }
      }),
    )
  }

  /** Spec §8.6: fetch the manifest through the source, copy its chunks, upload a new manifest. */
  private async replicateManifest(
    chunk: FileChunkOutput,
    sourceFid: string,
    targetPath: string,
    signal: AbortSignal,
    file: FileTransfer,
  ): Promise<FileChunk> {
    const blob = await this.readManifestBlob(sourceFid, signal)
    const manifest = filerCodec.decode<FileChunkManifestOutput>('FileChunkManifest', blob)
    const copied = await this.copyAll(manifest.chunks, targetPath, signal, file)
    // The new manifest holds the replicated chunks in structured form, strings cleared.
    const structured = copied.map((c) => {
      const { file_id, source_file_id, ...rest } = c
      return {
        ...rest,
        ...(file_id ? { fid: fidToProto(file_id) } : {}),
        ...(source_file_id ? { source_fid: fidToProto(source_file_id) } : {}),
      }
    })
    const newBlob = Buffer.from(filerCodec.encode('FileChunkManifest', { chunks: structured }))
    const newFid = await this.writeChunk(newBlob, targetPath, signal, 'application/octet-stream')
    return {
      file_id: newFid,
      offset: chunk.offset ?? '0',
      size: chunk.size ?? '0',
      modified_ts_ns: chunk.modified_ts_ns ?? '0',
      e_tag: chunk.e_tag ?? '',
      source_file_id: sourceFid,
      is_chunk_manifest: true,
    }
  }

  private async readManifestBlob(fid: string, signal: AbortSignal): Promise<Buffer> {
    // The manifest's size field is the covered span, not the blob's length: read it whole.
    const url = await this.sourceUrl(fid, signal)
    try {
      const res = await httpSend(this.sourceHttp, url, {
        headers: { 'Accept-Encoding': 'identity' },
        signal,
      })
      if (res.status >= 400) {
        discard(res)
        throw new SyncError('SYNC_ERR_CHUNK_READ', `GET manifest ${url}: HTTP ${res.status}`, {
          retryable: res.status >= 500,
        })
      }
      const pieces: Buffer[] = []
      for await (const piece of res.body as AsyncIterable<Buffer>) pieces.push(piece)
      return Buffer.concat(pieces)
    } catch (err) {
      if (err instanceof SyncError) throw err
      throw fetchError(err, signal, `GET ${url}`)
    }
  }

  private async readChunk(fid: string, size: number, signal: AbortSignal): Promise<Buffer> {
    const url = await this.sourceUrl(fid, signal)
    try {
      return await downloadChunk(this.sourceHttp, url, size, { signal })
    } catch (err) {
      // The volume may have moved: the next attempt asks the source filer again.
      this.locations.delete(fidVolumeId(fid))
      throw err
    }
  }

  /**
   * Where to GET a source chunk: the source filer's proxy (everything after `proxyChunkId=` is the
   * fid, so nothing may be appended, spec §8.3), or the first location LookupVolume names on the
   * SOURCE, with `readDeleted=true` so a needle the source already replaced is still readable.
   */
  private async sourceUrl(fid: string, signal: AbortSignal): Promise<string> {
    if (this.options.sourceFilerProxy) {
      return this.sourceHttp.url(this.options.sourceFilerProxy, `/?proxyChunkId=${fid}`)
    }
    const vid = fidVolumeId(fid)
    const cached = this.locations.get(vid)
    if (cached && cached.expiresAtMs > Date.now()) {
      return this.sourceHttp.url(cached.url, `/${fid}?readDeleted=true`)
    }
    let res: Record<string, { url?: string }[]>
    try {
      res = await this.source.lookupVolume([vid], { signal })
    } catch (err) {
      // A volume the source no longer has (vacuumed, deleted) is a chunk that cannot be read:
      // classified so the stale-source check can see the event was superseded (field notes §3
      // item 28), rather than as an unexplained filer error retried forever.
      const e = toSyncError(err)
      if (/not found/i.test(e.message)) {
        throw new SyncError('SYNC_ERR_CHUNK_READ', `volume ${vid} of ${fid}: ${e.message}`, {
          cause: err,
          retryable: false,
        })
      }
      throw e
    }
    const location = res[vid]?.[0]
    if (!location?.url) {
      throw new SyncError('SYNC_ERR_CHUNK_READ', `no location for volume ${vid} of ${fid}`)
    }
    this.locations.set(vid, { url: location.url, expiresAtMs: Date.now() + LOCATION_TTL_MS })
    return this.sourceHttp.url(location.url, `/${fid}?readDeleted=true`)
  }

  /** AssignVolume on the target (path, placement flags) and upload; a 5xx gets a new fid. */
  private async writeChunk(
    data: Buffer,
    targetPath: string,
    signal: AbortSignal,
    mime?: string,
  ): Promise<string> {
    const attempts = this.options.uploadAttempts ?? 3
    for (let attempt = 1; ; attempt++) {
      const assigned = await this.target.assignVolume(
        {
          count: 1,
          path: targetPath,
          collection: this.options.collection ?? '',
          replication: this.options.replication ?? '',
          ttl_sec: this.options.ttlSec ?? 0,
          disk_type: this.options.diskType ?? '',
          data_center: '',
          expected_data_size: data.length,
        },
        { signal },
      )
      if (assigned.error)
        throw new SyncError('SYNC_ERR_CHUNK_WRITE', `assign volume: ${assigned.error}`)
      const fid = assigned.file_id ?? ''
      const url = this.options.targetFilerProxy
        ? this.targetHttp.url(this.options.targetFilerProxy, `/?proxyChunkId=${fid}`)
        : this.targetHttp.url(assigned.location?.url ?? '', `/${fid}`)
      try {
        await uploadChunk(this.targetHttp, url, data, {
          signal,
          ...(assigned.auth ? { jwt: assigned.auth } : {}),
          ...(mime ? { mime } : {}),
        })
        return fid
      } catch (err) {
        const e = toSyncError(err, 'SYNC_ERR_CHUNK_WRITE')
        if (!e.retryable || attempt >= attempts || signal.aborted) throw e
      }
    }
  }
}

/** Spec §8.4 item 6: every field copied from the source chunk, the new fid, `source_file_id` set. */
function replicatedChunk(chunk: FileChunkOutput, newFid: string, sourceFid: string): FileChunk {
  return {
    file_id: newFid,
    offset: chunk.offset ?? '0',
    size: chunk.size ?? '0',
    modified_ts_ns: chunk.modified_ts_ns ?? '0',
    e_tag: chunk.e_tag ?? '',
    source_file_id: sourceFid,
    ...(chunk.cipher_key?.length ? { cipher_key: chunk.cipher_key } : {}),
    ...(chunk.is_compressed ? { is_compressed: true } : {}),
    ...(chunk.sse_type ? { sse_type: chunk.sse_type } : {}),
    ...(chunk.sse_metadata?.length ? { sse_metadata: chunk.sse_metadata } : {}),
  }
}
