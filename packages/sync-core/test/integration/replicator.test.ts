import { afterEach, describe, expect, it } from 'vitest'
import {
  checkpointKey,
  decodeCheckpoint,
  encodeCheckpoint,
} from '../../src/checkpoint/checkpoint-key.js'
import { Replicator } from '../../src/replicator.js'
import {
  bytes,
  client,
  converge,
  filer,
  put,
  replicate as replicator,
  runCleanups,
} from '../support/replication-harness.js'
import { snapshotTree } from '../support/tree.js'

afterEach(runCleanups)

describe('Replicator, one way A→B', () => {
  it('mirrors creates, overwrites, renames and deletes, and saves a weed-compatible checkpoint', async () => {
    const a = await filer()
    const b = await filer()
    await put(a, '/data/keep.txt', 'hello')
    await put(a, '/data/dir/big.bin', bytes(2_500_000, 1)) // 3 chunks of 1 MiB
    await put(a, '/data/dir/sub/x.txt', 'x')
    const { r } = replicator({
      sourceAddress: a.address,
      targetAddress: b.address,
      sourcePath: '/data',
      targetPath: '/backup',
    })
    await converge(a, '/data', b, '/backup')

    const ca = client(a)
    await put(a, '/data/keep.txt', 'hello again') // overwrite
    await ca.atomicRenameEntry({
      old_directory: '/data/dir',
      old_name: 'sub',
      new_directory: '/data',
      new_name: 'moved',
    })
    await ca.atomicRenameEntry({
      old_directory: '/data',
      old_name: 'keep.txt',
      new_directory: '/data/moved',
      new_name: 'kept.txt',
    })
    await ca.deleteEntry({
      directory: '/data/dir',
      name: 'big.bin',
      is_delete_data: true,
      is_recursive: true,
    })
    await put(a, '/data/new.txt', 'new')
    const tree = await converge(a, '/data', b, '/backup')
    expect(Object.keys(tree).sort()).toEqual([
      '/dir',
      '/moved',
      '/moved/kept.txt',
      '/moved/x.txt',
      '/new.txt',
    ])

    // The checkpoint lives in B's KV under sync./data=>/backup + BE32(sigA), value BE64 ns
    // (spec §4.1 with the target path of upstream PR #10934).
    await r.stop()
    const raw = await client(b).kvGet(checkpointKey('/data', a.signature, '/backup'))
    expect(raw).toHaveLength(8)
    const saved = decodeCheckpoint(raw)
    expect(saved).toBe(r.status().savedNs)
    expect(saved).toBeGreaterThan(0n)
    expect(raw).toEqual(encodeCheckpoint(saved))
    const key = checkpointKey('/data', a.signature, '/backup')
    expect(key.subarray(0, 19).toString()).toBe('sync./data=>/backup')
    expect(key.readInt32BE(19)).toBe(a.signature)
  })

  it('resumes from the checkpoint after a restart, replaying nothing already applied', async () => {
    const a = await filer()
    const b = await filer()
    await put(a, '/f1.txt', 'one')
    const first = replicator({ sourceAddress: a.address, targetAddress: b.address })
    await converge(a, '/', b, '/')
    await first.r.stop()
    // While stopped: a file is deleted on B by hand; replaying from 0 would bring it back.
    await client(b).deleteEntry({ directory: '/', name: 'f1.txt', is_delete_data: true })
    await put(a, '/f2.txt', 'two')
    const second = replicator({ sourceAddress: a.address, targetAddress: b.address })
    await expect
      .poll(() => snapshotTree(b.address, b.httpAddress, '/'), { timeout: 10_000 })
      .toHaveProperty('/f2.txt')
    const tree = await snapshotTree(b.address, b.httpAddress, '/')
    expect(tree['/f1.txt']).toBeUndefined()
    expect(second.log.some((n) => n.type === 'log' && n.message.includes('from 20'))).toBe(true)
  })

  it('stop() reports a failed shutdown save instead of hiding it', async () => {
    const a = await filer()
    const b = await filer()
    // Saves only on stop: the periodic save is an hour away.
    const r = new Replicator({
      sourceAddress: a.address,
      targetAddress: b.address,
      checkpointIntervalMs: 3_600_000,
    })
    r.start()
    await put(a, '/x.txt', 'x')
    await converge(a, '/', b, '/')
    await expect.poll(() => r.status().appliedNs > 0n).toBe(true)
    await b.close()
    const result = await r.stop({ drainTimeoutMs: 1000 })
    expect(result.error?.code).toBe('SYNC_ERR_CHECKPOINT_WRITE')
    expect(result.savedNs).toBe(0n)
  })

  it('refuses to run between filers with the same signature', async () => {
    const a = await filer()
    const { log } = replicator({ sourceAddress: a.address, targetAddress: a.address })
    await expect
      .poll(() => log.find((n) => n.type === 'state' && n.state === 'failed'), { timeout: 5000 })
      .toBeTruthy()
    expect(log.some((n) => n.type === 'log' && /signatures must differ/.test(n.message))).toBe(true)
  })

  it('holds the watermark on a failing event, lists it, and moves on when it is skipped', async () => {
    const a = await filer()
    const b = await filer()
    // On B a directory sits where A will create a file: CreateEntry answers EXISTING_IS_DIRECTORY.
    await client(b).createEntry({
      directory: '/',
      entry: { name: 'clash', is_directory: true, attributes: { mtime: 1, file_mode: 0x800001ed } },
    })
    const { r } = replicator({ sourceAddress: a.address, targetAddress: b.address })
    await put(a, '/clash', 'file')
    await put(a, '/after.txt', 'later events still flow')
    await expect.poll(() => r.failures().length, { timeout: 10_000 }).toBe(1)
    await expect
      .poll(() => snapshotTree(b.address, b.httpAddress, '/'), { timeout: 10_000 })
      .toHaveProperty('/after.txt')
    const failure = r.failures()[0]!
    expect(failure.path).toBe('/clash')
    expect(failure.error.message).toMatch(/EXISTING_IS_DIRECTORY|is a directory/)
    expect(r.status().appliedNs).toBeLessThan(failure.tsNs)
    // The failed event is the oldest pending one: its age is what the server reports as lag.
    expect(r.status().oldestPendingNs).toBe(failure.tsNs)
    // Loopback, one clock: the offset is only the delivery delay.
    expect(Math.abs(r.status().sourceClockOffsetMs!)).toBeLessThan(5000)
    expect(r.skipFailure(failure.id)).toBe(true)
    await expect.poll(() => r.status().appliedNs >= failure.tsNs, { timeout: 5000 }).toBe(true)
    expect(r.failures()).toEqual([])
    await expect.poll(() => r.status().oldestPendingNs, { timeout: 5000 }).toBe(0n)
  })
})

describe('Replicator, active-active A↔B', () => {
  it('a write on either side reaches the other once and does not come back', async () => {
    const a = await filer()
    const b = await filer()
    const clientId = 424242
    replicator({ sourceAddress: a.address, targetAddress: b.address, clientId })
    replicator({ sourceAddress: b.address, targetAddress: a.address, clientId })
    await put(a, '/from-a.txt', 'a')
    await put(b, '/from-b.txt', 'b')
    await put(a, '/shared/dir/deep.txt', 'deep')
    await converge(a, '/', b, '/')
    const tree = await snapshotTree(a.address, a.httpAddress, '/')
    expect(Object.keys(tree).sort()).toEqual([
      '/from-a.txt',
      '/from-b.txt',
      '/shared',
      '/shared/dir',
      '/shared/dir/deep.txt',
    ])
    // No echo: A's own log holds exactly one event per path written there or replicated into it.
    await new Promise((r) => setTimeout(r, 1000))
    const events: string[] = []
    const c = client(a)
    for await (const resp of c.subscribeMetadata({
      client_name: 't',
      path_prefix: '/',
      since_ns: 0,
      client_id: 99,
      client_epoch: 1,
      client_supports_idle_heartbeat: true,
    })) {
      if (!resp.event_notification) break
      const n = resp.event_notification
      const e = n.new_entry ?? n.old_entry
      events.push(
        `${n.old_entry ? (n.new_entry ? 'update' : 'delete') : 'create'} ${resp.directory === '/' ? '' : resp.directory}/${e?.name ?? ''}`,
      )
    }
    expect(events.filter((e) => e.endsWith('from-a.txt'))).toEqual(['create /from-a.txt'])
    expect(events.filter((e) => e.endsWith('from-b.txt'))).toEqual(['create /from-b.txt'])
  })
})
