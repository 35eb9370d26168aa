/**
 * The active-active lost-update race (bench `active-active`), made deterministic: A→B looks up
 * B's entry, decides A's version wins and copies its chunks; a local write lands on B before the
 * write; an unconditional CreateEntry/UpdateEntry then overwrites that newer local write with the
 * older version, and since B→A's echo carries B's signature nothing ever repairs it. HEAD's
 * WriteCondition (EntryApplier `stillAsLookedUp`) makes the stale write fail with
 * PRECONDITION_FAILED; the applier looks up again and keeps the newer local write.
 * Real embedded filers over real gRPC; the seam is EntryApplier's `beforeWrite` hook.
 */
import type { EmbeddedFiler } from '@seasync/embedded-filer'
import type { EntryOutput } from '@seasync/proto'
import { afterEach, describe, expect, it } from 'vitest'
import { ChunkCopier } from '../../src/apply/chunk-copier.js'
import { EntryApplier, MAX_CONDITION_ATTEMPTS } from '../../src/apply/entry-applier.js'
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

/** B as a filer before HEAD (4.44 and older): it never sees the condition field. */
function ignoringConditions(target: FilerClient): ApplierTarget {
  return applierTarget(target, {
    createEntry: ({ condition: _c, ...request }, options) => target.createEntry(request, options),
    updateEntry: ({ condition: _c, ...request }, options) => target.updateEntry(request, options),
  })
}

function plans(a: EmbeddedFiler, v1: EntryOutput, old: EntryOutput): Record<string, Plan> {
  const signatures = [a.signature]
  return {
    create: { op: 'create', cause: 'created', targetKey: '/race.bin', entry: v1, signatures },
    update: {
      op: 'update',
      oldTargetKey: '/race.bin',
      newTargetParent: '/',
      newTargetKey: '/race.bin',
      oldEntry: old,
      newEntry: v1,
      isDirectory: false,
      deleteChunks: true,
      signatures,
    },
  }
}

/**
 * B holds v0, A holds the newer v1; while A→B applies v1, a still newer local write v2 lands on
 * B between the lookup and the write (`raceWrites` times: once, or on every attempt; `older`
 * back-dates each racing write so that every new lookup decides to write again).
 */
async function race(
  op: 'create' | 'update',
  conditional: boolean,
  { raceWrites = 1, older = false } = {},
) {
  const a = await filer()
  const b = await filer()
  await put(b, '/race.bin', bytes(150_000, 1))
  await put(a, '/race.bin', bytes(150_000, 2))
  const v1 = (await lookup(a, '/race.bin'))!
  const old = (await lookup(b, '/race.bin'))!
  expect(v1.chunks.length).toBeGreaterThan(0)
  const source = client(a)
  const target = client(b)
  const copier = new ChunkCopier(source, target, { chunkConcurrency: 4 })
  let written = 0
  let latest: Buffer = Buffer.alloc(0)
  const applier = new EntryApplier(conditional ? target : ignoringConditions(target), copier, {
    beforeWrite: async () => {
      if (written >= raceWrites) return
      latest = bytes(150_000, 10 + written++)
      await put(b, '/race.bin', latest)
      if (older) await setMtime(b, '/race.bin', Number(v1.attributes!.mtime) - 100)
    },
  })
  const plan = plans(a, v1, old)[op]!
  const outcome = await applier
    .apply(plan, new AbortController().signal)
    .catch((err: unknown) => err)
  return { outcome, onB: await read(b, '/race.bin'), v1: await read(a, '/race.bin'), latest }
}

describe('conditional target writes (HEAD WriteCondition)', () => {
  it.each(['create', 'update'] as const)(
    '%s: a local write between lookup and write is kept, not overwritten by the older version',
    async (op) => {
      const { outcome, onB, latest } = await race(op, true)
      expect(onB.equals(latest)).toBe(true)
      // The second lookup saw the newer local write and the skip rules kept it.
      expect(outcome).toEqual({ skipped: true, bytes: 0 })
    },
  )

  it.each(['create', 'update'] as const)(
    '%s against a filer that ignores the condition (4.44): the race loses the local write',
    async (op) => {
      const { onB, v1 } = await race(op, false)
      expect(onB.equals(v1)).toBe(true)
    },
  )

  it('gives up after MAX_CONDITION_ATTEMPTS with a retryable SYNC_ERR_PRECONDITION', async () => {
    const { outcome, onB, latest } = await race('create', true, {
      raceWrites: MAX_CONDITION_ATTEMPTS,
      older: true,
    })
    expect(outcome).toMatchObject({ code: 'SYNC_ERR_PRECONDITION', retryable: true })
    expect(onB.equals(latest)).toBe(true)
  })
})
