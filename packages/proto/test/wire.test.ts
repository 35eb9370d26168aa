import * as grpc from '@grpc/grpc-js'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  channelOptions,
  filerCodec,
  loadFilerProto,
  loaderOptions,
  serverChannelOptions,
  type SeaweedFilerClient,
  type SubscribeMetadataResponseOutput,
} from '../src/index.js'

const TS_NS = '1790000000123456789'

describe('loader options', () => {
  it('are the documented ones and frozen', () => {
    expect(loaderOptions).toMatchObject({
      keepCase: true,
      longs: String,
      defaults: false,
      arrays: true,
      oneofs: true,
    })
    expect(Object.isFrozen(loaderOptions)).toBe(true)
  })

  it('channel options follow SeaweedFS: 1 GiB messages, 60 s / 20 s keepalive, none without calls', () => {
    expect(channelOptions).toEqual({
      'grpc.max_send_message_length': 1073741824,
      'grpc.max_receive_message_length': 1073741824,
      'grpc.keepalive_time_ms': 60000,
      'grpc.keepalive_timeout_ms': 20000,
      'grpc.keepalive_permit_without_calls': 0,
    })
  })
})

describe('codec', () => {
  it('round-trips a ns timestamp above 2^53 exactly', () => {
    const bytes = filerCodec.encode('SubscribeMetadataResponse', { ts_ns: TS_NS, directory: '/a' })
    const back = filerCodec.decode<SubscribeMetadataResponseOutput>(
      'SubscribeMetadataResponse',
      bytes,
    )
    expect(back.ts_ns).toBe(TS_NS)
    expect(Number(TS_NS)).not.toBe(1790000000123456789n) // a JS number could not have carried it
  })

  it('leaves absent sub-messages absent and defaults repeated fields to []', () => {
    const back = filerCodec.decode<SubscribeMetadataResponseOutput>(
      'SubscribeMetadataResponse',
      filerCodec.encode('SubscribeMetadataResponse', {
        ts_ns: '5',
        event_notification: { new_entry: { name: 'x' } },
      }),
    )
    expect(back.event_notification?.old_entry).toBeUndefined()
    expect(back.event_notification?.new_entry?.name).toBe('x')
    expect(back.event_notification?.signatures).toEqual([])
    expect(back.events).toEqual([])
  })
})

describe('over real gRPC on loopback', () => {
  const proto = loadFilerProto()
  const server = new grpc.Server(serverChannelOptions)
  let client: SeaweedFilerClient

  beforeAll(async () => {
    server.addService(proto.filer_pb.SeaweedFiler.service, {
      SubscribeMetadata: (call: grpc.ServerWritableStream<{ since_ns?: string }, unknown>) => {
        // Echo the request's since_ns back as the event ts, then a batch with it inside.
        const ts = call.request.since_ns
        call.write({ ts_ns: ts, events: [{ ts_ns: ts, event_notification: {} }] })
        call.end()
      },
    })
    const port = await new Promise<number>((resolve, reject) =>
      server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, p) =>
        err ? reject(err) : resolve(p),
      ),
    )
    client = new proto.filer_pb.SeaweedFiler(
      `127.0.0.1:${port}`,
      grpc.credentials.createInsecure(),
      channelOptions,
    )
  })
  afterAll(() => {
    client.close()
    server.forceShutdown()
  })

  it('carries 1790000000123456789 ns both ways without losing a digit', async () => {
    const got: SubscribeMetadataResponseOutput[] = []
    const call = client.SubscribeMetadata({ since_ns: TS_NS, client_name: 't' })
    for await (const msg of call) got.push(msg as SubscribeMetadataResponseOutput)
    expect(got).toHaveLength(1)
    expect(got[0]!.ts_ns).toBe(TS_NS)
    expect(got[0]!.events[0]!.ts_ns).toBe(TS_NS)
    // A progress marker: the notification is present, both entries absent (defaults: false).
    const marker = got[0]!.events[0]!.event_notification
    expect(marker).toBeDefined()
    expect(marker?.old_entry).toBeUndefined()
    expect(marker?.new_entry).toBeUndefined()
  })
})
