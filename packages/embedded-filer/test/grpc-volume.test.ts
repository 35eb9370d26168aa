import type * as grpc from '@grpc/grpc-js'
import type { AssignVolumeResponseOutput, LookupVolumeResponseOutput } from '@seasync/proto'
import { filerCodec } from '@seasync/proto'
import { describe, expect } from 'vitest'
import { fidToProto } from '@seasync/proto'
import { file, type TestFilerClient } from './support/filer-client.js'
import { test } from './support/fixtures.js'

/** Upload bytes the way filer.sync does: AssignVolume on the filer, POST to the volume server. */
async function upload(
  client: TestFilerClient,
  path: string,
  data: string,
): Promise<{ fid: string; url: string }> {
  const assigned = await client.call<AssignVolumeResponseOutput>('AssignVolume', { count: 1, path })
  expect(assigned.error ?? '').toBe('')
  const res = await fetch(`http://${assigned.location!.url}/${assigned.file_id}`, {
    method: 'POST',
    body: data,
    headers: assigned.auth ? { Authorization: `BEARER ${assigned.auth}` } : {},
  })
  expect(res.status).toBe(201)
  return { fid: assigned.file_id!, url: assigned.location!.url! }
}

describe('AssignVolume and LookupVolume', () => {
  test('fids are in SeaweedFS text form and point at this volume server', async ({
    client,
    filer,
  }) => {
    const a = await client.call<AssignVolumeResponseOutput>('AssignVolume', {
      count: 1,
      path: '/x/y',
    })
    expect(a.file_id).toMatch(/^\d+,([0-9a-f]{2})+[0-9a-f]{8}$/)
    expect(a.location?.url).toBe(filer.volumeUrl)
    expect(a.auth ?? '').toBe('')
    const b = await client.call<AssignVolumeResponseOutput>('AssignVolume', {
      count: 1,
      path: '/x/z',
    })
    expect(b.file_id).not.toBe(a.file_id)
  })

  test('a path under /buckets/<name> chooses collection <name>; an explicit collection wins', async ({
    client,
  }) => {
    const bucket = await client.call<AssignVolumeResponseOutput>('AssignVolume', {
      count: 1,
      path: '/buckets/photos/a.jpg',
    })
    expect(bucket.collection).toBe('photos')
    const plain = await client.call<AssignVolumeResponseOutput>('AssignVolume', {
      count: 1,
      path: '/other/a.jpg',
    })
    expect(plain.collection ?? '').toBe('')
    const explicit = await client.call<AssignVolumeResponseOutput>('AssignVolume', {
      count: 1,
      path: '/buckets/photos/b',
      collection: 'c2',
    })
    expect(explicit.collection).toBe('c2')
    expect(bucket.file_id!.split(',')[0]).not.toBe(plain.file_id!.split(',')[0])
  })

  test('with a signing key, AssignVolume returns a write JWT the volume server requires', async ({
    startFiler,
  }) => {
    const { client } = await startFiler({ jwtSigningKey: 'secret' })
    const a = await client.call<AssignVolumeResponseOutput>('AssignVolume', {
      count: 1,
      path: '/j',
    })
    expect(a.auth).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/)
    const denied = await fetch(`http://${a.location!.url}/${a.file_id}`, {
      method: 'POST',
      body: 'x',
    })
    expect(denied.status).toBe(401)
    const ok = await fetch(`http://${a.location!.url}/${a.file_id}`, {
      method: 'POST',
      body: 'x',
      headers: { Authorization: `BEARER ${a.auth}` },
    })
    expect(ok.status).toBe(201)
  })

  test('LookupVolume takes decimal ids only and names an unknown one', async ({
    client,
    filer,
  }) => {
    const { fid } = await upload(client, '/v/a', 'hello')
    const vid = fid.split(',')[0]!
    const res = await client.call<LookupVolumeResponseOutput>('LookupVolume', { volume_ids: [vid] })
    expect(res.locations_map[vid]!.locations[0]!.url).toBe(filer.volumeUrl)
    const bad = await client
      .call('LookupVolume', { volume_ids: [fid] })
      .catch((e: grpc.ServiceError) => e)
    expect((bad as grpc.ServiceError).details).toMatch(/invalid volume id/)
    const unknown = await client
      .call('LookupVolume', { volume_ids: ['9999'] })
      .catch((e: grpc.ServiceError) => e)
    expect((unknown as grpc.ServiceError).details).toMatch(/volume 9999 not found/)
  })
})

describe('chunk lifetime', () => {
  const get = (url: string, fid: string, q = ''): Promise<Response> =>
    fetch(`http://${url}/${fid}${q}`)
  const chunk = (fid: string, size: number) => ({
    file_id: fid,
    offset: 0,
    size,
    modified_ts_ns: Date.now() * 1e6,
  })

  test('an overwrite frees chunks no longer referenced; readDeleted still serves them', async ({
    client,
  }) => {
    const one = await upload(client, '/c/f', 'first')
    const two = await upload(client, '/c/f', 'second')
    await client.call('CreateEntry', {
      directory: '/c',
      entry: file('f', { chunks: [chunk(one.fid, 5)] }),
    })
    await client.call('CreateEntry', {
      directory: '/c',
      entry: file('f', { chunks: [chunk(two.fid, 6)] }),
    })
    await expect.poll(async () => (await get(one.url, one.fid)).status).toBe(404)
    expect(await (await get(one.url, one.fid)).text()).toBe('')
    const deleted = await get(one.url, one.fid, '?readDeleted=true')
    expect(deleted.status).toBe(200)
    expect(await deleted.text()).toBe('first')
    expect(await (await get(two.url, two.fid)).text()).toBe('second')
  })

  test('is_delete_data decides whether a delete frees the needles', async ({ client }) => {
    const kept = await upload(client, '/k/a', 'kept')
    const freed = await upload(client, '/k/b', 'freed')
    await client.call('CreateEntry', {
      directory: '/k',
      entry: file('a', { chunks: [chunk(kept.fid, 4)] }),
    })
    await client.call('CreateEntry', {
      directory: '/k',
      entry: file('b', { chunks: [chunk(freed.fid, 5)] }),
    })
    await client.call('DeleteEntry', { directory: '/k', name: 'a', is_delete_data: false })
    await client.call('DeleteEntry', { directory: '/k', name: 'b', is_delete_data: true })
    await expect.poll(async () => (await get(freed.url, freed.fid)).status).toBe(404)
    expect((await get(kept.url, kept.fid)).status).toBe(200)
  })

  test('freeing compares data chunks inside manifests, not only top-level fids', async ({
    client,
  }) => {
    const c1 = await upload(client, '/m/f', 'aaaa')
    const c2 = await upload(client, '/m/f', 'bbbb')
    const data = [
      { fid: fidToProto(c1.fid), offset: 0, size: 4 },
      { fid: fidToProto(c2.fid), offset: 4, size: 4 },
    ]
    const blob = Buffer.from(filerCodec.encode('FileChunkManifest', { chunks: data }))
    const assigned = await client.call<AssignVolumeResponseOutput>('AssignVolume', {
      count: 1,
      path: '/m/f',
    })
    expect(
      (
        await fetch(`http://${assigned.location!.url}/${assigned.file_id}`, {
          method: 'POST',
          body: blob,
        })
      ).status,
    ).toBe(201)
    const manifestChunk = { file_id: assigned.file_id, offset: 0, size: 8, is_chunk_manifest: true }
    await client.call('CreateEntry', {
      directory: '/m',
      entry: file('f', { chunks: [manifestChunk] }),
    })
    // Same data chunks, now listed directly: only the manifest needle is garbage.
    await client.call('CreateEntry', {
      directory: '/m',
      entry: file('f', {
        chunks: [
          { file_id: c1.fid, offset: 0, size: 4 },
          { file_id: c2.fid, offset: 4, size: 4 },
        ],
      }),
    })
    await expect
      .poll(async () => (await get(assigned.location!.url!, assigned.file_id!)).status)
      .toBe(404)
    expect((await get(c1.url, c1.fid)).status).toBe(200)
    expect((await get(c2.url, c2.fid)).status).toBe(200)
  })
})
