import { startEmbeddedFiler, type EmbeddedFiler } from '@seasync/embedded-filer'
import { afterEach, expect, it } from 'vitest'
import { FilerClient } from '../../src/filer/filer-client.js'
import { Replicator } from '../../src/replicator.js'
import { verifySync } from '../../src/verify/verify.js'
import type { VerifyRecord } from '../../src/verify/verify-record.js'
import { snapshotTree } from '../support/tree.js'

const cleanups: (() => Promise<void> | void)[] = []
afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn()
})

async function filer(): Promise<EmbeddedFiler> {
  const f = await startEmbeddedFiler({ subscribe: { heartbeatIntervalMs: 200 } })
  cleanups.push(() => f.close())
  return f
}

it('concurrent writes on both sides of A↔B, overlapping paths included, converge with no differences', async () => {
  const a = await filer()
  const b = await filer()
  for (const [from, to] of [
    [a, b],
    [b, a],
  ] as const) {
    const r = new Replicator({
      sourceAddress: from.address,
      targetAddress: to.address,
      clientId: 31337,
    })
    cleanups.push(async () => void (await r.stop()))
    r.start()
  }
  // 150 writes per side: 20 shared names written by both, the rest each side's own.
  const write = async (f: EmbeddedFiler, side: string, i: number): Promise<void> => {
    const path = i % 3 === 0 ? `/shared/s${i % 20}.txt` : `/${side}/f${i}.txt`
    const res = await fetch(`http://${f.httpAddress}${path}`, {
      method: 'PUT',
      body: `${side} ${i}`,
    })
    expect(res.status).toBe(201)
  }
  await Promise.all([
    (async () => {
      for (let i = 0; i < 150; i++) await write(a, 'a', i)
    })(),
    (async () => {
      for (let i = 0; i < 150; i++) await write(b, 'b', i)
    })(),
  ])
  await expect
    .poll(
      async () =>
        JSON.stringify(await snapshotTree(a.address, a.httpAddress, '/')) ===
        JSON.stringify(await snapshotTree(b.address, b.httpAddress, '/')),
      { timeout: 30_000, interval: 250 },
    )
    .toBe(true)
  const records: VerifyRecord[] = []
  const summary = await verifySync({
    a: a.address,
    b: b.address,
    compareContent: true,
    onRecord: (r) => records.push(r),
  })
  expect(records).toEqual([])
  expect(summary.totalErrors).toBe(0)
  // Each shared name holds the last write made to it on either side (newest mtime wins).
  const tree = await snapshotTree(a.address, a.httpAddress, '/shared')
  expect(Object.keys(tree)).toHaveLength(20)
}, 60_000)

it('writes with the very same mtime on both sides still converge (upstream swaps them forever)', async () => {
  const a = await filer()
  const b = await filer()
  const attributes = { mtime: 1_790_000_000, mtime_ns: 123_456_789, file_mode: 0o644, file_size: 1 }
  for (const [f, body] of [
    [a, 'a'],
    [b, 'b'],
  ] as const) {
    const c = new FilerClient(f.address)
    await c.createEntry({
      directory: '/tie',
      entry: { name: 'same.txt', attributes, content: Buffer.from(body) },
    })
    c.close()
  }
  for (const [from, to] of [
    [a, b],
    [b, a],
  ] as const) {
    const r = new Replicator({
      sourceAddress: from.address,
      targetAddress: to.address,
      clientId: 4711,
    })
    cleanups.push(async () => void (await r.stop()))
    r.start()
  }
  const read = async (f: EmbeddedFiler): Promise<string> =>
    (await fetch(`http://${f.httpAddress}/tie/same.txt`)).text()
  // Both keep the same version: the tie-break picks the larger content on either side.
  await expect
    .poll(async () => [await read(a), await read(b)], { timeout: 10_000 })
    .toEqual(['b', 'b'])
  await new Promise((r) => setTimeout(r, 1000))
  expect([await read(a), await read(b)]).toEqual(['b', 'b'])
}, 30_000)
