/**
 * Replicator.status().largeFiles: a file of 4 MiB or more being copied shows how many of its bytes
 * are copied so far, while it is copied (the dashboard's progress bar), and leaves the list when
 * done. Real embedded filers; the source's reads pass through an HTTP proxy that can hold them.
 */
import { afterEach, describe, expect, it } from 'vitest'
import {
  bytes,
  converge,
  filer,
  httpProxy,
  proxiedFid,
  put,
  replicate,
  runCleanups,
  viaHttp,
} from '../support/replication-harness.js'

afterEach(runCleanups)

const MiB = 2 ** 20

describe('large file progress', () => {
  it('reports bytes copied of a large file while its chunks are copied', async () => {
    const a = await filer() // 1 MiB chunks
    const b = await filer()
    await put(a, '/big.bin', bytes(6 * MiB, 3))
    await put(a, '/small.txt', 'small')
    let release: () => void = () => undefined
    const held = new Promise<void>((r) => (release = r))
    let reads = 0
    const proxy = await httpProxy(a.httpAddress, async (req) => {
      // The third chunk read waits until the progress was observed.
      if (proxiedFid(req) !== undefined && ++reads === 3) await held
      return false
    })
    const { r } = replicate({
      sourceAddress: viaHttp(a, proxy.httpAddress),
      targetAddress: b.address,
      sourceFilerProxy: true,
      chunkConcurrency: 1,
    })
    await expect
      .poll(() => r.status().largeFiles[0]?.bytesCopied ?? 0, { timeout: 10_000 })
      .toBeGreaterThanOrEqual(2 * MiB)
    const [file, ...others] = r.status().largeFiles
    expect(others).toEqual([])
    expect(file).toMatchObject({ targetPath: '/big.bin', bytes: 6 * MiB })
    expect(file!.bytesCopied).toBeLessThan(6 * MiB)
    expect(file!.startedAtMs).toBeLessThanOrEqual(Date.now())
    release()
    await converge(a, '/', b, '/')
    expect(r.status().largeFiles).toEqual([])
  })
})
