/**
 * SeaweedFS file ids ("fids"), byte-exact with Go's needle.FileId (protocol spec §2.2).
 *
 * Text form: `<volume id decimal>,<key hex><cookie hex>` where the key is the lowercase hex of the
 * 8-byte big-endian key with leading zero BYTES removed (so always an even number of digits), and
 * the cookie is exactly 8 hex digits. Key 0 would leave only the cookie, which Go's parser rejects;
 * keys are never 0.
 * Chunks are compared by this string, so any deviation breaks chunk diffing on real filers.
 */

/** Structured fid, as `filer_pb.FileId` (file_key as a decimal string: it is a uint64). */
export interface FileIdParts {
  volumeId: number
  fileKey: bigint
  cookie: number
}

/** Format a fid the way Go's `needle.NewFileId(vid, key, cookie).String()` does. */
export function formatFid(parts: FileIdParts): string {
  const keyBytes = Buffer.alloc(8)
  keyBytes.writeBigUInt64BE(parts.fileKey)
  let start = 0
  while (start < 8 && keyBytes[start] === 0) start++
  const cookie = Buffer.alloc(4)
  cookie.writeUInt32BE(parts.cookie >>> 0)
  return `${parts.volumeId},${keyBytes.subarray(start).toString('hex')}${cookie.toString('hex')}`
}

/** Parse a fid string; throws with a message naming the fid when it is malformed. */
export function parseFid(fid: string): FileIdParts {
  const comma = fid.lastIndexOf(',')
  if (comma <= 0) throw new Error(`invalid fid ${JSON.stringify(fid)}: no volume id`)
  const vid = fid.slice(0, comma)
  const keyCookie = fid.slice(comma + 1)
  if (!/^\d+$/.test(vid))
    throw new Error(`invalid fid ${JSON.stringify(fid)}: volume id is not decimal`)
  if (keyCookie.length < 9 || keyCookie.length > 24 || !/^[0-9a-fA-F]+$/.test(keyCookie)) {
    throw new Error(`invalid fid ${JSON.stringify(fid)}: key+cookie must be 9-24 hex digits`)
  }
  const keyHex = keyCookie.slice(0, -8)
  const cookieHex = keyCookie.slice(-8)
  return {
    volumeId: Number(vid),
    fileKey: BigInt(`0x${keyHex}`),
    cookie: Number.parseInt(cookieHex, 16) >>> 0,
  }
}

/** The volume id part of a fid string (text before the last comma), as LookupVolume wants it. */
export function fidVolumeId(fid: string): string {
  const comma = fid.lastIndexOf(',')
  return comma < 0 ? fid : fid.slice(0, comma)
}

/** `filer_pb.FileId` message form of a fid string. */
export function fidToProto(fid: string): { volume_id: number; file_key: string; cookie: number } {
  const p = parseFid(fid)
  return { volume_id: p.volumeId, file_key: p.fileKey.toString(), cookie: p.cookie }
}

/** fid string from a `filer_pb.FileId` message (file_key as string or number). */
export function fidFromProto(id: {
  volume_id?: number
  file_key?: string | number
  cookie?: number
}): string {
  return formatFid({
    volumeId: id.volume_id ?? 0,
    fileKey: BigInt(id.file_key ?? 0),
    cookie: id.cookie ?? 0,
  })
}
