import { createServer } from 'node:net'
import {
  startEmbeddedFiler,
  type EmbeddedFiler,
  type EmbeddedFilerOptions,
} from '@seasync/embedded-filer'
import type {
  Entry,
  SubscribeMetadataRequest,
  SubscribeMetadataResponseOutput,
} from '@seasync/proto'
import { afterEach, describe, expect, it } from 'vitest'
import { checkpointKey, encodeCheckpoint } from '../../src/checkpoint/checkpoint-key.js'
import { FilerKvCheckpointStore } from '../../src/checkpoint/filer-kv-checkpoint-store.js'
import { SyncError, SyncStoppedError } from '../../src/errors.js'
import { FilerClient } from '../../src/filer/filer-client.js'

const DIR_MODE = (2 ** 31 + 0o755) >>> 0

const filers: EmbeddedFiler[] = []
const clients: FilerClient[] = []

afterEach(async () => {
  for (const client of clients.splice(0)) client.close()
  for (const filer of filers.splice(0).reverse()) await filer.close()
})

/** An in-memory embedded filer on ephemeral ports with fast heartbeats, closed after the test. */
async function startFiler(options: EmbeddedFilerOptions = {}): Promise<EmbeddedFiler> {
  const filer = await startEmbeddedFiler({ subscribe: { heartbeatIntervalMs: 200 }, ...options })
  filers.push(filer)
  return filer
}

function clientFor(address: string): FilerClient {
  const client = new FilerClient(address)
  clients.push(client)
  return client
}

async function setup(): Promise<{ filer: EmbeddedFiler; client: FilerClient }> {
  const filer = await startFiler()
  return { filer, client: clientFor(filer.address) }
}

function file(name: string, text: string, mime = 'text/plain'): Entry {
  const mtime = Math.floor(Date.now() / 1000)
  return {
    name,
    is_directory: false,
    content: Buffer.from(text),
    attributes: { file_size: text.length, mtime, crtime: mtime, file_mode: 0o644, mime },
  }
}

function dir(name: string): Entry {
  const mtime = Math.floor(Date.now() / 1000)
  return { name, is_directory: true, attributes: { mtime, crtime: mtime, file_mode: DIR_MODE } }
}

function subscribeRequest(
  overrides: Partial<SubscribeMetadataRequest> = {},
): SubscribeMetadataRequest {
  return {
    client_name: 'filer-client.test',
    path_prefix: '/',
    since_ns: 0,
    client_id: 1 + Math.floor(Math.random() * 2 ** 30),
    client_epoch: 1,
    client_supports_batching: true,
    client_supports_idle_heartbeat: true,
    ...overrides,
  }
}

/** Iterate until `predicate` holds (then break, cancelling the stream); returns what was seen. */
async function readUntil(
  stream: AsyncIterable<SubscribeMetadataResponseOutput>,
  predicate: (m: SubscribeMetadataResponseOutput) => boolean,
): Promise<SubscribeMetadataResponseOutput[]> {
  const seen: SubscribeMetadataResponseOutput[] = []
  for await (const message of stream) {
    seen.push(message)
    if (predicate(message)) break
  }
  return seen
}

const isHeartbeat = (m: SubscribeMetadataResponseOutput): boolean => !m.event_notification

async function caught(promise: Promise<unknown>): Promise<SyncError> {
  const err: unknown = await promise.then(
    () => undefined,
    (e: unknown) => e,
  )
  expect(err).toBeInstanceOf(SyncError)
  return err as SyncError
}

/** A loopback port nothing listens on (bound, then released). */
async function unusedPort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as { port: number }
  await new Promise<void>((resolve) => server.close(() => resolve()))
  return port
}

describe('FilerClient against an embedded filer', () => {
  it('reads the filer configuration and its signature', async () => {
    const { filer, client } = await setup()
    const conf = await client.getConfiguration()
    expect(conf.signature).toBe(filer.signature)
    expect(conf.signature).not.toBe(0)
    expect(client.address.grpcAddress).toBe(filer.grpcAddress)
  })

  it('round-trips a checkpoint through FilerKvCheckpointStore with Go’s raw KV bytes', async () => {
    const { client } = await setup()
    const store = new FilerKvCheckpointStore({
      target: client,
      sourcePath: '/data',
      sourceSignature: 0x01020304,
    })
    expect(store.key.equals(checkpointKey('/data', 0x01020304))).toBe(true)
    expect(await store.load()).toBe(0n)

    const ts = 1790000000123456789n
    await store.save(ts)
    expect(await store.load()).toBe(ts)
    const raw = await client.kvGet(
      Buffer.concat([Buffer.from('sync./data'), Buffer.from([1, 2, 3, 4])]),
    )
    expect(raw.toString('hex')).toBe(encodeCheckpoint(ts).toString('hex'))
    expect(raw).toHaveLength(8)

    // Go never saves 0: the stored value stays as it was.
    await store.save(0n)
    expect(await store.load()).toBe(ts)

    // A value shorter than 8 bytes reads as 0 (§4.1); an empty KvPut deletes the key.
    await client.kvPut(store.key, Buffer.from([1, 2, 3]))
    expect(await store.load()).toBe(0n)
    await client.kvPut(store.key, Buffer.alloc(0))
    expect(await client.kvGet(store.key)).toHaveLength(0)
  })

  it('checkpoint failures carry the checkpoint codes; a stop stays a stop', async () => {
    const port = await unusedPort()
    const client = clientFor(`127.0.0.1:${port}.${port}`)
    const store = new FilerKvCheckpointStore({
      target: client,
      sourcePath: '/',
      sourceSignature: 1,
    })
    const read = await caught(store.load())
    expect(read).toMatchObject({ code: 'SYNC_ERR_CHECKPOINT_READ', retryable: true })
    expect((read.cause as SyncError).code).toBe('SYNC_ERR_UNAVAILABLE')
    const write = await caught(store.save(5n))
    expect(write).toMatchObject({ code: 'SYNC_ERR_CHECKPOINT_WRITE', retryable: true })
    await expect(store.load(AbortSignal.abort())).rejects.toBeInstanceOf(SyncStoppedError)
  })

  it('lookupEntry of a missing entry is undefined', async () => {
    const { client } = await setup()
    expect(await client.lookupEntry('/', 'nope')).toBeUndefined()
    expect(await client.lookupEntry('/no/such/dir', 'nope')).toBeUndefined()
  })

  it('create / lookup / list / update / rename / delete round trip', async () => {
    const { filer, client } = await setup()
    await client.createEntry({ directory: '/docs', entry: dir('sub'), signatures: [7] })
    for (const name of ['a.txt', 'b.txt', 'c.md']) {
      const res = await client.createEntry({
        directory: '/docs',
        entry: file(name, `content of ${name}`),
        is_from_other_cluster: true,
        signatures: [7],
      })
      expect(res.error ?? '').toBe('')
    }

    const a = await client.lookupEntry('/docs', 'a.txt')
    expect(a?.content?.toString()).toBe('content of a.txt')
    expect(a?.attributes?.mime).toBe('text/plain')

    const names = async (options = {}): Promise<string[]> => {
      const out: string[] = []
      for await (const e of client.listEntries('/docs', options)) out.push(e.name ?? '')
      return out
    }
    expect(await names()).toEqual(['a.txt', 'b.txt', 'c.md', 'sub'])
    expect(await names({ prefix: 'b' })).toEqual(['b.txt'])
    expect(await names({ limit: 2 })).toEqual(['a.txt', 'b.txt'])
    expect(await names({ startFrom: 'b.txt' })).toEqual(['c.md', 'sub'])
    expect(await names({ startFrom: 'b.txt', inclusive: true })).toEqual(['b.txt', 'c.md', 'sub'])

    await client.updateEntry({
      directory: '/docs',
      entry: {
        ...file('a.txt', 'content of a.txt'),
        attributes: { ...file('a.txt', '').attributes, mime: 'text/markdown', file_size: 16 },
      },
      signatures: [7],
    })
    expect((await client.lookupEntry('/docs', 'a.txt'))?.attributes?.mime).toBe('text/markdown')

    await client.atomicRenameEntry({
      old_directory: '/docs',
      old_name: 'a.txt',
      new_directory: '/docs/sub',
      new_name: 'moved.txt',
      signatures: [7],
    })
    expect(await client.lookupEntry('/docs', 'a.txt')).toBeUndefined()
    expect((await client.lookupEntry('/docs/sub', 'moved.txt'))?.content?.toString()).toBe(
      'content of a.txt',
    )

    await client.deleteEntry({ directory: '/docs', name: 'b.txt', is_delete_data: true })
    expect(await client.lookupEntry('/docs', 'b.txt')).toBeUndefined()
    // Deleting a missing entry succeeds (§2.2).
    await client.deleteEntry({ directory: '/docs', name: 'b.txt' })
    await client.deleteEntry({ directory: '/nowhere', name: 'x' })

    // Missing entries on update / rename are NOT_FOUND, so callers can fall back to a create.
    const update = await caught(
      client.updateEntry({ directory: '/docs', entry: file('ghost', 'x') }),
    )
    expect(update).toMatchObject({ code: 'SYNC_ERR_NOT_FOUND', retryable: false })
    const rename = await caught(
      client.atomicRenameEntry({
        old_directory: '/docs',
        old_name: 'ghost',
        new_directory: '/docs',
        new_name: 'ghost2',
      }),
    )
    expect(rename.code).toBe('SYNC_ERR_NOT_FOUND')

    // The signatures we sent were logged with the filer's own.
    const seen = await readUntil(client.subscribeMetadata(subscribeRequest()), isHeartbeat)
    const creates = seen.filter((m) => m.event_notification?.new_entry?.name === 'c.md')
    expect(creates[0]?.event_notification?.signatures).toEqual([7, filer.signature])
  })

  it('refusals are SYNC_ERR_FILER_REFUSED with the filer’s text', async () => {
    const { client } = await setup()
    await client.createEntry({ directory: '/', entry: file('f', 'x') })
    const existing = await caught(client.createEntry({ directory: '/', entry: dir('f') }))
    expect(existing).toMatchObject({ code: 'SYNC_ERR_FILER_REFUSED', retryable: false })
    expect(existing.message).toContain('EXISTING_IS_FILE')

    const parent = await caught(client.createEntry({ directory: '/f', entry: file('g', 'y') }))
    expect(parent.code).toBe('SYNC_ERR_FILER_REFUSED')

    await client.createEntry({ directory: '/full', entry: file('child', 'z') })
    const nonEmpty = await caught(
      client.deleteEntry({ directory: '/', name: 'full', is_recursive: false }),
    )
    expect(nonEmpty).toMatchObject({ code: 'SYNC_ERR_FILER_REFUSED', retryable: false })
    expect(await client.lookupEntry('/full', 'child')).toBeDefined()
  })

  it('assignVolume and lookupVolume', async () => {
    const { filer, client } = await setup()
    const assigned = await client.assignVolume({ count: 1, path: '/docs/a.bin' })
    expect(assigned.file_id).toMatch(/^\d+,[0-9a-f]+$/)
    expect(assigned.location?.url).toBe(filer.volumeUrl)
    const vid = assigned.file_id!.split(',')[0]!
    const locations = await client.lookupVolume([vid])
    expect(locations[vid]?.map((l) => l.url)).toEqual([filer.volumeUrl])
    const bad = await caught(client.lookupVolume(['not-a-number']))
    expect(bad).toMatchObject({ code: 'SYNC_ERR_FILER_CALL', retryable: false })
  })

  it('subscribeMetadata yields events created after subscribing; break closes the stream', async () => {
    const { client } = await setup()
    const stream = client.subscribeMetadata(subscribeRequest())
    let created: Promise<unknown> | undefined
    const seen = await readUntil(stream, (m) => {
      if (!created && isHeartbeat(m)) {
        // Caught up: now write, and expect to see it live.
        created = client.createEntry({ directory: '/live', entry: file('new.txt', 'hi') })
      }
      return m.event_notification?.new_entry?.name === 'new.txt'
    })
    await created
    const event = seen.at(-1)!
    expect(event.directory).toBe('/live')
    expect(BigInt(event.ts_ns ?? '0')).toBeGreaterThan(0n)
    expect(client.openStreamCount).toBe(0)
  })

  it('aborting a long subscribe rejects with SyncStoppedError and leaves no open stream', async () => {
    const { client } = await setup()
    const request = subscribeRequest()
    const controller = new AbortController()
    let heartbeats = 0
    const run = (async (): Promise<void> => {
      for await (const message of client.subscribeMetadata(request, {
        signal: controller.signal,
      })) {
        if (isHeartbeat(message) && ++heartbeats === 2) controller.abort()
      }
    })()
    await expect(run).rejects.toBeInstanceOf(SyncStoppedError)
    expect(heartbeats).toBe(2)
    expect(client.openStreamCount).toBe(0)

    // The server released the subscription too: the same client id and epoch is accepted again
    // (while the old stream is open, it would be refused as a duplicate, §5.6).
    await expect
      .poll(async () => {
        try {
          await readUntil(client.subscribeMetadata(request), isHeartbeat)
          return 'accepted'
        } catch (err) {
          return (err as Error).message
        }
      })
      .toBe('accepted')
  })

  it('aborting while waiting for the next message, and close(), both stop the stream', async () => {
    const { client } = await setup()
    const controller = new AbortController()
    const stream = client.subscribeMetadata(
      subscribeRequest({ client_supports_idle_heartbeat: false }),
      {
        signal: controller.signal,
      },
    )
    const next = stream.next()
    setTimeout(() => controller.abort(), 100)
    await expect(next).rejects.toBeInstanceOf(SyncStoppedError)
    expect(client.openStreamCount).toBe(0)

    const other = client.subscribeMetadata(
      subscribeRequest({ client_supports_idle_heartbeat: false }),
    )
    const pending = other.next()
    setTimeout(() => client.close(), 100)
    await expect(pending).rejects.toBeInstanceOf(SyncStoppedError)
    expect(client.openStreamCount).toBe(0)
    await expect(client.getConfiguration()).rejects.toBeInstanceOf(SyncStoppedError)
  })

  it('a duplicate subscription is a retryable SYNC_ERR_SUBSCRIBE with the filer’s text', async () => {
    const { client } = await setup()
    const request = subscribeRequest()
    const first = client.subscribeMetadata(request)
    await first.next()
    const err = await caught(readUntil(client.subscribeMetadata(request), () => true))
    expect(err).toMatchObject({ code: 'SYNC_ERR_SUBSCRIBE', retryable: true })
    expect(err.message).toContain('duplicated subscription detected')
    await first.return()
    expect(client.openStreamCount).toBe(0)
  })

  it('a stream deadline (timeoutMs) is a retryable SYNC_ERR_FILER_CALL', async () => {
    const { client } = await setup()
    const err = await caught(
      readUntil(
        client.subscribeMetadata(subscribeRequest({ client_supports_idle_heartbeat: false }), {
          timeoutMs: 300,
        }),
        () => false,
      ),
    )
    expect(err).toMatchObject({ code: 'SYNC_ERR_FILER_CALL', retryable: true })
    expect(err.message).toContain('DEADLINE_EXCEEDED')
  })

  it('an unreachable address is a retryable SYNC_ERR_UNAVAILABLE', async () => {
    const port = await unusedPort()
    const client = clientFor(`127.0.0.1:${port}.${port}`)
    const err = await caught(client.getConfiguration({ timeoutMs: 5000 }))
    expect(err).toMatchObject({ code: 'SYNC_ERR_UNAVAILABLE', retryable: true })
    expect(err.message).toContain(`127.0.0.1:${port}`)
    const sub = await caught(readUntil(client.subscribeMetadata(subscribeRequest()), () => true))
    expect(sub).toMatchObject({ code: 'SYNC_ERR_UNAVAILABLE', retryable: true })
    expect(client.openStreamCount).toBe(0)
  })

  it('drops a broken unary channel and redials at once when the filer comes back', async () => {
    const first = await startFiler()
    const client = clientFor(first.address)
    const [host, ports] = [first.httpAddress.split(':')[0]!, first.address.split(':')[1]!]
    const [httpPort, grpcPort] = ports.split('.').map(Number) as [number, number]
    expect(host).toBe('127.0.0.1')
    await client.getConfiguration()

    await first.close()
    const down = await caught(client.getConfiguration())
    expect(down).toMatchObject({ code: 'SYNC_ERR_UNAVAILABLE', retryable: true })

    // Same ports again. A kept channel would sit in grpc-js's reconnect backoff and fail fast;
    // a fresh one connects immediately.
    const second = await startFiler({ port: httpPort, grpcPort })
    const conf = await client.getConfiguration()
    expect(conf.signature).toBe(second.signature)
  })
})
