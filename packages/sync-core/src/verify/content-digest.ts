/**
 * Whole-file digests read through a filer's HTTP API (`GET http://<filer>/<path>`, spec §8.9), for
 * `verifySync`'s `compareContent`. The filer assembles the file from its chunks (manifests,
 * overlaps, inline content) exactly as clients see it, so equal digests mean equal bytes whatever
 * the chunk layout. The body is streamed into the hash: memory does not grow with the file.
 */
import { createHash } from 'node:crypto'
import { SyncError, SyncStoppedError } from '../errors.js'

/** md5 (hex) and length of a file's bytes. */
export interface ContentDigest {
  md5: string
  bytes: number
}

/** `/a b/c#d` → `/a%20b/c%23d`: each path segment percent-encoded, slashes kept. */
export function encodeFilerPath(path: string): string {
  return path.split('/').map(encodeURIComponent).join('/')
}

/**
 * md5 of the file at `path` on the filer whose HTTP API is `httpAddress` (`host:port`).
 * `Accept-Encoding: identity` so the digest is over the bytes as stored, never a gzip rendering.
 * Throws `SYNC_ERR_CHUNK_READ` for an HTTP error status, `SYNC_ERR_UNAVAILABLE` for a transport
 * failure, SyncStoppedError when `signal` aborts.
 */
export async function contentDigest(
  httpAddress: string,
  path: string,
  signal: AbortSignal | undefined,
): Promise<ContentDigest> {
  const url = `http://${httpAddress}${encodeFilerPath(path)}`
  try {
    const res = await fetch(url, { headers: { 'Accept-Encoding': 'identity' }, signal })
    if (res.status >= 400) {
      await res.body?.cancel()
      throw new SyncError('SYNC_ERR_CHUNK_READ', `GET ${url}: HTTP ${res.status}`)
    }
    const md5 = createHash('md5')
    let bytes = 0
    if (res.body) {
      for await (const piece of res.body as AsyncIterable<Uint8Array>) {
        md5.update(piece)
        bytes += piece.length
      }
    }
    return { md5: md5.digest('hex'), bytes }
  } catch (err) {
    if (err instanceof SyncError) throw err
    if (signal?.aborted) throw new SyncStoppedError(`GET ${url}: stopped`, { cause: err })
    const cause = (err as { cause?: { code?: string; message?: string } }).cause
    throw new SyncError(
      'SYNC_ERR_UNAVAILABLE',
      `GET ${url}: ${cause?.code ?? ''} ${cause?.message ?? (err as Error).message}`.trim(),
      { cause: err },
    )
  }
}
