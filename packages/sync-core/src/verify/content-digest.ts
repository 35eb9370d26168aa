/**
 * Whole-file digests read through a filer's HTTP API (`GET <scheme>://<filer>/<path>`, spec §8.9), for
 * `verifySync`'s `compareContent`. The filer assembles the file from its chunks (manifests,
 * overlaps, inline content) exactly as clients see it, so equal digests mean equal bytes whatever
 * the chunk layout. The body is streamed into the hash: memory does not grow with the file.
 */
import { createHash } from 'node:crypto'
import { discard, fetchError, httpSend } from '../apply/chunk-http.js'
import { SyncError } from '../errors.js'
import type { HttpTransport } from '../filer/cluster-tls.js'

/** A filer's HTTP API: `host:port` and how to reach it (http, or https with the cluster's TLS). */
export interface FilerHttp {
  address: string
  transport: HttpTransport
}

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
 * md5 (hex) and length of the file at `path` on the filer `http`.
 * `Accept-Encoding: identity` so the digest is over the bytes as stored, never a gzip rendering.
 * Throws `SYNC_ERR_CHUNK_READ` for an HTTP error status, `SYNC_ERR_UNAVAILABLE` for a transport
 * failure, SyncStoppedError when `signal` aborts.
 */
export async function contentDigest(
  http: FilerHttp,
  path: string,
  signal: AbortSignal | undefined,
): Promise<ContentDigest> {
  const url = http.transport.url(http.address, encodeFilerPath(path))
  try {
    const res = await httpSend(http.transport, url, {
      headers: { 'Accept-Encoding': 'identity' },
      signal,
    })
    if (res.status >= 400) {
      discard(res)
      throw new SyncError('SYNC_ERR_CHUNK_READ', `GET ${url}: HTTP ${res.status}`)
    }
    const md5 = createHash('md5')
    let bytes = 0
    for await (const piece of res.body as AsyncIterable<Buffer>) {
      md5.update(piece)
      bytes += piece.length
    }
    return { md5: md5.digest('hex'), bytes }
  } catch (err) {
    if (err instanceof SyncError) throw err
    throw fetchError(err, signal, `GET ${url}`)
  }
}
