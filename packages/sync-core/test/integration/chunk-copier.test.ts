import { createServer, request as httpRequest, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import * as grpc from '@grpc/grpc-js'
import { startEmbeddedFiler, type EmbeddedFiler } from '@seasync/embedded-filer'
import {
  channelOptions,
  loadFilerProto,
  type EntryOutput,
  type LookupDirectoryEntryResponseOutput,
  type LookupVolumeResponseOutput,
} from '@seasync/proto'
import { afterEach, describe, expect, it } from 'vitest'
import {
  ChunkCopier,
  type ChunkSource,
  type ChunkTarget,
  type FileTransfer,
} from '../../src/apply/chunk-copier.js'
import { SyncError } from '../../src/errors.js'

/** A minimal promise client for the two calls the copier needs, plus lookup/create for checks. */
function rawClient(filer: EmbeddedFiler) {
  const proto = loadFilerProto()
  const c = new proto.filer_pb.SeaweedFiler(
    filer.grpcAddress,
    grpc.credentials.createInsecure(),
    channelOptions,
  )
  const call = <T>(method: string, req: object): Promise<T> =>
    new Promise((resolve, reject) =>
      (c as unknown as Record<string, (r: object, cb: (e: Error | null, v: T) => void) => void>)[
        method
      ]!.call(c, req, (e, v) => (e ? reject(e) : resolve(v))),
    )
  const side: ChunkSource & ChunkTarget = {
    lookupVolume: async (volume_ids) => {
      const res = await call<LookupVolumeResponseOutput>('LookupVolume', { volume_ids })
      return Object.fromEntries(Object.entries(res.locations_map).map(([k, v]) => [k, v.locations]))
    },
    assignVolume: (req) => call('AssignVolume', req),
  }
  return { call, side, close: () => c.close() }
}

const cleanups: (() => Promise<void> | void)[] = []
afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn()
})

async function filers(options: Parameters<typeof startEmbeddedFiler>[0] = {}) {
  const a = await startEmbeddedFiler({ maxMB: 1, manifestBatch: 3, ...options })
  const b = await startEmbeddedFiler({ jwtSigningKey: 'target-key' })
  const ca = rawClient(a)
  const cb = rawClient(b)
  cleanups.push(
    () => a.close(),
    () => b.close(),
    () => ca.close(),
    () => cb.close(),
  )
  return { a, b, ca, cb }
}

function pattern(bytes: number, seed: number): Buffer {
  const buf = Buffer.alloc(bytes)
  for (let i = 0; i < bytes; i++) buf[i] = (i * 31 + seed) & 0xff
  return buf
}

async function putFile(filer: EmbeddedFiler, path: string, data: Buffer): Promise<void> {
  const res = await fetch(`http://${filer.httpAddress}${path}`, { method: 'PUT', body: data })
  expect(res.status).toBe(201)
}

async function lookup(
  client: ReturnType<typeof rawClient>,
  dir: string,
  name: string,
): Promise<EntryOutput> {
  const res = await client.call<LookupDirectoryEntryResponseOutput>('LookupDirectoryEntry', {
    directory: dir,
    name,
  })
  return res.entry!
}

/** Copy the entry's chunks to B, create it there, and read it back through B's filer HTTP. */
async function copyAndRead(
  env: Awaited<ReturnType<typeof filers>>,
  copier: ChunkCopier,
  entry: EntryOutput,
  path: string,
) {
  const chunks = await copier.replicate(entry.chunks, path, new AbortController().signal)
  await env.cb.call('CreateEntry', {
    directory: '/copy',
    entry: { name: path.split('/').pop(), attributes: entry.attributes, chunks },
    is_from_other_cluster: true,
  })
  return {
    chunks,
    bytes: Buffer.from(await (await fetch(`http://${env.b.httpAddress}${path}`)).arrayBuffer()),
  }
}

describe('ChunkCopier against two embedded filers', () => {
  it('copies a multi-chunk file byte-exact, with source_file_id and e_tag kept', async () => {
    const env = await filers({ manifestBatch: 10 })
    const data = pattern(2.5 * 2 ** 20, 7)
    await putFile(env.a, '/src/two-and-a-half.bin', data)
    const entry = await lookup(env.ca, '/src', 'two-and-a-half.bin')
    expect(entry.chunks).toHaveLength(3)
    const copier = new ChunkCopier(env.ca.side, env.cb.side, { chunkConcurrency: 2 })
    const { chunks, bytes } = await copyAndRead(env, copier, entry, '/copy/two-and-a-half.bin')
    expect(bytes.equals(data)).toBe(true)
    chunks.forEach((c, i) => {
      expect(c.source_file_id).toBe(entry.chunks[i]!.file_id)
      expect(c.e_tag).toBe(entry.chunks[i]!.e_tag)
      expect(c.file_id).not.toBe(entry.chunks[i]!.file_id)
    })
  })

  it('resolves manifests through the source and rebuilds them on the target', async () => {
    const env = await filers()
    const data = pattern(5 * 2 ** 20 + 123, 3)
    await putFile(env.a, '/src/manifest.bin', data)
    const entry = await lookup(env.ca, '/src', 'manifest.bin')
    expect(entry.chunks.some((c) => c.is_chunk_manifest)).toBe(true)
    const copier = new ChunkCopier(env.ca.side, env.cb.side, { chunkConcurrency: 4 })
    const { chunks, bytes } = await copyAndRead(env, copier, entry, '/copy/manifest.bin')
    expect(chunks.filter((c) => c.is_chunk_manifest)).toHaveLength(
      entry.chunks.filter((c) => c.is_chunk_manifest).length,
    )
    expect(bytes.equals(data)).toBe(true)
  })

  it('reports each file’s progress in bytes as its chunks, manifests resolved, are copied', async () => {
    const env = await filers()
    const data = pattern(5 * 2 ** 20 + 123, 4)
    await putFile(env.a, '/src/progress.bin', data)
    const entry = await lookup(env.ca, '/src', 'progress.bin')
    expect(entry.chunks.some((c) => c.is_chunk_manifest)).toBe(true)
    // Every source read goes through this proxy, which notes the progress at that moment.
    const seen: number[] = []
    const files = new Set<FileTransfer>()
    const proxy: Server = createServer((req, res) => {
      for (const f of files) seen.push(f.bytesCopied)
      const fid = decodeURIComponent(req.url!.split('proxyChunkId=')[1]!)
      httpRequest(`http://${env.a.volumeUrl}/${fid}`, (up) => {
        res.writeHead(up.statusCode!, up.headers)
        up.pipe(res)
      }).end()
    })
    await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r))
    cleanups.push(() => new Promise<void>((r) => proxy.close(() => r())))
    const copier = new ChunkCopier(env.ca.side, env.cb.side, {
      chunkConcurrency: 1,
      sourceFilerProxy: `127.0.0.1:${(proxy.address() as AddressInfo).port}`,
    })
    const copying = copyAndRead(env, copier, entry, '/copy/progress.bin')
    // replicate() registers the file before its first await: it is there at once.
    expect(copier.files.size).toBe(1)
    const file = [...copier.files][0]!
    files.add(file)
    expect(file).toMatchObject({ targetPath: '/copy/progress.bin', bytes: data.length })
    const { bytes } = await copying
    expect(bytes.equals(data)).toBe(true)
    expect(file.bytesCopied).toBe(data.length)
    expect(copier.files.size).toBe(0)
    // One data chunk at a time: the progress only grows, by whole chunks, and starts at 0.
    expect(seen[0]).toBe(0)
    expect(seen).toEqual([...seen].sort((x, y) => x - y))
    expect(new Set(seen).size).toBeGreaterThanOrEqual(5)
  })

  it('never uploads a missing source needle: a 404 is a chunk read error', async () => {
    const env = await filers()
    await putFile(env.a, '/src/gone.bin', pattern(1000, 1))
    const entry = await lookup(env.ca, '/src', 'gone.bin')
    const fid = entry.chunks[0]!.file_id!
    const [vid, keyCookie] = fid.split(',')
    // Same volume and key, wrong cookie: the volume server answers 404 with an empty body.
    const wrong = `${vid},${keyCookie!.slice(0, -8)}00000000`
    const copier = new ChunkCopier(env.ca.side, env.cb.side, { chunkConcurrency: 1 })
    const err = await copier
      .replicate(
        [{ ...entry.chunks[0]!, file_id: wrong }],
        '/copy/gone.bin',
        new AbortController().signal,
      )
      .catch((e: unknown) => e)
    expect(err).toBeInstanceOf(SyncError)
    expect((err as SyncError).message).toMatch(/HTTP 404/)
  })

  it('resumes with Range after the source cuts the body mid-transfer', async () => {
    const env = await filers()
    const data = pattern(900_000, 5)
    await putFile(env.a, '/src/cut.bin', data)
    const entry = await lookup(env.ca, '/src', 'cut.bin')
    const ranges: string[] = []
    // A "filer proxy" that serves the first request only half-way, then forwards faithfully.
    let first = true
    const proxy: Server = createServer((req, res) => {
      ranges.push(req.headers.range ?? '')
      const upstream = httpRequest(
        `http://${env.a.volumeUrl}/${decodeURIComponent(req.url!.split('proxyChunkId=')[1]!)}`,
        { headers: { ...(req.headers.range ? { range: req.headers.range } : {}) } },
        (up) => {
          res.writeHead(up.statusCode!, up.headers)
          if (first) {
            first = false
            up.once('data', (piece: Buffer) => {
              up.destroy()
              // Headers and 1000 bytes reach the client, then the connection drops.
              res.write(piece.subarray(0, 1000), () => setTimeout(() => res.destroy(), 20))
            })
          } else up.pipe(res)
        },
      )
      upstream.end()
    })
    await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r))
    cleanups.push(() => new Promise<void>((r) => proxy.close(() => r())))
    const copier = new ChunkCopier(env.ca.side, env.cb.side, {
      chunkConcurrency: 1,
      sourceFilerProxy: `127.0.0.1:${(proxy.address() as AddressInfo).port}`,
    })
    const { bytes } = await copyAndRead(env, copier, entry, '/copy/cut.bin')
    expect(ranges).toEqual(['', 'bytes=1000-'])
    expect(bytes.equals(data)).toBe(true)
  })
})
