/**
 * Field notes §3 (`shared/spec/filer-sync-field-notes.md`): the edge cases SeaweedFS fixed, one
 * named test per item against real embedded filers and the real Replicator. This file: ordering
 * and concurrency (#1–#9), checkpoints and restarts (#10–#17), what the subscription delivers
 * (#47–#55) and gRPC connections (#59). Chunk copying (#18–#31) and filer proxies (#57) are in
 * `field-notes-chunks.test.ts`; renames, deletes, path scoping (#32–#46) and the verify tool
 * (#60–#63) in `field-notes-paths.test.ts`. Shared helpers: `test/support/field-notes-harness.ts`.
 *
 * Items WITHOUT a test here, because an existing test proves them (names checked):
 *
 * | item | existing test (file › name) |
 * |------|-----------------------------|
 * | #15 | integration/replicator-scenarios.test.ts › "catches up after the target was down, and keeps its failures until then" |
 * | #49 | embedded-filer/test/grpc-subscribe.test.ts › "a slow reader still gets every event in order" |
 *
 * Lower-level tests the integration tests here complement:
 *
 * | item | existing test (file › name) |
 * |------|-----------------------------|
 * | #1 | unit/path-conflicts.test.ts › "conflicts (filer-sync-protocol.md §4.4 rules 1–5)"; unit/path-scheduler.test.ts › "holds a conflicting job until the blocking one is released" |
 * | #4 | unit/watermark.test.ts › "TestWatermarkWithHeap: advances only when the oldest job finishes" |
 * | #5 | integration/replicator.test.ts › "holds the watermark on a failing event, lists it, and moves on when it is skipped" (in memory; the test here checks the SAVED value) |
 * | #6, #7, #8 | unit/metadata-event.test.ts › "batch: envelope first, then each of events, …", "an empty notification is a progress marker, …", "a response without event_notification is an idle heartbeat …" |
 * | #12 | apps/server/test/cli/filer-sync-command.test.ts › "maps every flag: source-side flags from X, target-side flags from Y" (the CLI wiring that was swapped upstream) |
 * | #14 | apps/server/test/cli/filer-sync-command.test.ts › "replicates both ways, then saves both checkpoints on SIGTERM, exit 0" |
 * | #55 | unit/subscribe-request.test.ts › "newClientId"; embedded-filer/test/grpc-subscribe.test.ts › "same or lower epoch is refused; a higher epoch replaces the older stream" |
 *
 * Not applicable to a replicator, no test:
 * - #47 persisted log files on deleted volumes, #48 per-day log files, #50 multi-filer peer
 *   watermarks, #51 peer log read errors, #52 log-file-reference mode (we send
 *   `client_supports_metadata_chunks: false`), #53 oversized events wedging the log flush: source
 *   filer internals (the embedded filer keeps its log in SQLite and is a single filer).
 * - #56 per-direction TLS: integration/tls.test.ts (each side's own material, gRPC and HTTPS).
 * - #58 same-data-center volume preference: one volume server per embedded cluster, no DC.
 * - #64 nil executor through the other sink constructor: a Go construction bug, no equivalent.
 * - #65 data races: single-threaded JS; the "offset shared by the two directions" half is
 *   integration/replicator.test.ts › "a write on either side reaches the other once and does not
 *   come back" (A↔B sharing one client id, each direction with its own checkpoint).
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startEmbeddedFiler, type EmbeddedFiler } from '@seasync/embedded-filer'
import { afterEach, describe, expect, it } from 'vitest'
import {
  checkpointKey,
  decodeCheckpoint,
  encodeCheckpoint,
} from '../../src/checkpoint/checkpoint-key.js'
import { SyncError } from '../../src/errors.js'
import {
  appliedThrough,
  bytes,
  client,
  converge,
  eventTs,
  filer,
  httpProxy,
  loggedEvents,
  lookup,
  onCleanup,
  proxiedFid,
  put,
  replicate,
  runCleanups,
  savedCheckpoint,
  sleep,
  tree,
  viaHttp,
} from '../support/replication-harness.js'

afterEach(runCleanups)

const DIR_MODE = (2 ** 31 + 0o755) >>> 0
const nowS = (): number => Math.floor(Date.now() / 1000)

/** A gate a proxy handler can wait on; `open()` lets everything through. */
function gate(): { wait: Promise<void>; open: () => void } {
  let open!: () => void
  const wait = new Promise<void>((resolve) => (open = resolve))
  return { wait, open }
}

/** Source reads of the chunks of `paths` on `a` wait for the gate (sourceFilerProxy mode). */
async function stallChunksOf(a: EmbeddedFiler, ...paths: string[]) {
  const fids = new Set<string>()
  for (const path of paths) for (const c of (await lookup(a, path))!.chunks) fids.add(c.file_id!)
  const g = gate()
  const proxy = await httpProxy(a.httpAddress, async (req) => {
    if (fids.has(proxiedFid(req) ?? '')) await g.wait
    return false
  })
  onCleanup(g.open) // before the replicator's stop, which would wait for the stalled copy
  return { sourceAddress: viaHttp(a, proxy.httpAddress), open: g.open }
}

describe('field notes §3: event classification, ordering, concurrency', () => {
  it('#1 a directory delete waits for the copy in flight below it; the recreate waits for the delete', async () => {
    const a = await filer()
    const b = await filer()
    await put(a, '/d/big.bin', bytes(2_600_000, 1)) // 3 chunks: the slowest job
    await client(a).deleteEntry({
      directory: '/',
      name: 'd',
      is_delete_data: true,
      is_recursive: true,
    })
    await put(a, '/d/g.txt', 'after the delete')
    // Started afterwards: the whole burst arrives at once, with 32 jobs allowed in parallel.
    const { r } = replicate({ sourceAddress: a.address, targetAddress: b.address })
    await appliedThrough(r, await eventTs(a, '/d/g.txt'))
    expect(Object.keys(await tree(b)).sort()).toEqual(['/d', '/d/g.txt'])
  })

  it('#2 an attribute-only directory update replicates, and a later rename of that directory waits for it', async () => {
    const a = await filer()
    const b = await filer()
    await put(a, '/p/f.txt', 'f')
    const ca = client(a)
    const p = (await ca.lookupEntry('/', 'p'))!
    const mode = (2 ** 31 + 0o700) >>> 0
    await ca.updateEntry({
      directory: '/',
      entry: { ...p, attributes: { ...p.attributes, file_mode: mode, mtime: nowS() + 1 } },
    })
    await ca.atomicRenameEntry({
      old_directory: '/',
      old_name: 'p',
      new_directory: '/',
      new_name: 'q',
    })
    const { r } = replicate({ sourceAddress: a.address, targetAddress: b.address })
    await appliedThrough(r, await eventTs(a, '/q/f.txt'))
    // Run after the rename, the update would find /p missing and recreate it (§12.5 fallback).
    expect(Object.keys(await tree(b)).sort()).toEqual(['/q', '/q/f.txt'])
    expect((await lookup(b, '/q'))?.attributes?.file_mode).toBe(mode)
  })

  it('#3 create and delete of one directory never overlap: five alternations end as on the source', async () => {
    const a = await filer()
    const b = await filer()
    const ca = client(a)
    const dir = {
      name: 'x',
      is_directory: true,
      attributes: { mtime: nowS(), file_mode: DIR_MODE },
    }
    for (let i = 0; i < 5; i++) {
      await ca.createEntry({ directory: '/', entry: dir })
      await ca.deleteEntry({ directory: '/', name: 'x', is_recursive: true })
    }
    await ca.createEntry({ directory: '/', entry: dir })
    const { r } = replicate({ sourceAddress: a.address, targetAddress: b.address })
    await appliedThrough(r, await eventTs(a, '/x'))
    expect(await tree(b)).toEqual({ '/x': 'dir' })
  })

  it('#4 the watermark stops below the oldest unfinished event while later events complete', async () => {
    const a = await filer()
    const b = await filer()
    await put(a, '/first.txt', '1')
    await put(a, '/slow.bin', bytes(300_000, 2))
    await put(a, '/later.txt', '3')
    const [t1, t2, t3] = [
      await eventTs(a, '/first.txt'),
      await eventTs(a, '/slow.bin'),
      await eventTs(a, '/later.txt'),
    ]
    const stall = await stallChunksOf(a, '/slow.bin')
    const { r } = replicate({
      sourceAddress: stall.sourceAddress,
      targetAddress: b.address,
      sourceFilerProxy: true,
    })
    await expect.poll(() => tree(b), { timeout: 10_000 }).toHaveProperty('/later.txt')
    await expect.poll(() => savedCheckpoint(b, '/', a.signature)).toBe(t1)
    await sleep(600) // three checkpoint periods
    expect(r.status().appliedNs).toBe(t1)
    expect(await savedCheckpoint(b, '/', a.signature)).toBe(t1)
    expect(t1 < t2 && t2 < t3).toBe(true)
    stall.open()
    await appliedThrough(r, t3)
    await expect.poll(() => savedCheckpoint(b, '/', a.signature)).toBe(t3)
  })

  it('#5 the saved checkpoint never passes a failed event, while later events still run', async () => {
    const a = await filer()
    const b = await filer()
    // A directory on B where A has a file: CreateEntry is refused on every attempt.
    await client(b).createEntry({
      directory: '/',
      entry: { name: 'clash', is_directory: true, attributes: { mtime: 1, file_mode: DIR_MODE } },
    })
    await put(a, '/ok.txt', 'ok')
    await put(a, '/clash', 'file')
    await put(a, '/after.txt', 'after')
    const { r } = replicate({ sourceAddress: a.address, targetAddress: b.address })
    await expect.poll(() => tree(b), { timeout: 10_000 }).toHaveProperty('/after.txt')
    await expect.poll(() => r.failures().length).toBe(1)
    const tOk = await eventTs(a, '/ok.txt')
    await expect.poll(() => savedCheckpoint(b, '/', a.signature)).toBe(tOk)
    await sleep(600)
    expect(await savedCheckpoint(b, '/', a.signature)).toBe(tOk)
    expect(tOk).toBeLessThan(r.failures()[0]!.tsNs)
  })

  // Field notes #5, "later jobs may still run": a failed event gives its concurrency slot back
  // while it waits for its retry but keeps its path; the next event on that path is parked behind
  // it (path-scheduler.ts) instead of blocking the FIFO, so other paths go on.
  it('#5 a failed event holds only its own path: a later event there does not stall other paths', async () => {
    const a = await filer()
    const b = await filer()
    await client(b).createEntry({
      directory: '/',
      entry: { name: 'clash', is_directory: true, attributes: { mtime: 1, file_mode: DIR_MODE } },
    })
    await put(a, '/clash', 'v1')
    await put(a, '/clash', 'v2')
    await put(a, '/other.txt', 'unrelated')
    const { r } = replicate({ sourceAddress: a.address, targetAddress: b.address })
    await expect.poll(() => r.failures().length).toBe(1)
    await expect.poll(() => tree(b), { timeout: 3000 }).toHaveProperty('/other.txt')
  })

  it('#6 batched responses: every event of a batch is applied, not only the envelope', async () => {
    // batchAgeMs 0: every replayed event counts as old, so the filer batches them (§5.5).
    const a = await filer({ subscribe: { batchAgeMs: 0 } })
    const b = await filer()
    for (let i = 0; i < 30; i++) await put(a, `/batch/f${i}.txt`, `file ${i}`)
    expect((await loggedEvents(a)).some((e) => e.response.events.length > 0)).toBe(true)
    replicate({ sourceAddress: a.address, targetAddress: b.address })
    const t = await converge(a, '/', b, '/')
    expect(Object.keys(t)).toHaveLength(31)
  })

  it('#7 progress markers move the source head only: no event, no entry, no checkpoint', async () => {
    // No idle heartbeat for a minute, a marker after every 3 filtered events.
    const a = await filer({ subscribe: { heartbeatIntervalMs: 60_000, markerEvery: 3 } })
    const b = await filer()
    const { r } = replicate({
      sourceAddress: a.address,
      targetAddress: b.address,
      sourcePath: '/in',
      targetPath: '/in',
    })
    await expect.poll(() => r.status().state).toBe('streaming')
    for (let i = 0; i < 12; i++) await put(a, `/out/f${i}.txt`, 'filtered out')
    const tOut = await eventTs(a, '/out/f2.txt')
    await expect.poll(() => r.status().sourceHeadNs >= tOut, { timeout: 5000 }).toBe(true)
    expect(r.status()).toMatchObject({ eventsApplied: 0, backlog: 0, appliedNs: 0n })
    expect(await tree(b)).toEqual({})
    expect(await savedCheckpoint(b, '/in', a.signature, '/in')).toBeUndefined()
    await put(a, '/in/f.txt', 'in')
    await expect.poll(() => tree(b), { timeout: 5000 }).toHaveProperty('/in/f.txt')
    expect(r.status().eventsApplied).toBe(1)
  })

  it('#8 idle heartbeats advance the source head but never the saved checkpoint', async () => {
    const a = await filer()
    const b = await filer()
    const { r } = replicate({ sourceAddress: a.address, targetAddress: b.address })
    await put(a, '/one.txt', '1')
    const t = await eventTs(a, '/one.txt')
    await expect.poll(() => savedCheckpoint(b, '/', a.signature)).toBe(t)
    const head = r.status().sourceHeadNs
    await sleep(800) // four heartbeat periods
    expect(r.status().sourceHeadNs).toBeGreaterThan(head)
    expect(r.status().sourceHeadNs).toBeGreaterThan(t)
    expect(r.status().savedNs).toBe(t)
    expect(await savedCheckpoint(b, '/', a.signature)).toBe(t)
  })

  it('#9 files in flight and chunks in flight are capped separately (concurrency 1, chunkConcurrency 2)', async () => {
    const a = await filer({ maxMB: 0.25 })
    const b = await filer()
    const fileOf = new Map<string, string>()
    for (const name of ['a', 'b', 'c']) {
      await put(a, `/cap/${name}.bin`, bytes(700_000, name.charCodeAt(0))) // 3 chunks each
      for (const c of (await lookup(a, `/cap/${name}.bin`))!.chunks) fileOf.set(c.file_id!, name)
    }
    const active = new Map<string, string>()
    let maxChunks = 0
    let maxFiles = 0
    const proxy = await httpProxy(a.httpAddress, async (req, res) => {
      const fid = proxiedFid(req) ?? ''
      const file = fileOf.get(fid)
      if (!file) return false
      active.set(fid, file)
      res.on('close', () => active.delete(fid))
      maxChunks = Math.max(maxChunks, active.size)
      maxFiles = Math.max(maxFiles, new Set(active.values()).size)
      await sleep(60)
      return false
    })
    replicate({
      sourceAddress: viaHttp(a, proxy.httpAddress),
      targetAddress: b.address,
      sourceFilerProxy: true,
      concurrency: 1,
      chunkConcurrency: 2,
    })
    await converge(a, '/', b, '/')
    expect({ maxChunks, maxFiles }).toEqual({ maxChunks: 2, maxFiles: 1 })
  })
})

describe('field notes §3: checkpoints and restarts', () => {
  it('#10 two source paths on one target keep independent checkpoints and resume independently', async () => {
    const a = await filer()
    const b = await filer()
    const xOptions = {
      sourceAddress: a.address,
      targetAddress: b.address,
      sourcePath: '/x',
      targetPath: '/bx',
    }
    const x = replicate(xOptions)
    replicate({
      sourceAddress: a.address,
      targetAddress: b.address,
      sourcePath: '/y',
      targetPath: '/by',
    })
    await put(a, '/x/1.txt', 'x1')
    await put(a, '/y/1.txt', 'y1')
    const tx = await eventTs(a, '/x/1.txt')
    await expect.poll(() => savedCheckpoint(b, '/x', a.signature, '/bx')).toBe(tx)
    await expect
      .poll(() => savedCheckpoint(b, '/y', a.signature, '/by'))
      .toBe(await eventTs(a, '/y/1.txt'))
    await x.r.stop()
    await put(a, '/x/2.txt', 'x2')
    await put(a, '/y/2.txt', 'y2')
    const ty2 = await eventTs(a, '/y/2.txt')
    await expect.poll(() => savedCheckpoint(b, '/y', a.signature, '/by')).toBe(ty2)
    expect(await savedCheckpoint(b, '/x', a.signature, '/bx')).toBe(tx)
    replicate(xOptions)
    await expect.poll(() => tree(b, '/bx'), { timeout: 10_000 }).toHaveProperty('/2.txt')
  })

  it('#11 fromTsMs is written under the direction’s own key before subscribing; 0 writes nothing', async () => {
    const a = await filer()
    const b = await filer()
    const c = await filer()
    await put(a, '/src/old.txt', 'before fromTsMs')
    const fromTsMs = Number((await eventTs(a, '/src/old.txt')) / 1_000_000n) + 1
    await sleep(5)
    replicate({ sourceAddress: a.address, targetAddress: b.address, sourcePath: '/src', fromTsMs })
    await expect
      .poll(() => savedCheckpoint(b, '/src', a.signature))
      .toBe(BigInt(fromTsMs) * 1_000_000n)
    await put(a, '/src/new.txt', 'after fromTsMs')
    await expect.poll(() => tree(b, '/'), { timeout: 10_000 }).toHaveProperty('/new.txt')
    expect(await tree(b, '/')).not.toHaveProperty('/old.txt')
    // fromTsMs 0 (the default) never writes a 0 checkpoint, even while streaming.
    const z = replicate({ sourceAddress: a.address, targetAddress: c.address, sourcePath: '/none' })
    await expect.poll(() => z.r.status().state).toBe('streaming')
    await sleep(600)
    expect(await savedCheckpoint(c, '/none', a.signature)).toBeUndefined()
  })

  it('#12 each direction of A↔B seeds its own fromTsMs, in its own target’s KV', async () => {
    const a = await filer()
    const b = await filer()
    const [fromA, fromB] = [Date.now() - 60_000, Date.now() - 120_000]
    replicate({ sourceAddress: a.address, targetAddress: b.address, fromTsMs: fromA })
    replicate({ sourceAddress: b.address, targetAddress: a.address, fromTsMs: fromB })
    await expect.poll(() => savedCheckpoint(b, '/', a.signature)).toBe(BigInt(fromA) * 1_000_000n)
    await expect.poll(() => savedCheckpoint(a, '/', b.signature)).toBe(BigInt(fromB) * 1_000_000n)
  })

  it('#13 nothing is saved before the first event finished', async () => {
    const a = await filer()
    const b = await filer()
    await put(a, '/only.bin', bytes(200_000, 3))
    const stall = await stallChunksOf(a, '/only.bin')
    const { r } = replicate({
      sourceAddress: stall.sourceAddress,
      targetAddress: b.address,
      sourceFilerProxy: true,
    })
    await expect.poll(() => r.status().backlog).toBe(1)
    await sleep(700)
    expect(r.status().savedNs).toBe(0n)
    expect(await savedCheckpoint(b, '/', a.signature)).toBeUndefined()
    stall.open()
    await expect
      .poll(() => savedCheckpoint(b, '/', a.signature))
      .toBe(await eventTs(a, '/only.bin'))
  })

  it('#14 stop() saves the checkpoint even when the save timer never fired', async () => {
    const a = await filer()
    const b = await filer()
    const { r } = replicate({
      sourceAddress: a.address,
      targetAddress: b.address,
      checkpointIntervalMs: 600_000,
    })
    await put(a, '/x.txt', 'x')
    const t = await eventTs(a, '/x.txt')
    await appliedThrough(r, t)
    expect(await savedCheckpoint(b, '/', a.signature)).toBeUndefined()
    expect((await r.stop()).savedNs).toBe(t)
    expect(await savedCheckpoint(b, '/', a.signature)).toBe(t)
  })

  it('#16 target chunk uploads failing: the event is retried until the target accepts them', async () => {
    const a = await filer()
    const b = await filer()
    let down = true
    const proxy = await httpProxy(b.httpAddress, (req, res) => {
      if (!down || req.method !== 'POST') return false
      res.writeHead(503).end()
      return true
    })
    const { r } = replicate({
      sourceAddress: a.address,
      targetAddress: viaHttp(b, proxy.httpAddress),
      targetFilerProxy: true,
    })
    await put(a, '/up.bin', bytes(1_500_000, 5))
    await expect.poll(() => r.failures()[0]?.attempts ?? 0, { timeout: 10_000 }).toBeGreaterThan(1)
    const failure = r.failures()[0]!
    expect(failure.error).toMatchObject({ code: 'SYNC_ERR_CHUNK_WRITE', retryable: true })
    expect(await tree(b)).toEqual({})
    down = false
    r.retryFailure(failure.id)
    await converge(a, '/', b, '/')
    expect(r.failures()).toEqual([])
  })

  // Field notes #17 (PR #10934, post-4.44): the target path joins the checkpoint key, so two
  // directions from the same source path into ONE target filer (A:/ → B:/one and A:/ → B:/two)
  // keep separate checkpoints: a direction restarted after a stop resumes from its OWN watermark.
  it('#17 two syncs from one source path into one target (different target paths) keep separate checkpoints', async () => {
    const a = await filer()
    const b = await filer()
    const oneOptions = { sourceAddress: a.address, targetAddress: b.address, targetPath: '/one' }
    const one = replicate(oneOptions)
    const two = replicate({
      sourceAddress: a.address,
      targetAddress: b.address,
      targetPath: '/two',
    })
    await put(a, '/f1.txt', '1')
    await expect.poll(() => tree(b, '/one'), { timeout: 10_000 }).toHaveProperty('/f1.txt')
    await expect.poll(() => tree(b, '/two'), { timeout: 10_000 }).toHaveProperty('/f1.txt')
    await one.r.stop()
    await put(a, '/f2.txt', '2')
    const t2 = await eventTs(a, '/f2.txt')
    await expect.poll(() => two.r.status().savedNs >= t2, { timeout: 10_000 }).toBe(true)
    replicate(oneOptions)
    await expect.poll(() => tree(b, '/one'), { timeout: 3000 }).toHaveProperty('/f2.txt')
  })

  it('#17 an upgraded sync resumes from the 4.44 key, then saves only under its own key', async () => {
    const a = await filer()
    const b = await filer()
    await put(a, '/old.txt', 'replicated before the upgrade')
    const tOld = await eventTs(a, '/old.txt')
    // What a 4.44 filer.sync left behind: the checkpoint under the key without the target path.
    const legacy = checkpointKey('/', a.signature)
    await client(b).kvPut(legacy, encodeCheckpoint(tOld))
    await put(a, '/new.txt', 'after')
    const tNew = await eventTs(a, '/new.txt')

    replicate({ sourceAddress: a.address, targetAddress: b.address, targetPath: '/mirror' })
    await expect.poll(() => tree(b, '/mirror'), { timeout: 10_000 }).toHaveProperty('/new.txt')
    expect(await tree(b, '/mirror')).not.toHaveProperty('/old.txt') // not replayed
    await expect.poll(() => savedCheckpoint(b, '/', a.signature, '/mirror')).toBe(tNew)
    expect(decodeCheckpoint(await client(b).kvGet(legacy))).toBe(tOld) // left as it was
  })
})

describe('field notes §3: what the subscription delivers (source side)', () => {
  it('#54 the subscription prefix ends in "/": /a/b never receives /a/bb', async () => {
    const a = await filer()
    const b = await filer()
    const { r } = replicate({
      sourceAddress: a.address,
      targetAddress: b.address,
      sourcePath: '/a/b',
      targetPath: '/a/b',
    })
    for (let i = 0; i < 3; i++) await put(a, `/a/bb/x${i}.txt`, 'sibling prefix')
    await put(a, '/a/b/y.txt', 'in scope')
    await expect.poll(() => tree(b), { timeout: 10_000 }).toHaveProperty('/a/b/y.txt')
    // Only /a/b/y.txt was ever delivered (client-side skips would be counted as applied too).
    expect(r.status().eventsApplied).toBe(1)
    expect(Object.keys(await tree(b)).sort()).toEqual(['/a', '/a/b', '/a/b/y.txt'])
  })

  it('#55 after the source filer restarts, the replicator resubscribes with a higher epoch and continues', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'seasync-field-notes-'))
    onCleanup(() => rmSync(dir, { recursive: true, force: true }))
    const options = { dir, maxMB: 1, subscribe: { heartbeatIntervalMs: 200 } }
    let a: EmbeddedFiler = await startEmbeddedFiler(options)
    onCleanup(() => a.close())
    const ports = {
      port: Number(a.httpAddress.split(':')[1]),
      grpcPort: Number(a.grpcAddress.split(':')[1]),
      volumePort: Number(a.volumeUrl.split(':')[1]),
    }
    const b = await filer()
    const clientId = 1_000_000 + Math.floor(Math.random() * 1_000_000)
    const { r } = replicate({ sourceAddress: a.address, targetAddress: b.address, clientId })
    await put(a, '/before.txt', '1')
    await expect.poll(() => tree(b), { timeout: 10_000 }).toHaveProperty('/before.txt')
    await a.close()
    a = await startEmbeddedFiler({ ...options, ...ports })
    await put(a, '/after.txt', '2')
    await expect.poll(() => tree(b), { timeout: 15_000 }).toHaveProperty('/after.txt')
    expect(r.status().state).toBe('streaming')
    // The restarted filer knows the replicator's new subscription: epoch 2 is not higher than it.
    const probe = await (async () => {
      try {
        for await (const _ of client(a).subscribeMetadata({
          client_name: 'probe',
          path_prefix: '/',
          client_id: clientId,
          client_epoch: 2,
          client_supports_idle_heartbeat: true,
        }))
          break
        return undefined
      } catch (err) {
        return err
      }
    })()
    expect(probe).toBeInstanceOf(SyncError)
    expect((probe as SyncError).message).toContain('duplicated subscription')
    await put(a, '/last.txt', '3')
    await expect.poll(() => tree(b), { timeout: 10_000 }).toHaveProperty('/last.txt')
  })
})

describe('field notes §3: connectivity', () => {
  it('#59 a call hitting its own deadline does not break another call in flight on the shared channel', async () => {
    const a = await filer()
    const c = client(a)
    const N = 2000
    const long = 'n'.repeat(200)
    for (let i = 0; i < N; i += 250) {
      await Promise.all(
        Array.from({ length: 250 }, (_, j) =>
          c.createEntry({
            directory: '/many',
            entry: {
              name: `${long}${i + j}`,
              content: Buffer.from('x'),
              attributes: { mtime: nowS(), file_mode: 0o644, file_size: 1 },
            },
          }),
        ),
      )
    }
    const list = c.listEntries('/many', { limit: N })
    expect((await list.next()).done).toBe(false)
    const err = await c.lookupEntry('/', 'many', { timeoutMs: 0.001 }).catch((e: unknown) => e)
    expect(err).toMatchObject({ code: 'SYNC_ERR_FILER_CALL', retryable: true })
    let n = 1
    for await (const _ of list) n++
    expect(n).toBe(N)
    expect((await c.lookupEntry('/', 'many'))?.is_directory).toBe(true)
  })
})
