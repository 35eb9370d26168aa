/**
 * Field notes §3 items #18–#31 (chunk data copying) and #57 (chunk traffic through the filers),
 * one named test each, against real embedded filers and the real Replicator. See
 * `field-notes.test.ts` for the other items and the list of those not applicable.
 *
 * Lower-level tests the integration tests here complement (names checked):
 *
 * | item | existing test (file › name) |
 * |------|-----------------------------|
 * | #23 | integration/chunk-copier.test.ts › "resolves manifests through the source and rebuilds them on the target" |
 * | #25 | integration/chunk-copier.test.ts › "resumes with Range after the source cuts the body mid-transfer" (the test here covers the "reject a 200 when 206 was requested" half) |
 * | #26 | unit/backoff.test.ts › "ceilings grow 1 s, 2 s, 4 s … and stop at 120 s" |
 * | #31 | bench/large-file-rss.ts (`pnpm bench:rss`) |
 *
 * A "vanished" chunk is a fid whose needle never existed: the embedded volume server serves
 * soft-deleted needles with `readDeleted=true` (as SeaweedFS does) and has no vacuum endpoint, so a
 * DELETE would not make a chunk unreadable.
 *
 * #19, #20, #26 and #28 were gaps when these tests were written; the fixes made them pass.
 */
import { createHash, randomBytes } from 'node:crypto'
import type { EmbeddedFiler } from '@seasync/embedded-filer'
import { fidVolumeId, type EntryOutput, type FileChunk } from '@seasync/proto'
import { afterEach, describe, expect, it } from 'vitest'
import { uploadChunk } from '../../src/apply/chunk-http.js'
import { httpTransport } from '../../src/filer/cluster-tls.js'
import type { ReplicatorNotification } from '../../src/notifications.js'
import {
  appliedThrough,
  bytes,
  client,
  converge,
  eventTs,
  filer,
  httpProxy,
  lookup,
  missingFid,
  proxiedFid,
  put,
  read,
  replicate,
  runCleanups,
  sleep,
  tree,
  viaHttp,
} from '../support/replication-harness.js'

afterEach(runCleanups)

const nowS = (): number => Math.floor(Date.now() / 1000)
const md5b64 = (data: Buffer): string => createHash('md5').update(data).digest('base64')
const fids = (e: EntryOutput | undefined): string[] => (e?.chunks ?? []).map((c) => c.file_id!)

/** Upload `data` as a new needle on `f`'s volume server; returns the chunk describing it. */
async function uploadNeedle(f: EmbeddedFiler, path: string, data: Buffer, offset = 0) {
  const assigned = await client(f).assignVolume({ count: 1, path })
  const fid = assigned.file_id!
  await uploadChunk(httpTransport(undefined), `http://${assigned.location!.url!}/${fid}`, data, {
    signal: new AbortController().signal,
  })
  return {
    file_id: fid,
    offset,
    size: data.length,
    modified_ts_ns: (BigInt(Date.now()) * 1_000_000n).toString(),
    e_tag: md5b64(data),
  } satisfies FileChunk
}

/** Create `path` on `f` from chunks (no md5 attribute), with the given mtime. */
async function createFile(f: EmbeddedFiler, path: string, chunks: FileChunk[], mtime = nowS()) {
  const slash = path.lastIndexOf('/')
  const size = chunks.reduce((n, c) => Math.max(n, Number(c.offset ?? 0) + Number(c.size ?? 0)), 0)
  await client(f).createEntry({
    directory: path.slice(0, slash) || '/',
    entry: {
      name: path.slice(slash + 1),
      attributes: { mtime, crtime: mtime, file_mode: 0o644, file_size: size },
      chunks,
    },
  })
}

/** Sum of the needles stored on `f`'s volume server. */
async function needleCount(f: EmbeddedFiler): Promise<number> {
  const res = await fetch(`http://${f.volumeUrl}/status`)
  const status = (await res.json()) as { Volumes: { FileCount: number }[] }
  return status.Volumes.reduce((n, v) => n + v.FileCount, 0)
}

const failures = (log: ReplicatorNotification[]) => log.filter((n) => n.type === 'failure')

describe('field notes §3: chunk data copying', () => {
  it('#18 a partially overwritten file: kept chunks are matched by source file id, only the new one is copied', async () => {
    const a = await filer()
    const b = await filer()
    const { r } = replicate({ sourceAddress: a.address, targetAddress: b.address })
    await put(a, '/p.bin', bytes(2_600_000, 1)) // chunks of 1 MiB, 1 MiB, the rest
    await converge(a, '/', b, '/')
    const before = (await lookup(b, '/p.bin'))!
    const copied = r.status().bytesCopied
    // Rewrite the middle MiB only: a new needle replaces the second chunk.
    const onA = (await lookup(a, '/p.bin'))!
    const middle = await uploadNeedle(a, '/p.bin', bytes(2 ** 20, 99), 2 ** 20)
    await client(a).updateEntry({
      directory: '/',
      entry: {
        ...onA,
        attributes: { ...onA.attributes, mtime: nowS() + 5, md5: Buffer.alloc(0) },
        chunks: [onA.chunks[0]!, middle, onA.chunks[2]!],
      },
    })
    await converge(a, '/', b, '/')
    const after = (await lookup(b, '/p.bin'))!
    expect(after.chunks[0]!.file_id).toBe(before.chunks[0]!.file_id)
    expect(after.chunks[2]!.file_id).toBe(before.chunks[2]!.file_id)
    expect(after.chunks[1]!.source_file_id).toBe(middle.file_id)
    expect(after.chunks[1]!.file_id).not.toBe(before.chunks[1]!.file_id)
    expect(r.status().bytesCopied - copied).toBe(2 ** 20)
  })

  // Was a gap (field notes #19, Go 036566629), now fixed: EntryApplier.update matched incoming
  // chunks only against the target chunks' `source_file_id`. In A↔B, B's copy of A's file points back at A's
  // own chunks by `source_file_id`, but A's original chunks have no `source_file_id` (their own
  // `file_id` is the match), so after an append on B, B→A copies the whole file back to A as new
  // needles instead of only the appended chunk.
  it('#19 A↔B: an append on B copies only the appended chunk back to A', async () => {
    const a = await filer()
    const b = await filer()
    replicate({ sourceAddress: a.address, targetAddress: b.address, clientId: 515151 })
    const back = replicate({ sourceAddress: b.address, targetAddress: a.address, clientId: 515151 })
    await put(a, '/aa.bin', bytes(2_600_000, 2))
    await converge(a, '/', b, '/')
    const original = fids(await lookup(a, '/aa.bin'))
    await put(b, '/aa.bin', 'appended on B', { query: 'op=append' })
    await converge(a, '/', b, '/')
    expect(fids(await lookup(a, '/aa.bin')).slice(0, 3)).toEqual(original)
    expect(back.r.status().bytesCopied).toBe('appended on B'.length)
  })

  // Field notes #20: EntryApplier.update reuses target chunks by `source_file_id` only after a
  // HEAD on the target's volume server shows the needle is still there; a lost needle (vacuumed)
  // is copied again, so the next update repairs the file instead of keeping it unreadable.
  it('#20 an update does not trust target chunks that lost their data: the file is repaired', async () => {
    const a = await filer()
    const b = await filer()
    const { r } = replicate({ sourceAddress: a.address, targetAddress: b.address })
    await put(a, '/v.bin', bytes(2_600_000, 3))
    await converge(a, '/', b, '/')
    // B's metadata stays the same, but its second chunk's needle is gone.
    const onB = (await lookup(b, '/v.bin'))!
    const lost = missingFid(onB.chunks[1]!.file_id!)
    await client(b).updateEntry({
      directory: '/',
      entry: {
        ...onB,
        chunks: onB.chunks.map(({ fid: _fid, ...c }, i) => (i === 1 ? { ...c, file_id: lost } : c)),
      },
    })
    expect((await read(b, '/v.bin')).equals(await read(a, '/v.bin'))).toBe(false)
    await put(a, '/v.bin', 'tail', { query: 'op=append' })
    await appliedThrough(r, await eventTs(a, '/v.bin'))
    expect(fids(await lookup(b, '/v.bin'))).not.toContain(lost)
    expect((await read(b, '/v.bin')).equals(await read(a, '/v.bin'))).toBe(true)
  })

  it('#21 a source chunk that cannot be read fails only its file: later files flow, the watermark holds', async () => {
    const a = await filer()
    const b = await filer()
    await put(a, '/seed.txt', 'seed')
    const gone = missingFid(fids(await lookup(a, '/seed.txt'))[0]!)
    await createFile(a, '/bad/missing.bin', [{ file_id: gone, offset: 0, size: 1000, e_tag: '' }])
    await put(a, '/bad/after.txt', 'later events still flow')
    const { r } = replicate({ sourceAddress: a.address, targetAddress: b.address })
    await expect.poll(() => tree(b), { timeout: 10_000 }).toHaveProperty('/bad/after.txt')
    await expect.poll(() => r.failures().length).toBe(1)
    const failure = r.failures()[0]!
    expect(failure.path).toBe('/bad/missing.bin')
    expect(failure.error.code).toBe('SYNC_ERR_CHUNK_READ')
    expect(failure.error.message).toContain('HTTP 404')
    expect(r.status().appliedNs).toBeLessThan(failure.tsNs)
    expect(await tree(b)).not.toHaveProperty('/bad/missing.bin')
    r.skipFailure(failure.id)
    await appliedThrough(r, await eventTs(a, '/bad/after.txt'))
  })

  it('#22 an unreadable chunk whose source file was since overwritten or deleted is abandoned, not retried', async () => {
    const a = await filer()
    const b = await filer()
    await put(a, '/seed.txt', 'seed')
    const gone = missingFid(fids(await lookup(a, '/seed.txt'))[0]!)
    const chunk = { file_id: gone, offset: 0, size: 1000, e_tag: '' }
    await createFile(a, '/stale/over.bin', [chunk], nowS() - 100)
    await createFile(a, '/stale/gone.bin', [chunk], nowS() - 100)
    await put(a, '/stale/over.bin', 'the newer version') // newer mtime
    await client(a).deleteEntry({ directory: '/stale', name: 'gone.bin', is_delete_data: true })
    const { r, log } = replicate({ sourceAddress: a.address, targetAddress: b.address })
    await appliedThrough(r, await eventTs(a, '/stale/gone.bin'))
    await appliedThrough(r, await eventTs(a, '/stale/over.bin'))
    expect(failures(log)).toEqual([])
    expect(
      log.filter((n) => n.type === 'log' && n.message.startsWith('skip stale source')),
    ).toHaveLength(2)
    expect(Object.keys(await tree(b, '/stale')).sort()).toEqual(['/over.bin'])
    expect((await read(b, '/stale/over.bin')).toString()).toBe('the newer version')
  })

  it('#23 manifest chunks are resolved on the SOURCE (volume ids overlap) and rebuilt, on create and update', async () => {
    const a = await filer({ manifestBatch: 3 })
    const b = await filer()
    await put(a, '/m.bin', bytes(4_500_000, 4)) // 5 data chunks → 1 manifest of 3 + 2
    const onA = (await lookup(a, '/m.bin'))!
    expect(onA.chunks.some((c) => c.is_chunk_manifest)).toBe(true)
    replicate({ sourceAddress: a.address, targetAddress: b.address })
    await converge(a, '/', b, '/')
    const onB = (await lookup(b, '/m.bin'))!
    expect(onB.chunks.filter((c) => c.is_chunk_manifest)).toHaveLength(1)
    // The same volume ids exist on both clusters: resolving on the wrong one would "work".
    expect(fids(onB).map(fidVolumeId)).toEqual(expect.arrayContaining(fids(onA).map(fidVolumeId)))
    await put(a, '/m.bin', bytes(300_000, 5), { query: 'op=append' })
    await converge(a, '/', b, '/')
  })

  it('#24 a 200 with a short or empty body is never uploaded: the event fails until the source is sane', async () => {
    const a = await filer()
    const b = await filer()
    await put(a, '/short.bin', bytes(200_000, 6))
    const fid = fids(await lookup(a, '/short.bin'))[0]!
    let attempt = 0
    let broken = true
    const proxy = await httpProxy(a.httpAddress, (req, res) => {
      if (!broken || proxiedFid(req) !== fid) return false
      const body = attempt++ === 0 ? Buffer.alloc(0) : bytes(1000, 6)
      res.writeHead(200, { 'content-length': String(body.length) }).end(body)
      return true
    })
    const { r } = replicate({
      sourceAddress: viaHttp(a, proxy.httpAddress),
      targetAddress: b.address,
      sourceFilerProxy: true,
    })
    await expect.poll(() => r.failures()[0]?.attempts ?? 0, { timeout: 10_000 }).toBeGreaterThan(1)
    expect(r.failures()[0]!.error.code).toBe('SYNC_ERR_CHUNK_SIZE')
    expect(await tree(b)).toEqual({})
    expect(await needleCount(b)).toBe(0)
    broken = false
    r.retryFailure(r.failures()[0]!.id)
    await converge(a, '/', b, '/')
    expect(await needleCount(b)).toBe(1)
  })

  it('#25 a resume that is answered 200 instead of 206 is rejected, never spliced', async () => {
    const a = await filer()
    const b = await filer()
    const data = bytes(300_000, 7)
    await put(a, '/cut.bin', data)
    const fid = fids(await lookup(a, '/cut.bin'))[0]!
    let faulty = true
    const ranges: string[] = []
    const proxy = await httpProxy(a.httpAddress, (req, res) => {
      if (!faulty || proxiedFid(req) !== fid) return false
      ranges.push(req.headers.range ?? '')
      if (req.headers.range) {
        delete req.headers.range // the "source" ignores Range: 200 with the whole body
        return false
      }
      res.writeHead(200, { 'content-length': String(data.length) })
      res.write(data.subarray(0, 1000), () => setTimeout(() => res.destroy(), 20))
      return true
    })
    const { r } = replicate({
      sourceAddress: viaHttp(a, proxy.httpAddress),
      targetAddress: b.address,
      sourceFilerProxy: true,
    })
    await expect.poll(() => r.failures().length, { timeout: 10_000 }).toBe(1)
    expect(ranges.slice(0, 2)).toEqual(['', 'bytes=1000-'])
    expect(r.failures()[0]!.error.message).toMatch(/resume at 1000 answered 200/)
    expect(await tree(b)).toEqual({})
    faulty = false
    r.retryFailure(r.failures()[0]!.id)
    await converge(a, '/', b, '/')
  })

  // Was a gap (field notes #26, HEAD 0647f66bb / 2e3fabbf2; protocol spec §11 "4.31"), now fixed:
  // after a transport failure (EOF, reset, timeout) Go backs off 10 s, 20 s … 2 min; the event
  // retry used to start at 1 s with full jitter, hitting a peer that resets connections at once.
  it('#26 a connection reset while uploading backs off at least 10 s before the retry', async () => {
    const a = await filer()
    const b = await filer()
    const proxy = await httpProxy(b.httpAddress, (req) => {
      if (req.method !== 'POST') return false
      req.socket.destroy()
      return true
    })
    const { r } = replicate({
      sourceAddress: a.address,
      targetAddress: viaHttp(b, proxy.httpAddress),
      targetFilerProxy: true,
    })
    await put(a, '/reset.bin', bytes(10_000, 8))
    await expect.poll(() => r.failures().length, { timeout: 10_000 }).toBe(1)
    const failure = r.failures()[0]!
    expect(failure.error).toMatchObject({ code: 'SYNC_ERR_UNAVAILABLE', retryable: true })
    expect(failure.nextRetryAtMs - Date.now()).toBeGreaterThanOrEqual(9_000)
  })

  it('#27 a newer but shorter destination (a failed earlier copy) is repaired, not kept by LWW', async () => {
    const a = await filer()
    const b = await filer()
    await put(a, '/t.bin', bytes(1_500_000, 9))
    const mtime = nowS() + 100
    await client(b).createEntry({
      directory: '/',
      entry: {
        name: 't.bin',
        content: Buffer.from('x'),
        attributes: { mtime, crtime: mtime, file_mode: 0o644, file_size: 1 },
      },
    })
    replicate({ sourceAddress: a.address, targetAddress: b.address })
    await converge(a, '/', b, '/')
  })

  // Was a gap (field notes #28, PR #11019), now fixed: a chunk on a volume the source no longer has makes
  // LookupVolume fail ("volume N not found", gRPC UNKNOWN). FilerClient turns that into a
  // non-retryable SYNC_ERR_FILER_CALL, and Replicator.superseded() only consults the source for
  // SYNC_ERR_CHUNK_READ / SYNC_ERR_CHUNK_SIZE, so the event is retried forever (holding the
  // watermark) although its source file was deleted long ago. ChunkCopier now reports it as a
  // chunk read error, which the stale-source check sees.
  it('#28 a chunk on a vanished source volume, file since deleted: the event is passed, not retried', async () => {
    const a = await filer()
    const b = await filer()
    await createFile(a, '/old/lost.bin', [{ file_id: '9999,1deadbeef', offset: 0, size: 1000 }])
    await client(a).deleteEntry({ directory: '/old', name: 'lost.bin', is_delete_data: false })
    await put(a, '/old/after.txt', 'after')
    const tAfter = await eventTs(a, '/old/after.txt')
    const { r } = replicate({ sourceAddress: a.address, targetAddress: b.address })
    await expect
      .poll(() => r.failures().length > 0 || r.status().appliedNs >= tAfter, { timeout: 10_000 })
      .toBe(true)
    // Today: one failure, SYNC_ERR_FILER_CALL "volume 9999 not found", retried forever.
    expect(r.failures().map((f) => `${f.error.code} ${f.path}`)).toEqual([])
  })

  it('#29 cipher and SSE chunks: ciphertext copied byte-exact with key, compression and SSE metadata', async () => {
    const a = await filer()
    const b = await filer()
    const ciphertext = randomBytes(50_000)
    const chunk = {
      ...(await uploadNeedle(a, '/enc/secret.bin', ciphertext)),
      cipher_key: randomBytes(32),
      is_compressed: true,
      sse_type: 'SSE_S3',
      sse_metadata: Buffer.from('{"kms":"key-material"}'),
    } satisfies FileChunk
    await createFile(a, '/enc/secret.bin', [chunk])
    replicate({ sourceAddress: a.address, targetAddress: b.address })
    await expect.poll(() => lookup(b, '/enc/secret.bin'), { timeout: 10_000 }).toBeDefined()
    const copy = (await lookup(b, '/enc/secret.bin'))!.chunks[0]!
    expect(copy).toMatchObject({
      source_file_id: chunk.file_id,
      cipher_key: chunk.cipher_key,
      is_compressed: true,
      sse_type: 'SSE_S3',
      sse_metadata: chunk.sse_metadata,
      e_tag: chunk.e_tag,
    })
    expect(copy.file_id).not.toBe(chunk.file_id)
    const raw = await fetch(`http://${b.volumeUrl}/${copy.file_id!}`, {
      headers: { 'Accept-Encoding': 'identity' },
    })
    expect(Buffer.from(await raw.arrayBuffer()).equals(ciphertext)).toBe(true)
  })

  it('#30 extended attributes, HTTP headers, mode, uid/gid and mime are preserved', async () => {
    const a = await filer()
    const b = await filer()
    await put(a, '/attr/h.txt', 'headers', {
      query: 'mode=0600',
      headers: { 'Seaweed-Color': 'blue', 'Cache-Control': 'no-cache', 'Content-Type': 'text/x-t' },
    })
    const mtime = nowS()
    await client(a).createEntry({
      directory: '/attr',
      entry: {
        name: 'owned.txt',
        content: Buffer.from('owned'),
        attributes: { mtime, crtime: mtime, file_mode: 0o640, uid: 1001, gid: 1002, file_size: 5 },
        extended: { 'xattr-user.note': Buffer.from('kept') },
      },
    })
    replicate({ sourceAddress: a.address, targetAddress: b.address })
    await converge(a, '/', b, '/')
    for (const path of ['/attr/h.txt', '/attr/owned.txt']) {
      const [onA, onB] = [(await lookup(a, path))!, (await lookup(b, path))!]
      const pick = (e: EntryOutput) => {
        const { file_mode, uid, gid, mime, mtime: m, file_size } = e.attributes ?? {}
        return { file_mode, uid, gid, mime, mtime: m, file_size, extended: e.extended }
      }
      expect(Object.keys(onA.extended).length).toBeGreaterThan(0)
      expect(pick(onB)).toEqual(pick(onA))
    }
  })

  it('#31 memory stays bounded by chunk concurrency: one chunk held at a time, the rest wait', async () => {
    const a = await filer({ maxMB: 0.25 })
    const b = await filer()
    await put(a, '/big.bin', bytes(1_500_000, 10)) // 6 chunks
    const proxy = await httpProxy(a.httpAddress, async () => {
      await sleep(40)
      return false
    })
    const { r } = replicate({
      sourceAddress: viaHttp(a, proxy.httpAddress),
      targetAddress: b.address,
      sourceFilerProxy: true,
      chunkConcurrency: 1,
    })
    let held = 0
    let waiting = 0
    const sampler = setInterval(() => {
      const inFlight = r.status().inFlight
      held = Math.max(held, inFlight.filter((t) => t.state !== 'waiting').length)
      waiting = Math.max(waiting, inFlight.filter((t) => t.state === 'waiting').length)
    }, 5)
    try {
      await converge(a, '/', b, '/')
    } finally {
      clearInterval(sampler)
    }
    expect(held).toBe(1)
    expect(waiting).toBeGreaterThan(0)
  })
})

describe('field notes §3: connectivity', () => {
  it('#57 with filer proxies, chunk reads and writes go through the source and target filers', async () => {
    const a = await filer()
    const b = await filer()
    const pa = await httpProxy(a.httpAddress)
    const pb = await httpProxy(b.httpAddress)
    replicate({
      sourceAddress: viaHttp(a, pa.httpAddress),
      targetAddress: viaHttp(b, pb.httpAddress),
      sourceFilerProxy: true,
      targetFilerProxy: true,
    })
    await put(a, '/via.bin', bytes(2_500_000, 11)) // 3 chunks
    await converge(a, '/', b, '/')
    const gets = pa.seen.filter((s) => s.startsWith('GET /?proxyChunkId='))
    const posts = pb.seen.filter((s) => s.startsWith('POST /?proxyChunkId='))
    expect(gets.map((s) => s.split('=')[1]).sort()).toEqual(
      fids(await lookup(a, '/via.bin')).sort(),
    )
    expect(posts.map((s) => s.split('=')[1]).sort()).toEqual(
      fids(await lookup(b, '/via.bin')).sort(),
    )
  })
})
