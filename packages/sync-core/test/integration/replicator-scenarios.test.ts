import { startEmbeddedFiler, type EmbeddedFiler } from '@seasync/embedded-filer'
import { afterEach, describe, expect, it } from 'vitest'
import { FilerClient } from '../../src/filer/filer-client.js'
import type { ReplicatorOptions } from '../../src/options.js'
import type { Replicator } from '../../src/replicator.js'
import {
  bytes,
  converge,
  filer,
  onCleanup,
  put,
  replicate as startReplicator,
  runCleanups,
  tree,
} from '../support/replication-harness.js'

afterEach(runCleanups)

const replicate = (options: ReplicatorOptions): Replicator => startReplicator(options).r

const same = async (
  a: EmbeddedFiler,
  aRoot: string,
  b: EmbeddedFiler,
  bRoot: string,
): Promise<void> => void (await converge(a, aRoot, b, bRoot, 20_000))

describe('replication scenarios', () => {
  it('chain A→B→C: a write on A reaches C; C’s copy carries every hop’s signature', async () => {
    const [a, b, c] = [await filer(), await filer(), await filer()]
    replicate({ sourceAddress: a.address, targetAddress: b.address })
    replicate({ sourceAddress: b.address, targetAddress: c.address })
    await put(a, '/docs/readme.txt', 'chain')
    await same(a, '/', c, '/')
    const client = new FilerClient(c.address)
    onCleanup(() => client.close())
    for await (const r of client.subscribeMetadata({
      client_name: 't',
      path_prefix: '/docs/',
      client_id: 7,
      client_epoch: 1,
      client_supports_idle_heartbeat: true,
    })) {
      if (!r.event_notification) break
      expect(r.event_notification.signatures).toEqual([a.signature, b.signature, c.signature])
    }
  })

  it('one-to-many with path mapping and excludes, by path components', async () => {
    const [a, b, c] = [await filer(), await filer(), await filer()]
    replicate({
      sourceAddress: a.address,
      targetAddress: b.address,
      sourcePath: '/data',
      targetPath: '/mirror/data',
      excludePaths: ['/data/tmp'],
    })
    replicate({
      sourceAddress: a.address,
      targetAddress: c.address,
      sourcePath: '/data/photos',
      targetPath: '/photos',
    })
    await put(a, '/data/photos/cat.jpg', 'meow')
    await put(a, '/data/tmp/scratch.bin', 'skip me')
    await put(a, '/data/tmp2/kept.bin', 'tmp2 is not tmp')
    await put(a, '/database/other.txt', 'outside /data')
    await expect
      .poll(() => tree(b, '/mirror/data'), { timeout: 10_000 })
      .toMatchObject({ '/tmp2/kept.bin': expect.any(String) as unknown })
    await expect.poll(() => tree(c, '/photos'), { timeout: 10_000 }).toHaveProperty('/cat.jpg')
    const onB = await tree(b, '/')
    expect(Object.keys(onB).sort()).toEqual([
      '/mirror',
      '/mirror/data',
      '/mirror/data/photos',
      '/mirror/data/photos/cat.jpg',
      '/mirror/data/tmp', // the excluded directory entry itself is created (spec §6.2 step 3)
      '/mirror/data/tmp2',
      '/mirror/data/tmp2/kept.bin',
    ])
    expect(Object.keys(await tree(c, '/'))).not.toContain('/photos/photos')
  })

  it('copies multi-chunk and manifest files byte-exact, and replicates an overwrite', async () => {
    const a = await filer({ manifestBatch: 3 })
    const b = await filer()
    await put(a, '/big/three.bin', bytes(2_200_000, 1)) // 3 chunks → one manifest chunk
    await put(a, '/big/two.bin', bytes(1_500_000, 2)) // 2 plain chunks
    const r = replicate({ sourceAddress: a.address, targetAddress: b.address })
    await same(a, '/', b, '/')
    expect(r.status().bytesCopied).toBeGreaterThanOrEqual(3_700_000)
    const onB = new FilerClient(b.address)
    onCleanup(() => onB.close())
    const three = await onB.lookupEntry('/big', 'three.bin')
    expect(three?.chunks.some((c) => c.is_chunk_manifest)).toBe(true)
    await put(a, '/big/two.bin', bytes(1_500_000, 3))
    await same(a, '/', b, '/')
  })

  it('a directory rename with many files is one metadata move on the target', async () => {
    const a = await filer()
    const b = await filer()
    for (let i = 0; i < 40; i++) await put(a, `/proj/src/f${i}.txt`, `file ${i}`)
    replicate({ sourceAddress: a.address, targetAddress: b.address })
    await same(a, '/', b, '/')
    const client = new FilerClient(a.address)
    onCleanup(() => client.close())
    await client.atomicRenameEntry({
      old_directory: '/proj',
      old_name: 'src',
      new_directory: '/',
      new_name: 'lib',
    })
    await same(a, '/', b, '/')
    expect(Object.keys(await tree(b, '/')).filter((p) => p.startsWith('/proj/src'))).toEqual([])
  })

  it('catches up after the target was down, and keeps its failures until then', async () => {
    const a = await filer()
    const { mkdtempSync, rmSync } = await import('node:fs')
    const { tmpdir } = await import('node:os')
    const { join } = await import('node:path')
    const dir = mkdtempSync(join(tmpdir(), 'seasync-target-'))
    onCleanup(() => rmSync(dir, { recursive: true, force: true }))
    let b = await startEmbeddedFiler({ dir, subscribe: { heartbeatIntervalMs: 200 } })
    const ports = {
      port: Number(b.httpAddress.split(':')[1]),
      grpcPort: Number(b.grpcAddress.split(':')[1]),
      volumePort: Number(b.volumeUrl.split(':')[1]),
    }
    const address = b.address
    const r = replicate({ sourceAddress: a.address, targetAddress: address })
    await put(a, '/first.txt', '1')
    await same(a, '/', b, '/')
    await b.close()
    await put(a, '/while-down.txt', '2')
    await expect.poll(() => r.failures().length, { timeout: 10_000 }).toBeGreaterThan(0)
    expect(r.failures()[0]!.error.retryable).toBe(true)
    b = await startEmbeddedFiler({ dir, ...ports, subscribe: { heartbeatIntervalMs: 200 } })
    onCleanup(() => b.close())
    await same(a, '/', b, '/')
    await expect.poll(() => r.failures().length, { timeout: 10_000 }).toBe(0)
  })
})
