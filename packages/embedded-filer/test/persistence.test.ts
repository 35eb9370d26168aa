import type {
  GetFilerConfigurationResponseOutput,
  KvGetResponseOutput,
  LookupDirectoryEntryResponseOutput,
} from '@seasync/proto'
import { expect } from 'vitest'
import { changes, describeEvent, file } from './support/filer-client.js'
import { test } from './support/fixtures.js'

test('a restart keeps entries, KV, the metadata log and the signature', async ({
  startFiler,
  tmpDir,
}) => {
  const first = await startFiler({ dir: tmpDir })
  await first.client.call('CreateEntry', { directory: '/p', entry: file('a') })
  await first.client.call('KvPut', { key: Buffer.from('k'), value: Buffer.from('v') })
  const res = await fetch(`http://${first.filer.httpAddress}/p/b.txt`, {
    method: 'POST',
    body: 'hello',
  })
  expect(res.status).toBe(201)
  const sig = first.filer.signature
  first.client.close()
  await first.filer.close()

  const second = await startFiler({ dir: tmpDir, subscribe: { heartbeatIntervalMs: 200 } })
  expect(second.filer.signature).toBe(sig)
  const conf = await second.client.call<GetFilerConfigurationResponseOutput>(
    'GetFilerConfiguration',
    {},
  )
  expect(conf.signature).toBe(sig)
  const entry = await second.client.call<LookupDirectoryEntryResponseOutput>(
    'LookupDirectoryEntry',
    { directory: '/p', name: 'a' },
  )
  expect(entry.entry?.name).toBe('a')
  expect(
    (
      await second.client.call<KvGetResponseOutput>('KvGet', { key: Buffer.from('k') })
    ).value?.toString(),
  ).toBe('v')
  expect(await (await fetch(`http://${second.filer.httpAddress}/p/b.txt`)).text()).toBe('hello')
  const s = second.client.subscribe({
    client_name: 't',
    path_prefix: '/',
    client_id: 7,
    client_epoch: 1,
    client_supports_idle_heartbeat: true,
  })
  const events = changes(await s.until((m) => m.some((r) => !r.event_notification)))
  expect(events.map(describeEvent)).toEqual(['create /p', 'create /p/a', 'create /p/b.txt'])
  // New events get timestamps after every persisted one.
  await second.client.call('CreateEntry', { directory: '/p', entry: file('c') })
  const live = changes(await s.until((m) => changes(m).length > 0))
  expect(BigInt(live[0]!.ts_ns!)).toBeGreaterThan(BigInt(events.at(-1)!.ts_ns!))
  s.cancel()
})
