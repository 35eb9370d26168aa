import * as grpc from '@grpc/grpc-js'
import type {
  CreateEntryResponseOutput,
  DeleteEntryResponseOutput,
  GetFilerConfigurationResponseOutput,
  KvGetResponseOutput,
  ListEntriesResponseOutput,
  LookupDirectoryEntryResponseOutput,
  StreamMutateEntryResponseOutput,
  StreamRenameEntryResponseOutput,
  SubscribeMetadataResponseOutput,
} from '@seasync/proto'
import { describe, expect } from 'vitest'
import { changes, describeEvent, dir, file, type TestFilerClient } from './support/filer-client.js'
import { test } from './support/fixtures.js'

const SIG_X = 111
const SIG_Y = 222

/** All change events logged so far (subscribe from 0 until caught up, via heartbeat). */
async function logged(
  client: TestFilerClient,
  prefix = '/',
): Promise<SubscribeMetadataResponseOutput[]> {
  const sub = client.subscribe({
    client_name: 'test',
    path_prefix: prefix,
    since_ns: 0,
    client_id: 1 + Math.floor(Math.random() * 1e9),
    client_epoch: 1,
    client_supports_idle_heartbeat: true,
  })
  const all = await sub.until((msgs) => msgs.some((m) => !m.event_notification))
  sub.cancel()
  return changes(all)
}

describe('GetFilerConfiguration and KV', () => {
  test('signature is a non-zero int32 persisted under filer.store.id, big-endian', async ({
    client,
  }) => {
    const conf = await client.call<GetFilerConfigurationResponseOutput>('GetFilerConfiguration', {})
    expect(conf.signature).not.toBe(0)
    expect(Number.isInteger(conf.signature)).toBe(true)
    expect(conf.max_mb).toBe(4)
    expect(conf.version).toMatch(/4\.44/)
    expect(conf.major_version).toBe(4)
    const kv = await client.call<KvGetResponseOutput>('KvGet', {
      key: Buffer.from('filer.store.id'),
    })
    expect(kv.value?.length).toBe(4)
    expect(kv.value!.readInt32BE(0)).toBe(conf.signature)
  })

  test('KvGet of a missing key is an empty value and an empty error; empty KvPut deletes', async ({
    client,
  }) => {
    const key = Buffer.from([0x73, 0x79, 0x6e, 0x63, 0x2e, 0xff, 0xff, 0xff, 0xfe])
    const missing = await client.call<KvGetResponseOutput>('KvGet', { key })
    expect(missing.value ?? Buffer.alloc(0)).toHaveLength(0)
    expect(missing.error ?? '').toBe('')
    const value = Buffer.from('0000000000000001', 'hex')
    await client.call('KvPut', { key, value })
    expect((await client.call<KvGetResponseOutput>('KvGet', { key })).value).toEqual(value)
    await client.call('KvPut', { key, value: Buffer.alloc(0) })
    expect(
      (await client.call<KvGetResponseOutput>('KvGet', { key })).value ?? Buffer.alloc(0),
    ).toHaveLength(0)
  })
})

describe('LookupDirectoryEntry and ListEntries', () => {
  test('not found is gRPC UNKNOWN with SeaweedFS not-found text', async ({ client }) => {
    const err = await client
      .call('LookupDirectoryEntry', { directory: '/nope', name: 'x' })
      .catch((e: grpc.ServiceError) => e)
    expect(err).toMatchObject({ code: grpc.status.UNKNOWN })
    expect((err as grpc.ServiceError).details).toContain('filer: no entry is found in filer store')
  })

  test('lookup returns both chunk fid forms and the root directory', async ({ client }) => {
    const chunk = {
      file_id: '3,01637037d6',
      offset: 0,
      size: 5,
      e_tag: 'abc=',
      modified_ts_ns: '1790000000123456789',
    }
    await client.call('CreateEntry', { directory: '/d', entry: file('f', { chunks: [chunk] }) })
    const res = await client.call<LookupDirectoryEntryResponseOutput>('LookupDirectoryEntry', {
      directory: '/d',
      name: 'f',
    })
    expect(res.entry?.chunks[0]).toMatchObject({
      file_id: '3,01637037d6',
      fid: { volume_id: 3, file_key: '1', cookie: 0x637037d6 },
      modified_ts_ns: '1790000000123456789',
    })
    const root = await client.call<LookupDirectoryEntryResponseOutput>('LookupDirectoryEntry', {
      directory: '/',
      name: '',
    })
    expect(root.entry?.is_directory).toBe(true)
  })

  test('lists in byte order with prefix, startFromFileName, inclusiveStartFrom and limit', async ({
    client,
  }) => {
    const names = ['b', 'a', 'Z', 'é', '_x', 'ab', 'B']
    for (const name of names)
      await client.call('CreateEntry', { directory: '/l', entry: file(name) })
    const list = async (req: object): Promise<string[]> =>
      (
        await client.collect<ListEntriesResponseOutput>('ListEntries', { directory: '/l', ...req })
      ).map((r) => r.entry!.name!)
    const byteOrder = [...names].sort((x, y) => Buffer.compare(Buffer.from(x), Buffer.from(y)))
    expect(await list({})).toEqual(byteOrder)
    expect(await list({ prefix: 'a' })).toEqual(['a', 'ab'])
    expect(await list({ startFromFileName: 'a' })).toEqual(
      byteOrder.slice(byteOrder.indexOf('a') + 1),
    )
    expect(await list({ startFromFileName: 'a', inclusiveStartFrom: true, limit: 2 })).toEqual([
      'a',
      'ab',
    ])
    const first = await client.collect<ListEntriesResponseOutput>('ListEntries', {
      directory: '/l',
      limit: 2,
    })
    expect(first[0]!.snapshot_ts_ns).toMatch(/^\d+$/)
    expect(first[1]!.snapshot_ts_ns).toBeUndefined()
  })
})

describe('CreateEntry', () => {
  test('missing parents get their own events without request signatures', async ({
    client,
    filer,
  }) => {
    const res = await client.call<CreateEntryResponseOutput>('CreateEntry', {
      directory: '/a/b',
      entry: file('c.txt'),
      signatures: [SIG_X],
      is_from_other_cluster: true,
    })
    expect(res.error ?? '').toBe('')
    expect(res.log_signature).toBe(filer.signature)
    const events = await logged(client)
    expect(events.map(describeEvent)).toEqual(['create /a', 'create /a/b', 'create /a/b/c.txt'])
    expect(events[0]!.event_notification!.signatures).toEqual([filer.signature])
    expect(events[1]!.event_notification!.signatures).toEqual([filer.signature])
    expect(events[2]!.event_notification).toMatchObject({
      signatures: [SIG_X, filer.signature],
      is_from_other_cluster: true,
      new_parent_path: '/a/b',
    })
    expect(events[2]!.directory).toBe('/a/b')
    // Auto-created parents: directory mode with the child's bits and 0111.
    const parent = events[0]!.event_notification!.new_entry!
    expect(parent.is_directory).toBe(true)
    expect((parent.attributes!.file_mode! & 0x80000000) >>> 0).toBe(0x80000000)
    expect(parent.attributes!.file_mode! & 0o111).toBe(0o111)
    // Events carry the structured chunk form only; timestamps strictly increase.
    const ts = events.map((e) => BigInt(e.ts_ns!))
    expect([...ts].sort((x, y) => (x < y ? -1 : 1))).toEqual(ts)
    expect(new Set(ts).size).toBe(ts.length)
  })

  test('an existing path becomes an overwrite logged as old+new, crtime kept', async ({
    client,
  }) => {
    await client.call('CreateEntry', {
      directory: '/o',
      entry: file('f', { attributes: { crtime: 1000, mtime: 1000, file_size: 1 } }),
    })
    await client.call('CreateEntry', {
      directory: '/o',
      entry: file('f', { attributes: { crtime: 2000, mtime: 2000, file_size: 2 } }),
      signatures: [SIG_Y],
    })
    const events = (await logged(client)).filter((e) => describeEvent(e).endsWith('/o/f'))
    expect(events.map(describeEvent)).toEqual(['create /o/f', 'update /o/f'])
    const update = events[1]!.event_notification!
    expect(update.old_entry!.attributes!.file_size).toBe('1')
    expect(update.new_entry!.attributes!.file_size).toBe('2')
    expect(update.delete_chunks).toBe(true)
    expect(update.signatures).toContain(SIG_Y)
    const now = await client.call<LookupDirectoryEntryResponseOutput>('LookupDirectoryEntry', {
      directory: '/o',
      name: 'f',
    })
    expect(now.entry!.attributes!.crtime).toBe('1000')
  })

  test('refusals come back as error + error_code with status OK, and change nothing', async ({
    client,
  }) => {
    await client.call('CreateEntry', { directory: '/r', entry: file('f') })
    await client.call('CreateEntry', { directory: '/r', entry: dir('d') })
    const create = (
      directory: string,
      entry: object,
      extra: object = {},
    ): Promise<CreateEntryResponseOutput> =>
      client.call<CreateEntryResponseOutput>('CreateEntry', { directory, entry, ...extra })
    expect(await create('/r', dir('f'))).toMatchObject({ error_code: 'EXISTING_IS_FILE' })
    expect(await create('/r', file('d'))).toMatchObject({ error_code: 'EXISTING_IS_DIRECTORY' })
    expect(await create('/r', file('f'), { o_excl: true })).toMatchObject({
      error_code: 'ENTRY_ALREADY_EXISTS',
    })
    expect(await create('/r/f', file('x'))).toMatchObject({ error_code: 'PARENT_IS_FILE' })
    expect(await create('/r', file('n'.repeat(256)))).toMatchObject({
      error_code: 'ENTRY_NAME_TOO_LONG',
    })
    for (const res of [await create('/r', dir('f'))]) expect(res.error).toMatch(/is a file/)
    const events = (await logged(client)).map(describeEvent)
    expect(events).toEqual(['create /r', 'create /r/f', 'create /r/d'])
  })
})

describe('UpdateEntry', () => {
  test('missing entry is a gRPC error with the not-found text', async ({ client }) => {
    const err = await client
      .call('UpdateEntry', { directory: '/u', entry: file('nope') })
      .catch((e: grpc.ServiceError) => e)
    expect((err as grpc.ServiceError).details).toMatch(
      /^not found \/u\/nope: filer: no entry is found in filer store/,
    )
  })

  test('logs old+new when something changed, nothing when nothing changed', async ({ client }) => {
    const entry = file('f', { attributes: { mtime: 5, file_mode: 0o644, crtime: 5 } })
    await client.call('CreateEntry', { directory: '/u', entry })
    const stored = await client.call<LookupDirectoryEntryResponseOutput>('LookupDirectoryEntry', {
      directory: '/u',
      name: 'f',
    })
    await client.call('UpdateEntry', { directory: '/u', entry: stored.entry, signatures: [SIG_X] })
    await client.call('UpdateEntry', {
      directory: '/u',
      entry: { ...stored.entry, attributes: { ...stored.entry!.attributes, file_mode: 0o600 } },
      signatures: [SIG_X],
      is_from_other_cluster: true,
    })
    const events = (await logged(client)).filter((e) => describeEvent(e).endsWith('/u/f'))
    expect(events.map(describeEvent)).toEqual(['create /u/f', 'update /u/f'])
    expect(events[1]!.event_notification).toMatchObject({
      is_from_other_cluster: true,
      delete_chunks: true,
    })
    expect(events[1]!.event_notification!.signatures).toContain(SIG_X)
  })
})

describe('DeleteEntry', () => {
  test('recursive: one event per descendant without signatures, children first; top with them', async ({
    client,
    filer,
  }) => {
    await client.call('CreateEntry', { directory: '/t/sub', entry: file('f1') })
    await client.call('CreateEntry', { directory: '/t', entry: file('f2') })
    const res = await client.call<DeleteEntryResponseOutput>('DeleteEntry', {
      directory: '/',
      name: 't',
      is_recursive: true,
      is_delete_data: true,
      signatures: [SIG_X],
      is_from_other_cluster: true,
    })
    expect(res.error ?? '').toBe('')
    const deletes = (await logged(client)).filter((e) => describeEvent(e).startsWith('delete'))
    // Children of /t in byte order (f2 < sub); sub's child before sub itself; /t last.
    expect(deletes.map(describeEvent)).toEqual([
      'delete /t/f2',
      'delete /t/sub/f1',
      'delete /t/sub',
      'delete /t',
    ])
    for (const d of deletes.slice(0, -1))
      expect(d.event_notification!.signatures).toEqual([filer.signature])
    expect(deletes.at(-1)!.event_notification!.signatures).toEqual([SIG_X, filer.signature])
    for (const d of deletes) expect(d.event_notification!.delete_chunks).toBe(true)
  })

  test('a missing entry is success; a non-empty folder without is_recursive is an error', async ({
    client,
  }) => {
    expect(
      (await client.call<DeleteEntryResponseOutput>('DeleteEntry', { directory: '/x', name: 'y' }))
        .error ?? '',
    ).toBe('')
    await client.call('CreateEntry', { directory: '/ne', entry: file('f') })
    const res = await client.call<DeleteEntryResponseOutput>('DeleteEntry', {
      directory: '/',
      name: 'ne',
      is_recursive: false,
    })
    expect(res.error).toMatch(/fail to delete non-empty folder/)
    const still = await client.call<LookupDirectoryEntryResponseOutput>('LookupDirectoryEntry', {
      directory: '/ne',
      name: 'f',
    })
    expect(still.entry?.name).toBe('f')
  })
})

describe('AtomicRenameEntry and StreamRenameEntry', () => {
  test('file rename: one old+new event with request signatures and delete_chunks false', async ({
    client,
  }) => {
    await client.call('CreateEntry', { directory: '/m', entry: file('a') })
    await client.call('AtomicRenameEntry', {
      old_directory: '/m',
      old_name: 'a',
      new_directory: '/n',
      new_name: 'b',
      signatures: [SIG_X],
    })
    const events = (await logged(client)).map((e) => [describeEvent(e), e] as const)
    const rename = events.find(([d]) => d.startsWith('rename'))!
    expect(rename[0]).toBe('rename /m/a -> /n/b')
    expect(rename[1].directory).toBe('/m')
    expect(rename[1].event_notification).toMatchObject({
      new_parent_path: '/n',
      delete_chunks: false,
      signatures: expect.arrayContaining([SIG_X]) as unknown,
    })
    // The new parent was created first (its own event), and the old path is gone.
    expect(events.map(([d]) => d)).toContain('create /n')
    const err = await client
      .call('LookupDirectoryEntry', { directory: '/m', name: 'a' })
      .catch((e: grpc.ServiceError) => e)
    expect((err as grpc.ServiceError).details).toContain('no entry is found')
  })

  test('directory rename: the directory first, then every descendant depth-first, all signed', async ({
    client,
  }) => {
    await client.call('CreateEntry', { directory: '/src/d1', entry: file('x') })
    await client.call('CreateEntry', { directory: '/src', entry: file('y') })
    await client.call('AtomicRenameEntry', {
      old_directory: '/',
      old_name: 'src',
      new_directory: '/',
      new_name: 'dst',
      signatures: [SIG_X],
    })
    const renames = (await logged(client)).filter((e) => describeEvent(e).startsWith('rename'))
    expect(renames.map(describeEvent)).toEqual([
      'rename /src -> /dst',
      'rename /src/d1 -> /dst/d1',
      'rename /src/d1/x -> /dst/d1/x',
      'rename /src/y -> /dst/y',
    ])
    for (const r of renames) expect(r.event_notification!.signatures).toContain(SIG_X)
    const moved = await client.call<LookupDirectoryEntryResponseOutput>('LookupDirectoryEntry', {
      directory: '/dst/d1',
      name: 'x',
    })
    expect(moved.entry?.name).toBe('x')
  })

  test('a rename over an existing destination logs its delete first', async ({ client }) => {
    await client.call('CreateEntry', { directory: '/o', entry: file('a') })
    await client.call('CreateEntry', { directory: '/o', entry: file('b') })
    await client.call('AtomicRenameEntry', {
      old_directory: '/o',
      old_name: 'a',
      new_directory: '/o',
      new_name: 'b',
    })
    const tail = (await logged(client)).map(describeEvent).slice(-2)
    expect(tail).toEqual(['delete /o/b', 'rename /o/a -> /o/b'])
  })

  test('renaming a missing entry is a gRPC error', async ({ client }) => {
    const err = await client
      .call('AtomicRenameEntry', {
        old_directory: '/q',
        old_name: 'a',
        new_directory: '/q',
        new_name: 'b',
      })
      .catch((e: grpc.ServiceError) => e)
    expect((err as grpc.ServiceError).details).toMatch(/\/q\/a not found/)
  })

  test('StreamRenameEntry streams the events it logged', async ({ client }) => {
    await client.call('CreateEntry', { directory: '/s', entry: file('a') })
    const res = await client.collect<StreamRenameEntryResponseOutput>('StreamRenameEntry', {
      old_directory: '/s',
      old_name: 'a',
      new_directory: '/s',
      new_name: 'b',
      signatures: [SIG_X],
    })
    expect(res).toHaveLength(1)
    expect(res[0]).toMatchObject({ directory: '/s', event_notification: { new_parent_path: '/s' } })
    expect(res[0]!.event_notification!.new_entry!.name).toBe('b')
  })
})

describe('StreamMutateEntry', () => {
  test('applies creates, updates and deletes in arrival order and answers each by request_id', async ({
    client,
  }) => {
    const call = client.raw.StreamMutateEntry()
    const answers: StreamMutateEntryResponseOutput[] = []
    call.on('data', (res: StreamMutateEntryResponseOutput) => answers.push(res))
    const ended = new Promise((resolve) => call.on('end', resolve))
    call.write({ request_id: 1, create_request: { directory: '/s', entry: dir('d') } })
    for (let i = 0; i < 20; i++) {
      call.write({ request_id: 2 + i, create_request: { directory: '/s/d', entry: file(`f${i}`) } })
    }
    call.write({
      request_id: 30,
      create_request: { directory: '/s/d', entry: file('f0'), o_excl: true },
    })
    call.write({ request_id: 31, delete_request: { directory: '/s/d', name: 'f1' } })
    call.write({ request_id: 32, update_request: { directory: '/s/d', entry: file('missing') } })
    call.end()
    await ended
    expect(answers.map((a) => Number(a.request_id))).toEqual([
      1,
      ...Array.from({ length: 20 }, (_, i) => 2 + i),
      30,
      31,
      32,
    ])
    expect(answers.every((a) => a.is_last)).toBe(true)
    expect(answers[0]!.create_response?.error ?? '').toBe('')
    // A refusal stays in the inner response, as the unary call answers it.
    expect(answers[21]!.create_response?.error_code).toBe('ENTRY_ALREADY_EXISTS')
    expect(answers[22]!.delete_response).toBeDefined()
    // What the unary call would answer as a gRPC error goes into `error`.
    expect(answers[23]!.error).toContain('no entry is found')
    const listed = await client.collect<ListEntriesResponseOutput>('ListEntries', {
      directory: '/s/d',
    })
    expect(listed.map((r) => r.entry?.name).sort()).toEqual(
      Array.from({ length: 20 }, (_, i) => `f${i}`)
        .filter((n) => n !== 'f1')
        .sort(),
    )
  })
})
