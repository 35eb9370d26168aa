/**
 * Files with chunks created in a directory the applier itself just created skip the target lookup
 * (copy, then an exclusive create). Real embedded filers over real gRPC: the lookups are counted
 * on the real target client, and the guess going wrong (something written there in between) must
 * end exactly as the lookup path would have, newer local writes kept.
 */
import type { EmbeddedFiler } from '@seasync/embedded-filer'
import type { EntryOutput } from '@seasync/proto'
import { afterEach, describe, expect, it } from 'vitest'
import { ChunkCopier } from '../../src/apply/chunk-copier.js'
import { EntryApplier } from '../../src/apply/entry-applier.js'
import type { Plan } from '../../src/apply/scope.js'
import type { FilerClient } from '../../src/filer/filer-client.js'
import {
  applierTarget,
  bytes,
  client,
  filer,
  lookup,
  put,
  read,
  runCleanups,
  setMtime,
  type ApplierTarget,
} from '../support/replication-harness.js'

afterEach(runCleanups)

/** The real target client, counting LookupDirectoryEntry calls. */
function counting(target: FilerClient): { target: ApplierTarget; lookups: () => number } {
  let lookups = 0
  return {
    lookups: () => lookups,
    target: applierTarget(target, {
      lookupEntry: (...args) => {
        lookups++
        return target.lookupEntry(...args)
      },
    }),
  }
}

const create = (targetKey: string, entry: EntryOutput, signature: number): Plan => ({
  op: 'create',
  cause: 'created',
  targetKey,
  entry,
  signatures: [signature],
})

async function setup(beforeWrite?: (path: string) => Promise<void>) {
  const a = await filer()
  const b = await filer()
  await put(a, '/d/one.bin', bytes(100_000, 1))
  await put(a, '/d/two.bin', bytes(100_000, 2))
  const dir = (await lookup(a, '/d'))!
  const one = (await lookup(a, '/d/one.bin'))!
  const two = (await lookup(a, '/d/two.bin'))!
  expect(one.chunks.length).toBeGreaterThan(0)
  const target = client(b)
  const counted = counting(target)
  const copier = new ChunkCopier(client(a), target, { chunkConcurrency: 4 })
  const applier = new EntryApplier(counted.target, copier, beforeWrite ? { beforeWrite } : {})
  const signal = new AbortController().signal
  const apply = (plan: Plan) => applier.apply(plan, signal)
  return { a, b, dir, one, two, apply, lookups: counted.lookups, sig: a.signature }
}

describe('files in a directory the applier created', () => {
  it('are created without looking the target up', async () => {
    const { a, b, dir, one, two, apply, lookups, sig } = await setup()
    await apply(create('/d', dir, sig))
    expect(await apply(create('/d/one.bin', one, sig))).toEqual({ skipped: false, bytes: 100_000 })
    await apply(create('/d/two.bin', two, sig))
    expect(lookups()).toBe(0)
    expect((await read(b, '/d/one.bin')).equals(await read(a, '/d/one.bin'))).toBe(true)
    expect((await read(b, '/d/two.bin')).equals(await read(a, '/d/two.bin'))).toBe(true)
    // Replicated as every other write: marked as coming from A (loop prevention).
    expect((await lookup(b, '/d/one.bin'))!.chunks[0]!.source_file_id).toBeTruthy()
  })

  it('look the target up when the directory was already there', async () => {
    const { b, dir, one, apply, lookups, sig } = await setup()
    await put(b, '/d/other.txt', 'x')
    await apply(create('/d', dir, sig))
    await apply(create('/d/one.bin', one, sig))
    expect(lookups()).toBeGreaterThan(0)
  })

  /** A local write on B at `path`, its mtime `shiftSeconds` from A's version's. */
  const localWrite = async (b: EmbeddedFiler, path: string, of: EntryOutput, shift: number) => {
    const local = bytes(150_000, 9) // not shorter: a shorter destination is always replaced
    await put(b, path, local)
    await setMtime(b, path, Number(of.attributes!.mtime) + shift)
    return local
  }

  it('a newer local file written there in between is kept (exclusive create refused)', async () => {
    let local: Buffer = Buffer.alloc(0)
    const { b, dir, one, apply, lookups, sig } = await setup(async (path) => {
      if (path !== '/d/one.bin' || local.length > 0) return
      local = await localWrite(b, path, one, +100)
    })
    await apply(create('/d', dir, sig))
    expect(await apply(create('/d/one.bin', one, sig))).toEqual({ skipped: true, bytes: 0 })
    expect((await read(b, '/d/one.bin')).equals(local)).toBe(true)
    expect(lookups()).toBe(1)
  })

  it('an older local file written there in between is replaced by the source version', async () => {
    const { a, b, dir, one, two, apply, lookups, sig } = await setup(async (path) => {
      if (path !== '/d/one.bin' || (await lookup(b, path))) return
      await localWrite(b, path, one, -100)
    })
    await apply(create('/d', dir, sig))
    expect(await apply(create('/d/one.bin', one, sig))).toEqual({ skipped: false, bytes: 100_000 })
    expect((await read(b, '/d/one.bin')).equals(await read(a, '/d/one.bin'))).toBe(true)
    // The wrong guess is remembered: the next file in /d is looked up first.
    await apply(create('/d/two.bin', two, sig))
    expect(lookups()).toBe(2)
  })
})
