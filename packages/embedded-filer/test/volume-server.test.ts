import { createHash } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import { Agent, request as httpRequest, type IncomingHttpHeaders } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { gunzipSync, gzipSync } from 'node:zlib'
import { afterEach, describe, expect, it } from 'vitest'
import { formatFid, parseFid } from '@seasync/proto'
import { signFidJwt } from '../src/volume/jwt.js'
import { NeedleStore } from '../src/volume/needle-store.js'
import { startVolumeServer, type VolumeServerOptions } from '../src/volume/volume-server.js'
import type { VolumeServer } from '../src/volume/volume-types.js'

const cleanups: Array<() => Promise<unknown>> = []
afterEach(async () => {
  for (let c = cleanups.pop(); c !== undefined; c = cleanups.pop()) await c()
})

async function start(options: VolumeServerOptions = {}): Promise<VolumeServer> {
  const server = await startVolumeServer(options)
  cleanups.push(() => server.close())
  return server
}

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'volume-server-test-'))
  cleanups.push(() => rm(dir, { recursive: true, force: true }))
  return dir
}

interface Reply {
  status: number
  headers: IncomingHttpHeaders
  body: Buffer
  json: () => Record<string, unknown>
}

/** node:http rather than fetch: no implicit Accept-Encoding, no transparent gunzip. */
function call(
  server: VolumeServer,
  method: string,
  path: string,
  options: { headers?: Record<string, string>; body?: Buffer | string; agent?: Agent } = {},
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      `http://${server.url}${path}`,
      { method, headers: options.headers, agent: options.agent },
      (res) => {
        const chunks: Buffer[] = []
        res.on('data', (c: Buffer) => chunks.push(c))
        res.on('error', reject)
        res.on('end', () => {
          const body = Buffer.concat(chunks)
          const json = () => JSON.parse(body.toString('utf8')) as Record<string, unknown>
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body, json })
        })
      },
    )
    req.on('error', reject)
    req.end(options.body)
  })
}

function multipart(
  data: Buffer,
  partHeaders: Record<string, string>,
  boundary = 'Xb0undaryX',
): { headers: Record<string, string>; body: Buffer } {
  const head = Object.entries(partHeaders)
    .map(([k, v]) => `${k}: ${v}\r\n`)
    .join('')
  return {
    headers: { 'Content-Type': `multipart/form-data; boundary=${boundary}` },
    body: Buffer.concat([
      Buffer.from(`--${boundary}\r\n${head}\r\n`),
      data,
      Buffer.from(`\r\n--${boundary}--\r\n`),
    ]),
  }
}

const md5Hex = (data: Buffer) => createHash('md5').update(data).digest('hex')
const md5Base64 = (data: Buffer) => createHash('md5').update(data).digest('base64')
const bytes = (n: number, seed = 7) =>
  Buffer.from(Array.from({ length: n }, (_, i) => (i * seed) & 255))

describe('fid encoding (spec §2.2)', () => {
  it('formats byte-exact like Go', () => {
    expect(formatFid({ volumeId: 3, fileKey: 0xabcn, cookie: 0x12 })).toBe('3,0abc00000012')
    expect(formatFid({ volumeId: 3, fileKey: 0x01n, cookie: 0x637037d6 })).toBe('3,01637037d6')
    expect(parseFid('3,01637037d6')).toEqual({ volumeId: 3, fileKey: 1n, cookie: 0x637037d6 })
    expect(() => parseFid('3,12345678')).toThrow()
    expect(() => parseFid(`3,${'1'.repeat(25)}`)).toThrow()
  })

  it('assigns well-formed, unique fids with a random cookie', async () => {
    const server = await start()
    const fids = new Set<string>()
    for (let i = 0; i < 200; i++) {
      const { fid, volumeId } = server.assign({ collection: '' })
      expect(fid).toMatch(/^1,([0-9a-f]{2}){1,8}[0-9a-f]{8}$/)
      expect(volumeId).toBe(1)
      expect(formatFid(parseFid(fid))).toBe(fid)
      fids.add(fid)
    }
    expect(fids.size).toBe(200)
  })
})

describe('uploads (spec §8.4)', () => {
  it('accepts a multipart upload like weed filer.sync sends it', async () => {
    const server = await start()
    const { fid } = server.assign({ collection: '' })
    const data = bytes(5000)
    const form = multipart(data, {
      'Content-Disposition': 'form-data; filename="dir/hello.bin"; name=file',
      'Idempotency-Key': `http://${server.url}/${fid}`,
      'Content-Type': 'application/x-test',
    })
    const res = await call(server, 'POST', `/${fid}`, form)
    expect(res.status).toBe(201)
    expect(res.headers.etag).toBe(`"${md5Hex(data)}"`)
    expect(res.headers['content-md5']).toBeUndefined()
    expect(res.json()).toEqual({
      name: 'hello.bin',
      size: 5000,
      eTag: md5Hex(data),
      mime: 'application/x-test',
    })
    expect(Object.keys(res.json())).toEqual(['name', 'size', 'eTag', 'mime'])

    const got = await call(server, 'GET', `/${fid}`)
    expect(got.status).toBe(200)
    expect(got.body.equals(data)).toBe(true)
    expect(got.headers['content-length']).toBe('5000')
    expect(got.headers['content-type']).toBe('application/x-test')
    expect(got.headers.etag).toBe(`"${md5Hex(data)}"`)
    expect(got.headers['accept-ranges']).toBe('bytes')
    expect(got.headers['content-disposition']).toBe('inline; filename="hello.bin"')
    expect(Date.parse(got.headers['last-modified'] ?? '')).toBeGreaterThan(0)
  })

  it('accepts a raw body, omits empty fields, and answers 204 to an identical re-post', async () => {
    const server = await start()
    const { fid } = server.assign({ collection: '' })
    const data = Buffer.from('raw body')
    const first = await call(server, 'PUT', `/${fid}`, { body: data })
    expect(first.status).toBe(201)
    expect(first.json()).toEqual({ size: 8, eTag: md5Hex(data) })
    const again = await call(server, 'POST', `/${fid}`, { body: data })
    expect(again.status).toBe(204)
    expect(again.body.length).toBe(0)
    const changed = await call(server, 'POST', `/${fid}`, {
      body: 'other',
      headers: { 'Content-Type': 'text/plain' },
    })
    expect(changed.status).toBe(201)
    expect(changed.json()).toEqual({
      size: 5,
      eTag: md5Hex(Buffer.from('other')),
      mime: 'text/plain',
    })
    const got = await call(server, 'GET', `/${fid}`)
    expect(got.body.toString()).toBe('other')
    expect(got.headers['content-type']).toBe('text/plain')
    expect(got.headers['content-disposition']).toBeUndefined()
  })

  it('verifies and echoes Content-MD5 (request or part header)', async () => {
    const server = await start()
    const data = bytes(300)
    const a = server.assign({ collection: '' }).fid
    const ok = await call(server, 'POST', `/${a}`, {
      body: data,
      headers: { 'Content-MD5': md5Base64(data) },
    })
    expect(ok.status).toBe(201)
    expect(ok.headers['content-md5']).toBe(md5Base64(data))
    expect(ok.json()['contentMd5']).toBe(md5Base64(data))

    const b = server.assign({ collection: '' }).fid
    const form = multipart(data, {
      'Content-Disposition': 'form-data; name=file; filename=""',
      'Content-MD5': md5Base64(Buffer.from('something else')),
    })
    const bad = await call(server, 'POST', `/${b}`, form)
    expect(bad.status).toBe(400)
    expect(String(bad.json()['error'])).toMatch(/Content-MD5/)
    expect((await call(server, 'GET', `/${b}`)).status).toBe(404)
  })

  it('rejects bad input without crashing', async () => {
    const server = await start({ fileSizeLimitMB: 0.01 })
    const fid = server.assign({ collection: '' }).fid
    const malformed = await call(server, 'POST', '/1,123', { body: 'x' })
    expect(malformed.status).toBe(400)
    expect(malformed.json()['error']).toBeTypeOf('string')
    const noVolume = await call(server, 'POST', `/9${fid}`, { body: 'x' })
    expect(noVolume.status).toBe(404)
    expect(noVolume.json()['error']).toBeTypeOf('string')
    const tooBig = await call(server, 'POST', `/${fid}`, { body: bytes(20_000) })
    expect(tooBig.status).toBe(413)
    const badForm = await call(server, 'POST', `/${fid}`, {
      headers: { 'Content-Type': 'multipart/form-data; boundary=zz' },
      body: 'no parts here',
    })
    expect(badForm.status).toBe(400)
    const badGzip = await call(server, 'POST', `/${fid}`, {
      headers: { 'Content-Encoding': 'gzip' },
      body: 'not gzip',
    })
    expect(badGzip.status).toBe(400)
    for (const [method, path] of [
      ['GET', '/'],
      ['GET', '/favicon.ico'],
      ['GET', '/1,zz345678901'],
      ['PATCH', `/${fid}`],
      ['POST', '/status'],
    ] as const) {
      const res = await call(server, method, path)
      expect(res.status, `${method} ${path}`).toBe(400)
      expect(res.json()['error']).toBeTypeOf('string')
    }
    // still serving
    expect((await call(server, 'POST', `/${fid}`, { body: 'fine' })).status).toBe(201)
  })
})

describe('write JWTs', () => {
  const key = 'sekrit'

  it('requires a token whose fid claim matches, unexpired, any Bearer casing', async () => {
    const server = await start({ jwtSigningKey: key })
    const { fid } = server.assign({ collection: '' })
    const other = server.assign({ collection: '' }).fid
    const post = (headers: Record<string, string>, query = '') =>
      call(server, 'POST', `/${fid}${query}`, { body: 'data', headers })

    const none = await post({})
    expect(none.status).toBe(401)
    expect(none.json()).toEqual({ error: 'wrong jwt' })
    expect((await post({ Authorization: `Bearer ${server.writeJwt(other)}` })).status).toBe(401)
    const expired = signFidJwt(key, fid, { nowMs: Date.now() - 60_000 })
    expect((await post({ Authorization: `Bearer ${expired}` })).status).toBe(401)
    const forged = signFidJwt('not-the-key', fid)
    expect((await post({ Authorization: `Bearer ${forged}` })).status).toBe(401)

    expect((await post({ Authorization: `BEARER ${server.writeJwt(fid)}` })).status).toBe(201)
    expect((await post({}, `?jwt=${server.writeJwt(fid)}`)).status).toBe(204)

    // Reads need no token; deletes do.
    expect((await call(server, 'GET', `/${fid}`)).status).toBe(200)
    expect((await call(server, 'DELETE', `/${fid}`)).status).toBe(401)
    const del = await call(server, 'DELETE', `/${fid}`, {
      headers: { Authorization: `bearer ${server.writeJwt(fid)}` },
    })
    expect(del.status).toBe(202)
  })

  it('issues no token without a signing key', async () => {
    const server = await start()
    expect(server.writeJwt(server.assign({ collection: '' }).fid)).toBe('')
  })
})

describe('reads (spec §8.3)', () => {
  it('serves ranges with 206 + Content-Range, and 416 past the end', async () => {
    const server = await start()
    const { fid } = server.assign({ collection: '' })
    const data = bytes(1000, 13)
    await server.writeNeedle(fid, { data })
    const part = await call(server, 'GET', `/${fid}`, { headers: { Range: 'bytes=100-199' } })
    expect(part.status).toBe(206)
    expect(part.headers['content-range']).toBe('bytes 100-199/1000')
    expect(part.headers['content-length']).toBe('100')
    expect(part.body.equals(data.subarray(100, 200))).toBe(true)
    const open = await call(server, 'GET', `/${fid}`, { headers: { Range: 'bytes=600-' } })
    expect(open.status).toBe(206)
    expect(open.headers['content-range']).toBe('bytes 600-999/1000')
    expect(open.body.equals(data.subarray(600))).toBe(true)
    const suffix = await call(server, 'GET', `/${fid}`, { headers: { Range: 'bytes=-10' } })
    expect(suffix.headers['content-range']).toBe('bytes 990-999/1000')
    expect(suffix.body.equals(data.subarray(990))).toBe(true)
    const clamp = await call(server, 'GET', `/${fid}`, { headers: { Range: 'bytes=990-5000' } })
    expect(clamp.headers['content-range']).toBe('bytes 990-999/1000')
    const past = await call(server, 'GET', `/${fid}`, { headers: { Range: 'bytes=1000-' } })
    expect(past.status).toBe(416)
    expect(past.headers['content-range']).toBe('bytes */1000')
    const head = await call(server, 'HEAD', `/${fid}`)
    expect(head.status).toBe(200)
    expect(head.headers['content-length']).toBe('1000')
    expect(head.body.length).toBe(0)
  })

  it('accepts the alternative URL forms', async () => {
    const server = await start()
    const { fid } = server.assign({ collection: '' })
    await server.writeNeedle(fid, { data: Buffer.from('alt'), name: 'stored.txt' })
    const [vid, keyCookie] = fid.split(',') as [string, string]
    for (const path of [`/${fid}.jpg`, `/${vid}/${keyCookie}`, `/${vid}/${keyCookie}.txt`]) {
      const res = await call(server, 'GET', path)
      expect(res.status, path).toBe(200)
      expect(res.body.toString()).toBe('alt')
    }
    const named = await call(server, 'GET', `/${vid}/${keyCookie}/other.txt`)
    expect(named.headers['content-disposition']).toBe('inline; filename="other.txt"')
  })

  it('answers 404 with an empty body for missing, wrong cookie and deleted needles', async () => {
    const server = await start()
    const { fid } = server.assign({ collection: '' })
    const missing = server.assign({ collection: '' }).fid
    await server.writeNeedle(fid, { data: Buffer.from('soon gone') })
    const parts = parseFid(fid)
    const wrongCookie = formatFid({ ...parts, cookie: (parts.cookie + 1) >>> 0 })
    for (const path of [`/${missing}`, `/${wrongCookie}`, `/77,0102030405`]) {
      const res = await call(server, 'GET', path)
      expect(res.status, path).toBe(404)
      expect(res.body.length, path).toBe(0)
    }
    expect((await call(server, 'DELETE', `/${wrongCookie}`)).status).toBe(400)
    const del = await call(server, 'DELETE', `/${fid}`)
    expect(del.status).toBe(202)
    expect(del.json()).toEqual({ size: 9 })
    const gone = await call(server, 'GET', `/${fid}`)
    expect(gone.status).toBe(404)
    expect(gone.body.length).toBe(0)
    const again = await call(server, 'DELETE', `/${fid}`)
    expect(again.status).toBe(404)
    expect(again.json()).toEqual({ size: 0 })

    // filer.sync's manifest fetch appends readDeleted twice (§8.6).
    const deleted = await call(server, 'GET', `/${fid}?readDeleted=true&readDeleted=true`)
    expect(deleted.status).toBe(200)
    expect(deleted.body.toString()).toBe('soon gone')
    expect(await server.readNeedle(fid)).toBeUndefined()
    expect(await server.readNeedle(fid, { readDeleted: true })).toMatchObject({ deleted: true })
  })

  it('sends gzip only to clients that accept it and never with a Range', async () => {
    const server = await start()
    const { fid } = server.assign({ collection: '' })
    const text = Buffer.from('hello gzip world\n'.repeat(500))
    const form = multipart(gzipSync(text), {
      'Content-Disposition': 'form-data; filename="a.txt"; name=file',
      'Content-Type': 'text/plain',
      'Content-Encoding': 'gzip',
    })
    const up = await call(server, 'POST', `/${fid}`, form)
    expect(up.status).toBe(201)
    expect(up.json()['size']).toBe(text.length)
    expect(up.json()['eTag']).toBe(md5Hex(text))

    for (const headers of [
      {} as Record<string, string>,
      { 'Accept-Encoding': 'identity' },
      { 'Accept-Encoding': 'gzip;q=0' },
    ]) {
      const res = await call(server, 'GET', `/${fid}`, { headers })
      expect(res.headers['content-encoding'], JSON.stringify(headers)).toBeUndefined()
      expect(res.body.equals(text)).toBe(true)
    }
    const gz = await call(server, 'GET', `/${fid}`, {
      headers: { 'Accept-Encoding': 'gzip, deflate' },
    })
    expect(gz.headers['content-encoding']).toBe('gzip')
    expect(gunzipSync(gz.body).equals(text)).toBe(true)
    const ranged = await call(server, 'GET', `/${fid}`, {
      headers: { 'Accept-Encoding': 'gzip', Range: 'bytes=6-9' },
    })
    expect(ranged.status).toBe(206)
    expect(ranged.headers['content-encoding']).toBeUndefined()
    expect(ranged.body.toString()).toBe('gzip')
    const needle = await server.readNeedle(fid)
    expect(needle?.data.equals(text)).toBe(true)
    expect(needle?.mime).toBe('text/plain')
    // Uploading the same content uncompressed is still "identical".
    expect((await call(server, 'POST', `/${fid}`, { body: text })).status).toBe(204)
  })
})

describe('in-process contract', () => {
  it('writes, reads and deletes needles', async () => {
    const server = await start()
    expect(server.url).toMatch(/^127\.0\.0\.1:\d+$/)
    expect(server.publicUrl).toBe(server.url)
    const { fid, volumeId } = server.assign({ collection: 'c1' })
    expect(server.hasVolume(volumeId)).toBe(true)
    expect(server.hasVolume(volumeId + 1)).toBe(false)
    const data = bytes(100)
    const first = await server.writeNeedle(fid, { data, mime: 'a/b', name: 'n' })
    expect(first).toEqual({ size: 100, md5Base64: md5Base64(data), created: true })
    expect((await server.writeNeedle(fid, { data })).created).toBe(false)
    const needle = await server.readNeedle(fid)
    expect(needle).toMatchObject({ mime: 'a/b', name: 'n', deleted: false })
    expect(needle?.data.equals(data)).toBe(true)
    await server.deleteNeedle(fid)
    await server.deleteNeedle(fid)
    await server.deleteNeedle(server.assign({ collection: 'c1' }).fid)
    expect(await server.readNeedle(fid)).toBeUndefined()
  })

  it('gives each collection its own volumes and rolls over at the size limit', async () => {
    const server = await start({ volumeSizeLimitMB: 0.001 })
    const a = server.assign({ collection: 'a' })
    const b = server.assign({ collection: 'b' })
    expect(a.volumeId).not.toBe(b.volumeId)
    expect(server.assign({ collection: 'a' }).volumeId).toBe(a.volumeId)
    await server.writeNeedle(a.fid, { data: bytes(2000) })
    const rolled = server.assign({ collection: 'a' })
    expect(new Set([a.volumeId, b.volumeId, rolled.volumeId]).size).toBe(3)
    expect(server.assign({ collection: 'b' }).volumeId).toBe(b.volumeId)
    const status = (await call(server, 'GET', '/status')).json()
    expect(status['Volumes']).toEqual([
      expect.objectContaining({ Id: 1, Collection: 'a', Size: 2000, FileCount: 1 }),
      expect.objectContaining({ Id: 2, Collection: 'b', Size: 0, FileCount: 0 }),
      expect.objectContaining({ Id: 3, Collection: 'a', Size: 0, FileCount: 0 }),
    ])
  })

  it('handles many concurrent small writes', async () => {
    const dir = await tempDir()
    const server = await start({ dir })
    const fids = Array.from({ length: 300 }, () => server.assign({ collection: '' }).fid)
    const results = await Promise.all(
      fids.map((fid, i) => call(server, 'POST', `/${fid}`, { body: `needle ${i}` })),
    )
    expect(results.every((r) => r.status === 201)).toBe(true)
    const reads = await Promise.all(fids.map((fid) => server.readNeedle(fid)))
    expect(reads.map((n) => n?.data.toString())).toEqual(fids.map((_, i) => `needle ${i}`))
  })
})

describe('persistence', () => {
  it('keeps needles, deletions and volumes across close and reopen', async () => {
    const dir = await tempDir()
    const first = await startVolumeServer({ dir })
    const big = bytes(3 * 1024 * 1024, 31)
    const a = first.assign({ collection: '' }).fid
    const b = first.assign({ collection: 'other' }).fid
    const c = first.assign({ collection: '' }).fid
    const form = multipart(big, { 'Content-Disposition': 'form-data; filename="big.bin"' })
    expect((await call(first, 'POST', `/${a}`, form)).status).toBe(201)
    await first.writeNeedle(b, { data: Buffer.from('bee'), mime: 'text/x' })
    await first.writeNeedle(c, { data: Buffer.from('sea') })
    await first.deleteNeedle(c)
    const before = new Set([a, b, c])
    await first.close()

    const second = await start({ dir })
    expect(second.hasVolume(parseFid(b).volumeId)).toBe(true)
    const got = await call(second, 'GET', `/${a}`)
    expect(got.status).toBe(200)
    expect(got.body.equals(big)).toBe(true)
    expect(got.headers['content-disposition']).toBe('inline; filename="big.bin"')
    const tail = await call(second, 'GET', `/${a}`, { headers: { Range: 'bytes=3000000-' } })
    expect(tail.body.equals(big.subarray(3_000_000))).toBe(true)
    expect(await second.readNeedle(b)).toMatchObject({ mime: 'text/x' })
    expect((await call(second, 'GET', `/${c}`)).status).toBe(404)
    expect((await call(second, 'GET', `/${c}?readDeleted=true`)).body.toString()).toBe('sea')
    for (let i = 0; i < 100; i++) {
      const { fid } = second.assign({ collection: '' })
      expect(before.has(fid)).toBe(false)
      before.add(fid)
    }
    expect(second.assign({ collection: 'other' }).volumeId).toBe(parseFid(b).volumeId)
    expect(second.assign({ collection: 'new' }).volumeId).toBe(3)
  })

  it.each([['on disk'], ['in memory']])(
    'vacuum drops deleted needles, keeps live ones (%s)',
    async (mode) => {
      const dir = mode === 'on disk' ? await tempDir() : undefined
      const options = { ...(dir === undefined ? {} : { dir }), volumeSizeLimitBytes: 1 << 20 }
      const write = (text: string) => {
        const stored = Buffer.from(text)
        const md5 = createHash('md5').update(stored).digest()
        const fields = { cookie: 1, stored, gzipped: false, size: stored.length, md5 }
        return { ...fields, mime: '', name: '', lastModifiedMs: 1000 }
      }
      const store = await NeedleStore.open(options)
      cleanups.push(() => store.close())
      const vid = store.writableVolume('')
      await store.write(vid, 1n, write('one'))
      await store.write(vid, 2n, write('two'))
      await store.write(vid, 3n, write('three'))
      expect(store.delete(vid, 2n)).toBe(3)
      expect(store.delete(vid, 2n)).toBe('missing')
      expect(store.delete(vid, 3n, 99)).toBe('cookie-mismatch')
      expect(store.volumes()[0]).toMatchObject({ size: 11, fileCount: 2, deletedByteCount: 3 })
      await store.vacuum()
      expect(store.get(vid, 2n)).toBeUndefined()
      expect(store.volumes()[0]).toMatchObject({ size: 8, fileCount: 2, deleteCount: 0 })
      expect((await store.readStored(store.get(vid, 3n)!)).toString()).toBe('three')
      await store.write(vid, 4n, write('four'))
      if (dir === undefined) return
      await store.close()
      const reopened = await NeedleStore.open(options)
      cleanups.push(() => reopened.close())
      for (const [key, text] of [
        [1n, 'one'],
        [3n, 'three'],
        [4n, 'four'],
      ] as const) {
        expect((await reopened.readStored(reopened.get(vid, key)!)).toString()).toBe(text)
      }
      expect(reopened.volumes()[0]).toMatchObject({ size: 12, fileCount: 3, deletedByteCount: 0 })
    },
  )

  it('closes promptly during an unfinished upload', async () => {
    const server = await startVolumeServer()
    const { fid } = server.assign({ collection: '' })
    const req = httpRequest(`http://${server.url}/${fid}`, {
      method: 'POST',
      headers: { 'Content-Length': '1000' },
    })
    const failed = new Promise((resolve) => req.on('error', resolve))
    req.write(Buffer.alloc(10))
    await new Promise((resolve) => setTimeout(resolve, 50))
    await server.close()
    await failed
    expect(server.hasVolume(1)).toBe(true)
  })

  it('closes promptly with idle keep-alive connections', async () => {
    const server = await startVolumeServer()
    const agent = new Agent({ keepAlive: true })
    cleanups.push(async () => agent.destroy())
    expect((await call(server, 'GET', '/status', { agent })).status).toBe(200)
    await server.close()
  })
})
