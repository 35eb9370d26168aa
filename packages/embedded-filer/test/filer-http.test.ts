import { createHash, randomBytes } from 'node:crypto'
import { request } from 'node:http'
import * as grpc from '@grpc/grpc-js'
import {
  channelOptions,
  filerCodec,
  loadFilerProto,
  type AssignVolumeResponseOutput,
  type EntryOutput,
  type FileChunkManifestOutput,
  type LookupDirectoryEntryResponseOutput,
} from '@seasync/proto'
import { afterEach, describe, expect, test } from 'vitest'
import { startEmbeddedFiler, type EmbeddedFiler, type EmbeddedFilerOptions } from '../src/index.js'

const MiB = 1024 * 1024
const running: { filer: EmbeddedFiler; client: grpc.Client }[] = []

afterEach(async () => {
  for (const { filer, client } of running.splice(0).reverse()) {
    client.close()
    await filer.close()
  }
})

interface Harness {
  filer: EmbeddedFiler
  /** `http://<filer>/<path>` */
  url(path: string): string
  /** A unary gRPC call on the filer. */
  call<Res>(method: string, request: object): Promise<Res>
  lookup(path: string): Promise<EntryOutput>
}

/** An in-memory filer with 1 MiB chunks and 3 chunks per manifest unless told otherwise. */
async function start(options: EmbeddedFilerOptions = {}): Promise<Harness> {
  const filer = await startEmbeddedFiler({ maxMB: 1, manifestBatch: 3, ...options })
  const proto = loadFilerProto()
  const client = new proto.filer_pb.SeaweedFiler(
    filer.grpcAddress,
    grpc.credentials.createInsecure(),
    channelOptions,
  )
  running.push({ filer, client })
  const anyClient = client as unknown as Record<string, (...args: unknown[]) => unknown>
  const call = <Res>(method: string, request: object): Promise<Res> =>
    new Promise((resolve, reject) => {
      anyClient[method]!.call(client, request, (err: grpc.ServiceError | null, res: Res) =>
        err ? reject(err) : resolve(res),
      )
    })
  return {
    filer,
    url: (path) => `http://${filer.httpAddress}${path}`,
    call,
    async lookup(path) {
      const slash = path.lastIndexOf('/')
      const res = await call<LookupDirectoryEntryResponseOutput>('LookupDirectoryEntry', {
        directory: slash === 0 ? '/' : path.slice(0, slash),
        name: path.slice(slash + 1),
      })
      return res.entry!
    },
  }
}

const md5 = (data: Buffer): Buffer => createHash('md5').update(data).digest()

async function put(
  h: Harness,
  path: string,
  data: Buffer | string,
  headers: Record<string, string> = {},
): Promise<Response> {
  return fetch(h.url(path), { method: 'PUT', body: data, headers })
}

/** Status of a request sent with an exact request-target (fetch would normalize it). */
function rawStatus(h: Harness, method: string, path: string): Promise<number> {
  const [host, port] = h.filer.httpAddress.split(':')
  return new Promise((resolve, reject) => {
    const req = request({ host, port: Number(port), method, path }, (res) => {
      res.resume()
      resolve(res.statusCode ?? 0)
    })
    req.on('error', reject)
    req.end()
  })
}

async function bytesOf(res: Response): Promise<Buffer> {
  return Buffer.from(await res.arrayBuffer())
}

describe('upload and read back', () => {
  test('a small file: 201 {name,size,eTag}, one chunk with a base64-MD5 e_tag, SeaweedFS attributes', async () => {
    const h = await start()
    const data = Buffer.from('hello, filer\n')
    const res = await put(h, '/docs/hello.txt', data, { 'Content-Type': 'text/plain' })
    expect(res.status).toBe(201)
    expect(await res.json()).toEqual({
      name: 'hello.txt',
      size: data.length,
      eTag: md5(data).toString('hex'),
    })
    expect(res.headers.get('content-md5')).toBe(md5(data).toString('base64'))

    const entry = await h.lookup('/docs/hello.txt')
    expect(entry.chunks).toHaveLength(1)
    expect(entry.chunks[0]!.e_tag).toBe(md5(data).toString('base64'))
    expect(entry.chunks[0]!.size).toBe(String(data.length))
    expect(entry.attributes?.file_size).toBe(String(data.length))
    expect(entry.attributes?.md5).toEqual(md5(data))
    expect(entry.attributes?.file_mode).toBe(0o660)
    expect(entry.attributes?.mime).toBe('text/plain')
    expect(Math.abs(Number(entry.attributes?.mtime) - Date.now() / 1000)).toBeLessThan(5)
    expect(entry.content ?? Buffer.alloc(0)).toHaveLength(0)
    // The parent was created by the filer.
    expect((await h.lookup('/docs')).is_directory).toBe(true)

    const got = await fetch(h.url('/docs/hello.txt'))
    expect(got.status).toBe(200)
    expect(await bytesOf(got)).toEqual(data)
    expect(got.headers.get('content-type')).toBe('text/plain')
    expect(got.headers.get('content-length')).toBe(String(data.length))
    expect(got.headers.get('etag')).toBe(`"${md5(data).toString('hex')}"`)
    expect(got.headers.get('accept-ranges')).toBe('bytes')
    expect(Date.parse(got.headers.get('last-modified')!)).toBe(
      Number(entry.attributes?.mtime) * 1000,
    )
  })

  test('a multi-chunk file is cut at maxMB with per-chunk e_tags and reads back byte-exact', async () => {
    const h = await start({ manifestBatch: 10 })
    const data = randomBytes(2 * MiB + 12345)
    const res = await fetch(h.url('/big/blob.bin'), { method: 'POST', body: data })
    expect(res.status).toBe(201)
    const entry = await h.lookup('/big/blob.bin')
    expect(entry.chunks.map((c) => [c.offset ?? '0', c.size])).toEqual([
      ['0', String(MiB)],
      [String(MiB), String(MiB)],
      [String(2 * MiB), '12345'],
    ])
    for (const c of entry.chunks) {
      const slice = data.subarray(Number(c.offset ?? 0), Number(c.offset ?? 0) + Number(c.size))
      expect(c.e_tag).toBe(md5(slice).toString('base64'))
      expect(c.file_id).toMatch(/^\d+,([0-9a-f]{2})+[0-9a-f]{8}$/)
      expect(c.fid?.volume_id).toBe(Number(c.file_id!.split(',')[0]))
      expect(c.is_chunk_manifest ?? false).toBe(false)
    }
    // No mime given: stored as '' (Go drops application/octet-stream), served as octet-stream.
    expect(entry.attributes?.mime ?? '').toBe('')
    const got = await fetch(h.url('/big/blob.bin'))
    expect(got.headers.get('content-type')).toBe('application/octet-stream')
    expect((await bytesOf(got)).equals(data)).toBe(true)
  })

  test('an empty file has no chunks and the empty md5 as ETag', async () => {
    const h = await start()
    const res = await put(h, '/e/empty', Buffer.alloc(0))
    expect(res.status).toBe(201)
    expect(await res.json()).toMatchObject({ name: 'empty', size: 0 })
    const entry = await h.lookup('/e/empty')
    expect(entry.chunks).toHaveLength(0)
    const got = await fetch(h.url('/e/empty'))
    expect(got.status).toBe(200)
    expect(await bytesOf(got)).toHaveLength(0)
    expect(got.headers.get('etag')).toBe('"d41d8cd98f00b204e9800998ecf8427e"')
  })

  test('files under saveToFilerLimit are stored inline, larger ones in chunks', async () => {
    const h = await start({ saveToFilerLimit: 1000 })
    const small = randomBytes(999)
    const large = randomBytes(1000)
    expect((await put(h, '/i/small', small)).status).toBe(201)
    expect((await put(h, '/i/large', large)).status).toBe(201)
    const s = await h.lookup('/i/small')
    expect(s.chunks).toHaveLength(0)
    expect(s.content).toEqual(small)
    expect(s.attributes?.md5).toEqual(md5(small))
    const l = await h.lookup('/i/large')
    expect(l.chunks).toHaveLength(1)
    expect(l.content ?? Buffer.alloc(0)).toHaveLength(0)
    expect(await bytesOf(await fetch(h.url('/i/small')))).toEqual(small)
    const range = await fetch(h.url('/i/small'), { headers: { Range: 'bytes=10-19' } })
    expect(range.status).toBe(206)
    expect(await bytesOf(range)).toEqual(small.subarray(10, 20))
  })

  test('an overwrite replaces the content and frees the old needles', async () => {
    const h = await start()
    await put(h, '/o/f', 'first version')
    const old = await h.lookup('/o/f')
    const oldFid = old.chunks[0]!.file_id!
    await put(h, '/o/f', 'second')
    expect(await (await fetch(h.url('/o/f'))).text()).toBe('second')
    await expect
      .poll(async () => (await fetch(`http://${h.filer.volumeUrl}/${oldFid}`)).status)
      .toBe(404)
  })

  test('?mode= sets permission bits; Seaweed-* and Cache-Control headers are kept and served back', async () => {
    const h = await start()
    await put(h, '/m/x?mode=0644', 'x', { 'Seaweed-Color': 'blue', 'Cache-Control': 'no-cache' })
    const entry = await h.lookup('/m/x')
    expect(entry.attributes?.file_mode).toBe(0o644)
    expect(entry.extended['Seaweed-Color']?.toString()).toBe('blue')
    const got = await fetch(h.url('/m/x'))
    expect(got.headers.get('seaweed-color')).toBe('blue')
    expect(got.headers.get('cache-control')).toBe('no-cache')
    expect(got.headers.get('content-disposition')).toBe('inline; filename="x"')
  })

  test('a wrong Content-MD5 is refused with 400 and nothing is stored; a right one (base64 or hex) passes', async () => {
    const h = await start()
    const data = Buffer.from('digest me')
    const bad = await put(h, '/d/a', data, {
      'Content-MD5': md5(Buffer.from('other')).toString('base64'),
    })
    expect(bad.status).toBe(400)
    expect(await bad.json()).toEqual({
      error: 'The Content-MD5 you specified did not match what we received.',
    })
    expect((await fetch(h.url('/d/a'))).status).toBe(404)
    expect(
      (await put(h, '/d/a', data, { 'Content-MD5': md5(data).toString('base64') })).status,
    ).toBe(201)
    expect((await put(h, '/d/b', data, { 'Content-MD5': md5(data).toString('hex') })).status).toBe(
      201,
    )
  })

  test('?op=append adds chunks after the existing bytes and drops the whole-file md5', async () => {
    const h = await start()
    await fetch(h.url('/ap/log?op=append'), { method: 'POST', body: 'one,' })
    await fetch(h.url('/ap/log?op=append'), { method: 'POST', body: 'two,' })
    const res = await fetch(h.url('/ap/log?op=append'), { method: 'POST', body: 'three' })
    expect(await res.json()).toMatchObject({ name: 'log', size: 13 })
    expect(await (await fetch(h.url('/ap/log'))).text()).toBe('one,two,three')
    const entry = await h.lookup('/ap/log')
    expect(entry.chunks.map((c) => c.offset ?? '0')).toEqual(['0', '4', '8'])
    expect(entry.attributes?.md5 ?? Buffer.alloc(0)).toHaveLength(0)
  })
})

describe('manifest chunks', () => {
  test('7 data chunks with manifestBatch 3 become 2 manifests + 1 data chunk, and read back byte-exact', async () => {
    const h = await start()
    const data = randomBytes(6 * MiB + 777)
    expect((await put(h, '/man/seven', data)).status).toBe(201)
    const entry = await h.lookup('/man/seven')
    expect(
      entry.chunks.map((c) => [c.offset ?? '0', c.size, c.is_chunk_manifest ?? false]),
    ).toEqual([
      ['0', String(3 * MiB), true],
      [String(3 * MiB), String(3 * MiB), true],
      [String(6 * MiB), '777', false],
    ])
    // The manifest needle is a serialized FileChunkManifest with structured fids only.
    const blob = await fetch(`http://${h.filer.volumeUrl}/${entry.chunks[1]!.file_id}`)
    const manifest = filerCodec.decode<FileChunkManifestOutput>(
      'FileChunkManifest',
      await bytesOf(blob),
    )
    expect(manifest.chunks.map((c) => c.offset)).toEqual([
      String(3 * MiB),
      String(4 * MiB),
      String(5 * MiB),
    ])
    for (const c of manifest.chunks) {
      expect(c.file_id ?? '').toBe('')
      expect(c.fid?.volume_id).toBeGreaterThan(0)
      const offset = Number(c.offset)
      expect(c.e_tag).toBe(md5(data.subarray(offset, offset + MiB)).toString('base64'))
    }
    expect((await bytesOf(await fetch(h.url('/man/seven')))).equals(data)).toBe(true)
    // A range inside the second manifest only.
    const r = await fetch(h.url('/man/seven'), {
      headers: { Range: `bytes=${4 * MiB - 5}-${4 * MiB + 4}` },
    })
    expect(r.status).toBe(206)
    expect(await bytesOf(r)).toEqual(data.subarray(4 * MiB - 5, 4 * MiB + 5))
    // ETag still comes from the md5 attribute.
    expect(r.headers.get('etag')).toBe(`"${md5(data).toString('hex')}"`)
  })

  test('exactly manifestBatch data chunks already make one manifest (Go: i+batch <= count)', async () => {
    const h = await start()
    await put(h, '/man/three', randomBytes(3 * MiB))
    const entry = await h.lookup('/man/three')
    expect(entry.chunks).toHaveLength(1)
    expect(entry.chunks[0]!.is_chunk_manifest).toBe(true)
    expect(entry.chunks[0]!.size).toBe(String(3 * MiB))
  })

  test('?metadata=true lists the manifests; &resolveManifest=true expands them to data chunks', async () => {
    const h = await start()
    const data = randomBytes(4 * MiB)
    await put(h, '/man/four', data)
    const plain = (await (await fetch(h.url('/man/four?metadata=true'))).json()) as {
      chunks: { is_chunk_manifest?: boolean }[]
    }
    expect(plain.chunks.map((c) => c.is_chunk_manifest ?? false)).toEqual([true, false])
    const resolved = (await (
      await fetch(h.url('/man/four?metadata=true&resolveManifest=true'))
    ).json()) as {
      chunks: { offset?: number; size: number; e_tag: string; is_chunk_manifest?: boolean }[]
    }
    expect(resolved.chunks.map((c) => c.offset ?? 0)).toEqual([0, MiB, 2 * MiB, 3 * MiB])
    expect(resolved.chunks.every((c) => !c.is_chunk_manifest && c.size === MiB)).toBe(true)
    expect(resolved.chunks[2]!.e_tag).toBe(md5(data.subarray(2 * MiB, 3 * MiB)).toString('base64'))
  })
})

describe('ranges, ETag and conditional requests', () => {
  const data = randomBytes(2 * MiB + 100)

  async function withFile(): Promise<Harness> {
    const h = await start({ manifestBatch: 10 })
    await put(h, '/r/file', data)
    return h
  }
  const range = (h: Harness, spec: string): Promise<Response> =>
    fetch(h.url('/r/file'), { headers: { Range: spec } })

  test('start, spanning two chunks, open-ended and suffix ranges', async () => {
    const h = await withFile()
    const size = data.length
    const cases: [string, number, number][] = [
      ['bytes=0-9', 0, 10],
      [`bytes=${MiB - 10}-${MiB + 9}`, MiB - 10, MiB + 10],
      [`bytes=${2 * MiB}-`, 2 * MiB, size],
      ['bytes=-10', size - 10, size],
      [`bytes=${size - 5}-${size + 1000}`, size - 5, size],
    ]
    for (const [spec, from, to] of cases) {
      const res = await range(h, spec)
      expect(res.status, spec).toBe(206)
      expect(res.headers.get('content-range'), spec).toBe(`bytes ${from}-${to - 1}/${size}`)
      expect(res.headers.get('content-length'), spec).toBe(String(to - from))
      expect((await bytesOf(res)).equals(data.subarray(from, to)), spec).toBe(true)
    }
  })

  test('unsatisfiable ranges are 416 with Content-Range bytes */size', async () => {
    const h = await withFile()
    for (const spec of [
      `bytes=${data.length}-`,
      `bytes=${data.length + 10}-${data.length + 20}`,
      'bytes=9-2',
      'items=0-1',
    ]) {
      const res = await range(h, spec)
      expect(res.status, spec).toBe(416)
      expect(res.headers.get('content-range'), spec).toBe(`bytes */${data.length}`)
      await res.arrayBuffer()
    }
  })

  test('several ranges come back as multipart/byteranges', async () => {
    const h = await withFile()
    const res = await range(h, 'bytes=0-1,100-102')
    expect(res.status).toBe(206)
    const type = res.headers.get('content-type')!
    const boundary = /boundary=(\S+)/.exec(type)![1]!
    expect(type).toMatch(/^multipart\/byteranges; boundary=/)
    const body = await bytesOf(res)
    expect(Number(res.headers.get('content-length'))).toBe(body.length)
    const parts = body.toString('latin1').split(`--${boundary}`)
    expect(parts[1]).toContain(`Content-Range: bytes 0-1/${data.length}`)
    expect(Buffer.from(parts[1]!.split('\r\n\r\n')[1]!.replace(/\r\n$/, ''), 'latin1')).toEqual(
      data.subarray(0, 2),
    )
    expect(Buffer.from(parts[2]!.split('\r\n\r\n')[1]!.replace(/\r\n$/, ''), 'latin1')).toEqual(
      data.subarray(100, 103),
    )
    expect(parts[3]).toBe('--\r\n')
  })

  test('If-None-Match with the ETag → 304; If-Match with another → 412; HEAD has headers only', async () => {
    const h = await withFile()
    const etag = `"${md5(data).toString('hex')}"`
    expect((await fetch(h.url('/r/file'), { headers: { 'If-None-Match': etag } })).status).toBe(304)
    expect(
      (await fetch(h.url('/r/file'), { headers: { 'If-None-Match': '"other"' } })).status,
    ).toBe(200)
    expect((await fetch(h.url('/r/file'), { headers: { 'If-Match': '"other"' } })).status).toBe(412)
    const head = await fetch(h.url('/r/file'), { method: 'HEAD' })
    expect(head.status).toBe(200)
    expect(head.headers.get('content-length')).toBe(String(data.length))
    expect(head.headers.get('etag')).toBe(etag)
  })

  test('without an md5 attribute the ETag follows spec §7.1 from the chunk e_tags', async () => {
    const h = await start({ manifestBatch: 10 })
    await put(h, '/src/a', randomBytes(MiB + 10))
    const src = await h.lookup('/src/a')
    const chunks = src.chunks.map((c) => ({
      file_id: c.file_id,
      offset: c.offset,
      size: c.size,
      modified_ts_ns: c.modified_ts_ns,
      e_tag: c.e_tag,
    }))
    await h.call('CreateEntry', {
      directory: '/src',
      entry: {
        name: 'nomd5',
        attributes: { file_size: MiB + 10, mtime: Math.floor(Date.now() / 1000), file_mode: 0o644 },
        chunks,
      },
    })
    const concat = Buffer.concat(chunks.map((c) => Buffer.from(c.e_tag!, 'base64')))
    const res = await fetch(h.url('/src/nomd5'), { method: 'HEAD' })
    expect(res.headers.get('etag')).toBe(`"${md5(concat).toString('hex')}-2"`)
  })

  test('overlapping chunks: the later one wins; holes read as zeros', async () => {
    const h = await start()
    const upload = async (body: string): Promise<{ file_id: string; e_tag: string }> => {
      const a = await h.call<AssignVolumeResponseOutput>('AssignVolume', {
        count: 1,
        path: '/ov/f',
      })
      await fetch(`http://${a.location!.url}/${a.file_id}`, { method: 'POST', body })
      return { file_id: a.file_id!, e_tag: md5(Buffer.from(body)).toString('base64') }
    }
    const base = await upload('AAAAAAAAAA')
    const patch = await upload('BBB')
    const tail = await upload('CC')
    const t = BigInt(Date.now()) * 1_000_000n
    await h.call('CreateEntry', {
      directory: '/ov',
      entry: {
        name: 'f',
        attributes: { file_size: 16, mtime: Math.floor(Date.now() / 1000), file_mode: 0o644 },
        // Listed newest first on purpose: order must not matter, modified_ts_ns does.
        chunks: [
          { ...patch, offset: 4, size: 3, modified_ts_ns: String(t + 2n) },
          { ...base, offset: 0, size: 10, modified_ts_ns: String(t + 1n) },
          { ...tail, offset: 14, size: 2, modified_ts_ns: String(t + 3n) },
        ],
      },
    })
    const got = await bytesOf(await fetch(h.url('/ov/f')))
    expect(got).toEqual(
      Buffer.concat([Buffer.from('AAAABBBAAA'), Buffer.alloc(4), Buffer.from('CC')]),
    )
    const part = await bytesOf(await fetch(h.url('/ov/f'), { headers: { Range: 'bytes=5-11' } }))
    expect(part).toEqual(Buffer.concat([Buffer.from('BBAAA'), Buffer.alloc(2)]))
  })
})

describe('metadata and listing', () => {
  test('?metadata=true returns the entry in SeaweedFS filer.Entry JSON with exact 64-bit numbers', async () => {
    const h = await start()
    const data = Buffer.from('meta')
    await put(h, '/md/f.txt', data, { 'Content-Type': 'text/plain' })
    const res = await fetch(h.url('/md/f.txt?metadata=true'))
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toBe('application/json')
    const text = await res.text()
    const json = JSON.parse(text) as Record<string, unknown> & { chunks: Record<string, unknown>[] }
    expect(json).toMatchObject({
      FullPath: '/md/f.txt',
      Mode: 0o660,
      Uid: 0,
      Gid: 0,
      Mime: 'text/plain',
      FileSize: 4,
      Md5: md5(data).toString('base64'),
    })
    expect(json['Mtime']).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/)
    const entry = await h.lookup('/md/f.txt')
    const chunk = entry.chunks[0]!
    expect(json.chunks[0]).toMatchObject({ file_id: chunk.file_id, size: 4, e_tag: chunk.e_tag })
    expect(json.chunks[0]!['offset']).toBeUndefined()
    // modified_ts_ns is ~1.8e18: the digits must be exact, not a rounded double.
    expect(text).toContain(`"modified_ts_ns":${chunk.modified_ts_ns}`)
    const dir = (await (await fetch(h.url('/md?metadata=true'))).json()) as {
      FullPath: string
      Mode: number
    }
    expect(dir.FullPath).toBe('/md')
    expect(dir.Mode >>> 31).toBe(1)
  })

  test('listing pages with limit and lastFileName, directories without trailing slash too', async () => {
    const h = await start()
    for (const name of ['a', 'b', 'c', 'd', 'e']) await put(h, `/ls/${name}`, name)
    await fetch(h.url('/ls/sub/'), { method: 'POST' })
    const page = async (
      q: string,
    ): Promise<{
      Path: string
      Entries: { FullPath: string; FileSize: number }[]
      Limit: number
      LastFileName: string
      ShouldDisplayLoadMore: boolean
    }> => {
      const res = await fetch(h.url(`/ls/${q}`), { headers: { Accept: 'application/json' } })
      expect(res.status).toBe(200)
      return (await res.json()) as never
    }
    const first = await page('?limit=2')
    expect(first.Path).toBe('/ls')
    expect(first.Entries.map((e) => e.FullPath)).toEqual(['/ls/a', '/ls/b'])
    expect(first.Entries[0]!.FileSize).toBe(1)
    expect(first).toMatchObject({ Limit: 2, LastFileName: 'b', ShouldDisplayLoadMore: true })
    const second = await page('?limit=2&lastFileName=b')
    expect(second.Entries.map((e) => e.FullPath)).toEqual(['/ls/c', '/ls/d'])
    const last = await page('?limit=2&lastFileName=d')
    expect(last.Entries.map((e) => e.FullPath)).toEqual(['/ls/e', '/ls/sub'])
    expect(last.ShouldDisplayLoadMore).toBe(false)
    const all = (await (await fetch(h.url('/ls'))).json()) as { Entries: unknown[]; Limit: number }
    expect(all.Entries).toHaveLength(6)
    expect(all.Limit).toBe(100)
    const root = (await (await fetch(h.url('/'))).json()) as {
      Path: string
      Entries: { FullPath: string }[]
    }
    expect(root.Path).toBe('')
    expect(root.Entries.map((e) => e.FullPath)).toEqual(['/ls'])
  })

  test('a missing path is a bare 404', async () => {
    const h = await start()
    const res = await fetch(h.url('/nope/nothing'))
    expect(res.status).toBe(404)
    expect(await res.text()).toBe('')
  })
})

describe('directories and deletes', () => {
  test('POST to a path ending in / without Content-Type creates the directory; again → 409', async () => {
    const h = await start()
    const res = await fetch(h.url('/made/here/'), { method: 'POST' })
    expect(res.status).toBe(201)
    expect(await res.json()).toEqual({ name: 'here' })
    const entry = await h.lookup('/made/here')
    expect(entry.is_directory).toBe(true)
    expect(entry.attributes?.file_mode).toBe((0x80000000 | 0o660) >>> 0)
    const again = await fetch(h.url('/made/here/'), { method: 'POST' })
    expect(again.status).toBe(409)
    expect(await again.json()).toEqual({ error: 'dir /made/here already exists' })
    expect((await fetch(h.url('/made/other?op=mkdir&mode=0755'), { method: 'PUT' })).status).toBe(
      201,
    )
    expect((await h.lookup('/made/other')).attributes?.file_mode).toBe((0x80000000 | 0o755) >>> 0)
  })

  test('writing over a directory or below a file is a 409 JSON error', async () => {
    const h = await start()
    await put(h, '/k/f', 'file')
    const overDir = await put(h, '/k', 'x')
    expect(overDir.status).toBe(409)
    expect(((await overDir.json()) as { error: string }).error).toMatch(/is a directory/)
    const belowFile = await put(h, '/k/f/child', 'x')
    expect(belowFile.status).toBe(409)
    expect(((await belowFile.json()) as { error: string }).error).toMatch(/is a file/)
  })

  test('DELETE: file (data freed), non-empty dir needs recursive, missing is 204, skipChunkDeletion keeps data', async () => {
    const h = await start()
    await put(h, '/del/a', 'aaa')
    await put(h, '/del/sub/b', 'bbb')
    await put(h, '/keep/c', 'ccc')
    const fidA = (await h.lookup('/del/a')).chunks[0]!.file_id!
    const fidC = (await h.lookup('/keep/c')).chunks[0]!.file_id!

    expect((await fetch(h.url('/del/a'), { method: 'DELETE' })).status).toBe(204)
    expect((await fetch(h.url('/del/a'))).status).toBe(404)
    await expect
      .poll(async () => (await fetch(`http://${h.filer.volumeUrl}/${fidA}`)).status)
      .toBe(404)

    const refused = await fetch(h.url('/del'), { method: 'DELETE' })
    expect(refused.status).toBe(500)
    expect(((await refused.json()) as { error: string }).error).toMatch(/non-empty folder/)
    expect((await fetch(h.url('/del/?recursive=true'), { method: 'DELETE' })).status).toBe(204)
    expect((await fetch(h.url('/del/sub/b'))).status).toBe(404)
    expect((await fetch(h.url('/del'))).status).toBe(404)

    expect((await fetch(h.url('/never/was'), { method: 'DELETE' })).status).toBe(204)

    expect(
      (await fetch(h.url('/keep/c?skipChunkDeletion=true'), { method: 'DELETE' })).status,
    ).toBe(204)
    expect((await fetch(h.url('/keep/c'))).status).toBe(404)
    expect(await (await fetch(`http://${h.filer.volumeUrl}/${fidC}`)).text()).toBe('ccc')
  })
})

describe('multipart uploads', () => {
  test('POST /dir/ with a file part stores /dir/<part filename> with the part Content-Type', async () => {
    const h = await start()
    const data = randomBytes(MiB + 3)
    const form = new FormData()
    form.append('file', new Blob([data], { type: 'image/png' }), 'a.png')
    const res = await fetch(h.url('/up/'), { method: 'POST', body: form })
    expect(res.status).toBe(201)
    expect(await res.json()).toMatchObject({ name: 'a.png', size: data.length })
    const entry = await h.lookup('/up/a.png')
    expect(entry.attributes?.mime).toBe('image/png')
    expect(entry.chunks).toHaveLength(2)
    expect((await bytesOf(await fetch(h.url('/up/a.png')))).equals(data)).toBe(true)
  })

  test('a part file name goes into an existing directory named without trailing slash', async () => {
    const h = await start()
    await fetch(h.url('/into/'), { method: 'POST' })
    const form = new FormData()
    form.append('file', new Blob(['inside']), 'doc.txt')
    expect((await fetch(h.url('/into'), { method: 'POST', body: form })).status).toBe(201)
    expect(await (await fetch(h.url('/into/doc.txt'))).text()).toBe('inside')
    // Without a file name (or a path), a path ending in / names nothing.
    const nameless = await fetch(h.url('/into/'), {
      method: 'PUT',
      body: 'x',
      headers: { 'Content-Type': 'text/plain' },
    })
    expect(nameless.status).toBe(400)
  })

  test('a truncated multipart body is a 400 and stores nothing', async () => {
    const h = await start()
    const body =
      '--XyZ\r\nContent-Disposition: form-data; name="file"; filename="t.txt"\r\n\r\nno closing delimiter'
    const res = await fetch(h.url('/trunc/'), {
      method: 'POST',
      body,
      headers: { 'Content-Type': 'multipart/form-data; boundary=XyZ' },
    })
    expect(res.status).toBe(400)
    expect((await fetch(h.url('/trunc/t.txt'))).status).toBe(404)
  })
})

describe('/?proxyChunkId=', () => {
  async function uploadDirect(h: Harness, body: string): Promise<string> {
    const a = await h.call<AssignVolumeResponseOutput>('AssignVolume', { count: 1, path: '/p/x' })
    const res = await fetch(`http://${a.location!.url}/${a.file_id}`, {
      method: 'POST',
      body,
      headers: { 'Content-Type': 'text/plain' },
    })
    expect(res.status).toBe(201)
    return a.file_id!
  }

  test('GET and HEAD through the filer equal direct volume-server access', async () => {
    const h = await start()
    const fid = await uploadDirect(h, 'proxied bytes')
    const direct = await fetch(`http://${h.filer.volumeUrl}/${fid}`)
    const proxied = await fetch(h.url(`/?proxyChunkId=${fid}`))
    expect(proxied.status).toBe(direct.status)
    expect(await proxied.text()).toBe(await direct.text())
    for (const header of ['etag', 'content-type', 'content-length', 'last-modified']) {
      expect(proxied.headers.get(header), header).toBe(direct.headers.get(header))
    }
    const head = await fetch(h.url(`/?proxyChunkId=${fid}`), { method: 'HEAD' })
    expect(head.status).toBe(200)
    expect(head.headers.get('content-length')).toBe('13')
    const ranged = await fetch(h.url(`/?proxyChunkId=${fid}`), { headers: { Range: 'bytes=8-' } })
    expect(ranged.status).toBe(206)
    expect(await ranged.text()).toBe('bytes')
  })

  test('POST through the filer writes the needle on the volume server (body and headers forwarded)', async () => {
    const h = await start()
    const a = await h.call<AssignVolumeResponseOutput>('AssignVolume', { count: 1, path: '/p/y' })
    const form = new FormData()
    form.append('file', new Blob(['via proxy'], { type: 'text/plain' }), 'y.txt')
    const res = await fetch(h.url(`/?proxyChunkId=${a.file_id}`), { method: 'POST', body: form })
    expect(res.status).toBe(201)
    expect(await res.json()).toMatchObject({ name: 'y.txt', size: 9 })
    const direct = await fetch(`http://${h.filer.volumeUrl}/${a.file_id}`)
    expect(await direct.text()).toBe('via proxy')
    expect(direct.headers.get('content-type')).toBe('text/plain')
  })

  test('everything after the prefix is the fid: &readDeleted=true is not a parameter', async () => {
    const h = await start()
    const fid = await uploadDirect(h, 'soon deleted')
    await fetch(`http://${h.filer.volumeUrl}/${fid}`, { method: 'DELETE' })
    // Direct access honours readDeleted…
    const direct = await fetch(`http://${h.filer.volumeUrl}/${fid}?readDeleted=true`)
    expect(direct.status).toBe(200)
    // …through the proxy it is part of the fid, which the volume server refuses (spec §8.6 bug).
    const proxied = await fetch(h.url(`/?proxyChunkId=${fid}&readDeleted=true`))
    expect(proxied.status).toBe(400)
    expect(await proxied.text()).not.toBe('soon deleted')
    expect((await fetch(h.url(`/?proxyChunkId=${fid}`))).status).toBe(404)
  })

  test('an unknown volume or malformed fid is a bare 500; many concurrent requests all complete', async () => {
    const h = await start()
    for (const bad of ['9999,0102030405060708', 'nonsense']) {
      const res = await fetch(h.url(`/?proxyChunkId=${bad}`))
      expect(res.status, bad).toBe(500)
      expect(await res.text()).toBe('')
    }
    const fid = await uploadDirect(h, 'x'.repeat(1000))
    const results = await Promise.all(
      Array.from({ length: 40 }, async () => (await fetch(h.url(`/?proxyChunkId=${fid}`))).text()),
    )
    expect(results.every((r) => r === 'x'.repeat(1000))).toBe(true)
  })

  test('/?proxyChunkId= with an empty fid falls through to the root listing', async () => {
    const h = await start()
    const res = await fetch(h.url('/?proxyChunkId='))
    expect(res.status).toBe(200)
    expect(await res.json()).toMatchObject({ Path: '' })
  })
})

describe('bad input', () => {
  test('unknown methods are 405, malformed paths 400, and the server keeps serving', async () => {
    const h = await start()
    const patch = await fetch(h.url('/x'), { method: 'PATCH', body: 'x' })
    expect(patch.status).toBe(405)
    expect(await patch.json()).toEqual({ error: 'method PATCH not allowed' })
    const bad = await fetch(h.url('/%E0%A4%A'))
    expect(bad.status).toBe(400)
    expect(await rawStatus(h, 'GET', '/a/../b')).toBe(400)
    expect((await fetch(h.url('/'), { method: 'OPTIONS' })).status).toBe(200)
    expect((await put(h, '/still/ok', 'ok')).status).toBe(201)
  })

  test('a client aborting an upload mid-body leaves nothing behind and does not disturb the server', async () => {
    const h = await start()
    const controller = new AbortController()
    let sent = 0
    const body = new ReadableStream<Uint8Array>({
      async pull(c) {
        if (sent >= 3 * MiB) {
          controller.abort()
          return
        }
        sent += 256 * 1024
        c.enqueue(randomBytes(256 * 1024))
        await new Promise((r) => setTimeout(r, 5))
      },
    })
    await fetch(h.url('/abort/f'), {
      method: 'PUT',
      body,
      signal: controller.signal,
      duplex: 'half',
    }).catch(() => undefined)
    await new Promise((r) => setTimeout(r, 100))
    expect((await fetch(h.url('/abort/f'))).status).toBe(404)
    expect((await put(h, '/abort/g', 'fine')).status).toBe(201)
  })
})
