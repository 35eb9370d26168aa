import type { SubscribeMetadataResponseOutput } from '@seasync/proto'
import { describe, expect } from 'vitest'
import { changes, describeEvent, file, type TestFilerClient } from './support/filer-client.js'
import { test } from './support/fixtures.js'

const SIG_X = 111
let nextId = 1000
const clientId = (): number => nextId++

function sub(client: TestFilerClient, req: Record<string, unknown> = {}) {
  return client.subscribe({
    client_name: 'test',
    path_prefix: '/',
    since_ns: 0,
    client_id: clientId(),
    client_epoch: 1,
    client_supports_idle_heartbeat: true,
    ...req,
  })
}

/** Read until the first heartbeat (caught up), returning the change events before it. */
async function untilCaughtUp(
  s: ReturnType<typeof sub>,
): Promise<SubscribeMetadataResponseOutput[]> {
  const all = await s.until((msgs) => msgs.some((m) => !m.event_notification), 10_000)
  return changes(all)
}

describe('SubscribeMetadata: resume, live, filters', () => {
  test('resumes strictly after since_ns, then follows live', async ({ client }) => {
    for (const name of ['a', 'b', 'c'])
      await client.call('CreateEntry', { directory: '/r', entry: file(name) })
    const all = await untilCaughtUp(sub(client))
    const b = all.find((e) => describeEvent(e) === 'create /r/b')!
    const s = sub(client, { since_ns: b.ts_ns })
    expect((await untilCaughtUp(s)).map(describeEvent)).toEqual(['create /r/c'])
    await client.call('CreateEntry', { directory: '/r', entry: file('d') })
    const live = await s.until((msgs) => changes(msgs).length > 0)
    expect(changes(live).map(describeEvent)).toEqual(['create /r/d'])
    s.cancel()
  })

  test('path_prefix is a raw prefix on the old side and on the new side', async ({ client }) => {
    await client.call('CreateEntry', { directory: '/data/x', entry: file('in') })
    await client.call('CreateEntry', { directory: '/database', entry: file('sibling') })
    await client.call('CreateEntry', { directory: '/outside', entry: file('moved-in') })
    await client.call('AtomicRenameEntry', {
      old_directory: '/outside',
      old_name: 'moved-in',
      new_directory: '/data',
      new_name: 'moved-in',
    })
    await client.call('AtomicRenameEntry', {
      old_directory: '/data/x',
      old_name: 'in',
      new_directory: '/elsewhere',
      new_name: 'in',
    })
    const got = (await untilCaughtUp(sub(client, { path_prefix: '/data/' }))).map(describeEvent)
    expect(got).toEqual([
      'create /data/x',
      'create /data/x/in',
      'rename /outside/moved-in -> /data/moved-in',
      'rename /data/x/in -> /elsewhere/in',
    ])
  })

  test('events carrying the request signature are not sent; the filer signature is always there', async ({
    client,
    filer,
  }) => {
    await client.call('CreateEntry', { directory: '/s', entry: file('mine'), signatures: [SIG_X] })
    await client.call('CreateEntry', { directory: '/s', entry: file('theirs') })
    const got = await untilCaughtUp(sub(client, { signature: SIG_X }))
    expect(got.map(describeEvent)).toEqual(['create /s', 'create /s/theirs'])
    for (const e of got) expect(e.event_notification!.signatures).toContain(filer.signature)
  })

  test('/topics/.system/log is never delivered', async ({ client }) => {
    await client.call('CreateEntry', {
      directory: '/topics/.system/log/2026-11-24',
      entry: file('20-00.0000abcd'),
    })
    await client.call('CreateEntry', { directory: '/topics', entry: file('visible') })
    const got = (await untilCaughtUp(sub(client))).map(describeEvent)
    expect(got).toContain('create /topics/visible')
    expect(got.filter((e) => e.includes('.system/log'))).toEqual([])
  })

  test('a progress marker follows more than 1000 filtered events', async ({ client }) => {
    for (let i = 0; i < 1005; i++)
      await client.call('CreateEntry', {
        directory: '/noise',
        entry: file(`f${i}`),
        signatures: [SIG_X],
      })
    await client.call('CreateEntry', { directory: '/wanted', entry: file('w') })
    const s = sub(client, { path_prefix: '/wanted/' })
    const msgs = await s.until((m) => changes(m).length > 0, 10_000)
    const markers = msgs.filter(
      (m) =>
        m.event_notification && !m.event_notification.old_entry && !m.event_notification.new_entry,
    )
    expect(markers).toHaveLength(1)
    expect(markers[0]!.directory ?? '').toBe('')
    expect(BigInt(markers[0]!.ts_ns!)).toBeGreaterThan(0n)
    s.cancel()
  })
})

describe('SubscribeMetadata: batching, heartbeats, until_ns', () => {
  test('old events are batched up to 256 per response when the client supports it', async ({
    startFiler,
  }) => {
    const { client } = await startFiler({ subscribe: { batchAgeMs: 0, heartbeatIntervalMs: 200 } })
    for (let i = 0; i < 300; i++)
      await client.call('CreateEntry', {
        directory: '/b',
        entry: file(`f${String(i).padStart(3, '0')}`),
      })
    const batched = sub(client, { client_supports_batching: true })
    const responses = await batched.until((m) => m.some((r) => !r.event_notification), 10_000)
    const withEvents = responses.filter((r) => r.event_notification)
    expect(withEvents[0]!.events.length).toBe(255)
    expect(changes(responses)).toHaveLength(301)
    const plain = sub(client, { client_supports_batching: false })
    const single = await plain.until((m) => m.some((r) => !r.event_notification), 10_000)
    expect(single.every((r) => r.events.length === 0)).toBe(true)
  })

  test('idle heartbeats carry only ts_ns, and only for clients that ask', async ({ client }) => {
    const s = sub(client)
    const hb = await s.next(2000)
    expect(hb.event_notification).toBeUndefined()
    expect(BigInt(hb.ts_ns!)).toBeGreaterThan(1_700_000_000_000_000_000n)
    const quiet = sub(client, { client_supports_idle_heartbeat: false })
    await expect(quiet.next(800)).rejects.toThrow(/no message/)
  })

  test('until_ns ends the stream cleanly', async ({ client }) => {
    await client.call('CreateEntry', { directory: '/u', entry: file('a') })
    const first = await untilCaughtUp(sub(client))
    await client.call('CreateEntry', { directory: '/u', entry: file('b') })
    const s = sub(client, { until_ns: first.at(-1)!.ts_ns, client_supports_idle_heartbeat: false })
    expect(await s.ended).toBe('end')
  })
})

describe('SubscribeMetadata: client id and epoch', () => {
  test('client_id 0 ends the stream once caught up', async ({ client }) => {
    await client.call('CreateEntry', { directory: '/z', entry: file('a') })
    const s = sub(client, { client_id: 0, client_supports_idle_heartbeat: false })
    expect(await s.ended).toBe('end')
  })

  test('same or lower epoch is refused; a higher epoch replaces the older stream', async ({
    client,
  }) => {
    const id = clientId()
    const first = sub(client, { client_id: id, client_epoch: 2 })
    await first.next(2000) // registered (heartbeat)
    const same = sub(client, { client_id: id, client_epoch: 2 })
    const err = await same.ended
    expect(err).not.toBe('end')
    expect((err as { details: string }).details).toBe(
      `duplicated subscription detected for client test id ${id}`,
    )
    const lower = sub(client, { client_id: id, client_epoch: 1 })
    expect(await lower.ended).not.toBe('end')
    const newer = sub(client, { client_id: id, client_epoch: 3 })
    await newer.next(2000)
    expect(await first.ended).toBe('end')
    newer.cancel()
  })

  test('SubscribeLocalMetadata uses its own duplicate message', async ({ client }) => {
    const id = clientId()
    const a = client.subscribe(
      {
        client_name: 'loc',
        path_prefix: '/',
        client_id: id,
        client_epoch: 1,
        client_supports_idle_heartbeat: true,
      },
      true,
    )
    await a.next(2000)
    const b = client.subscribe(
      { client_name: 'loc', path_prefix: '/', client_id: id, client_epoch: 1 },
      true,
    )
    const err = await b.ended
    expect((err as { details: string }).details).toBe(
      `duplicated local subscription detected for client loc clientId:${id}`,
    )
    a.cancel()
  })
})

describe('SubscribeMetadata: back-pressure', () => {
  test('a slow reader still gets every event in order', async ({ client }) => {
    const big = 'x'.repeat(4000)
    for (let i = 0; i < 400; i++) {
      await client.call('CreateEntry', {
        directory: '/bp',
        entry: file(`f${String(i).padStart(3, '0')}`, { extended: { pad: Buffer.from(big) } }),
      })
    }
    const s = sub(client)
    const got: string[] = []
    while (got.length < 401) {
      const m = await s.next(5000)
      for (const e of changes([m])) got.push(describeEvent(e))
      if (got.length % 50 === 0) await new Promise((r) => setTimeout(r, 20))
    }
    expect(got[0]).toBe('create /bp')
    expect(got.slice(1)).toEqual(
      Array.from({ length: 400 }, (_, i) => `create /bp/f${String(i).padStart(3, '0')}`),
    )
    s.cancel()
  })
})
