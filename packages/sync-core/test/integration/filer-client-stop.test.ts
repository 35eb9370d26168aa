/**
 * Stopping calls that are still waiting for their answer: the caller's signal, FilerClient.close()
 * and deadlines, for unary calls and for mutations pipelined over StreamMutateEntry. The filer
 * here is a real grpc-js server on loopback that takes the calls and never answers (a hung filer),
 * so every call is really in flight when it is stopped.
 */
import * as grpc from '@grpc/grpc-js'
import { loadFilerProto, serverChannelOptions } from '@seasync/proto'
import { afterEach, describe, expect, it } from 'vitest'
import { SyncError, SyncStoppedError } from '../../src/errors.js'
import { FilerClient } from '../../src/filer/filer-client.js'

const cleanups: (() => void | Promise<void>)[] = []
afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn()
})

/** A filer whose lookups, assignments and mutation streams are accepted and never answered. */
async function hungFiler(): Promise<{ address: string; mutationsSeen: () => number }> {
  let mutationsSeen = 0
  const server = new grpc.Server(serverChannelOptions)
  server.addService(loadFilerProto().filer_pb.SeaweedFiler.service, {
    LookupDirectoryEntry: () => {},
    AssignVolume: () => {},
    StreamMutateEntry: (call: grpc.ServerDuplexStream<unknown, unknown>) => {
      call.on('data', () => mutationsSeen++)
      call.on('error', () => {})
    },
  })
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, p) =>
      err ? reject(err) : resolve(p),
    ),
  )
  cleanups.push(() => void server.forceShutdown())
  // host:httpPort.grpcPort; nothing here speaks HTTP.
  return { address: `127.0.0.1:1.${port}`, mutationsSeen: () => mutationsSeen }
}

function clientFor(address: string, unaryTimeoutMs?: number): FilerClient {
  const client = new FilerClient(address, unaryTimeoutMs ? { unaryTimeoutMs } : {})
  cleanups.push(() => client.close())
  return client
}

const createRequest = (name: string) => ({
  directory: '/',
  entry: { name, attributes: { file_mode: 0o644, mtime: 1 } },
})

async function settled(p: Promise<unknown>): Promise<unknown> {
  return p.then(
    () => 'resolved',
    (err: unknown) => err,
  )
}

describe('stopping calls a hung filer never answers', () => {
  it('close() stops an in-flight unary call and a pipelined mutation, and later calls', async () => {
    const { address, mutationsSeen } = await hungFiler()
    const client = clientFor(address)
    const lookup = settled(client.lookupEntry('/', 'x'))
    const create = settled(client.createEntry(createRequest('x')))
    await expect.poll(mutationsSeen).toBe(1)
    client.close()
    expect(await lookup).toBeInstanceOf(SyncStoppedError)
    expect(await create).toBeInstanceOf(SyncStoppedError)
    expect(await settled(client.createEntry(createRequest('y')))).toBeInstanceOf(SyncStoppedError)
    expect(await settled(client.assignVolume({ count: 1 }))).toBeInstanceOf(SyncStoppedError)
  })

  it("the caller's signal stops each call alone; the client stays usable", async () => {
    const { address, mutationsSeen } = await hungFiler()
    const client = clientFor(address)
    const controller = new AbortController()
    const { signal } = controller
    const lookup = settled(client.lookupEntry('/', 'x', { signal }))
    const create = settled(client.createEntry(createRequest('x'), { signal }))
    const other = settled(client.createEntry(createRequest('other')))
    await expect.poll(mutationsSeen).toBe(2)
    controller.abort()
    expect(await lookup).toBeInstanceOf(SyncStoppedError)
    expect(await create).toBeInstanceOf(SyncStoppedError)
    // The other mutation on the same stream is still waiting, not failed.
    const race = await Promise.race([
      other,
      new Promise((r) => setTimeout(() => r('waiting'), 300)),
    ])
    expect(race).toBe('waiting')
  })

  it('deadlines: a retryable SYNC_ERR_FILER_CALL for both kinds of call', async () => {
    const { address } = await hungFiler()
    const client = clientFor(address, 400)
    const [lookup, create] = await Promise.all([
      settled(client.lookupEntry('/', 'x')),
      settled(client.createEntry(createRequest('x'))),
    ])
    expect(lookup).toBeInstanceOf(SyncError)
    expect(lookup).toMatchObject({ code: 'SYNC_ERR_FILER_CALL', retryable: true })
    expect(create).toMatchObject({ code: 'SYNC_ERR_FILER_CALL', retryable: true })
    expect((create as Error).message).toContain('no answer in 400 ms')
  })
})
