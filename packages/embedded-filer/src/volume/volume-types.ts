/**
 * The contract between the embedded filer and its in-process volume server. The filer plays the
 * master's role (it assigns fids) and writes and reads needles in-process; replicators and other
 * clients reach the same needles over the volume-server HTTP API.
 */

/** A stored needle as read back. `data` is always the uncompressed bytes. */
export interface Needle {
  data: Buffer
  /** Content type given at upload, '' if none. */
  mime: string
  /** File name given at upload (multipart filename), '' if none. */
  name: string
  /** Upload time, ms since epoch. */
  lastModifiedMs: number
  /** True when the needle was deleted but not yet vacuumed (only returned with readDeleted). */
  deleted: boolean
}

export interface NeedleWrite {
  data: Buffer
  mime?: string
  name?: string
}

export interface NeedleWriteResult {
  /** Logical (uncompressed) size in bytes. */
  size: number
  /** Base64 of the MD5 of the uncompressed bytes: the chunk `e_tag` form SeaweedFS uses. */
  md5Base64: string
  /** False when an identical needle already existed (HTTP 204). */
  created: boolean
}

export interface AssignRequest {
  collection: string
  replication?: string
  ttlSec?: number
  diskType?: string
}

export interface VolumeServer {
  /** `host:port` of the HTTP API: what `Location.url` carries. */
  readonly url: string
  readonly publicUrl: string
  /** Reserve a fresh fid (new key, random cookie) on a writable volume of the collection. */
  assign(request: AssignRequest): { fid: string; volumeId: number }
  /** Write JWT for `fid` (HS256, claims `{fid, exp}`), or '' when no signing key is configured. */
  writeJwt(fid: string): string
  /** Whether this server holds the volume (LookupVolume answers from it). */
  hasVolume(volumeId: number): boolean
  writeNeedle(fid: string, write: NeedleWrite): Promise<NeedleWriteResult>
  /** undefined when missing, when the cookie is wrong, or when deleted and !readDeleted. */
  readNeedle(fid: string, options?: { readDeleted?: boolean }): Promise<Needle | undefined>
  /** Soft delete: the bytes stay readable with readDeleted until a vacuum. Missing fid: no-op. */
  deleteNeedle(fid: string): Promise<void>
  close(): Promise<void>
}
