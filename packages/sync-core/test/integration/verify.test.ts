import { createHash } from 'node:crypto'
import { startEmbeddedFiler, type EmbeddedFiler } from '@seasync/embedded-filer'
import type { Entry, EntryOutput } from '@seasync/proto'
import { afterEach, describe, expect, it } from 'vitest'
import { SyncError, SyncStoppedError } from '../../src/errors.js'
import type { FilerAddress } from '../../src/filer/filer-address.js'
import { FilerClient, type ListEntriesOptions } from '../../src/filer/filer-client.js'
import { parentAndName } from '../../src/util/paths.js'
import {
  verifySync,
  type VerifyFiler,
  type VerifyOptions,
  type VerifySummary,
} from '../../src/verify/verify.js'
import type { VerifyDiffRecord, VerifyRecord } from '../../src/verify/verify-record.js'

const cleanups: (() => Promise<void> | void)[] = []
afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn()
})

const NOW_SEC = Math.floor(Date.now() / 1000)
const HOUR = 3600
const DAY = 86400
/** An mtime comfortably older than every cutoff used here. */
const OLD = NOW_SEC - 30 * DAY

interface Side {
  filer: EmbeddedFiler
  client: FilerClient
}

/** Two in-memory embedded filers (1 MiB HTTP chunks), with a gRPC client each. */
async function startPair(): Promise<{ a: Side; b: Side }> {
  const start = async (): Promise<Side> => {
    const filer = await startEmbeddedFiler({ maxMB: 1 })
    const client = new FilerClient(filer.address)
    cleanups.push(
      () => filer.close(),
      () => client.close(),
    )
    return { filer, client }
  }
  return { a: await start(), b: await start() }
}

/** A file entry with inline content, its md5 stored (so its ETag is the content's md5). */
function file(name: string, text: string, mtime = OLD): Entry {
  return {
    name,
    is_directory: false,
    content: Buffer.from(text),
    attributes: {
      file_size: Buffer.byteLength(text),
      mtime,
      crtime: mtime,
      file_mode: 0o644,
      md5: createHash('md5').update(text).digest(),
    },
  }
}

/** Create `path` (parents appear on the way) with `text` as content. */
async function put(side: Side, path: string, text: string, mtime = OLD): Promise<void> {
  const { parent, name } = parentAndName(path)
  await side.client.createEntry({ directory: parent, entry: file(name, text, mtime) })
}

async function putBoth(pair: { a: Side; b: Side }, path: string, text: string): Promise<void> {
  await put(pair.a, path, text)
  await put(pair.b, path, text)
}

/** Upload through the filer's HTTP API: real chunks on its volume server. */
async function httpPut(side: Side, path: string, data: Buffer): Promise<EntryOutput> {
  const res = await fetch(`http://${side.filer.httpAddress}${path}`, { method: 'PUT', body: data })
  expect(res.status).toBe(201)
  const { parent, name } = parentAndName(path)
  return (await side.client.lookupEntry(parent, name))!
}

async function update(side: Side, path: string, entry: EntryOutput): Promise<void> {
  await side.client.updateEntry({ directory: parentAndName(path).parent, entry })
}

async function run(
  pair: { a: Side; b: Side },
  options: Partial<VerifyOptions> = {},
): Promise<{ records: VerifyRecord[]; summary: VerifySummary }> {
  const records: VerifyRecord[] = []
  const summary = await verifySync({
    a: pair.a.filer.address,
    b: pair.b.filer.address,
    onRecord: (record) => records.push(record),
    ...options,
  })
  records.sort((x, y) => (x.path < y.path ? -1 : x.path > y.path ? 1 : 0))
  return { records, summary }
}

function pattern(bytes: number, seed: number): Buffer {
  const buf = Buffer.alloc(bytes)
  for (let i = 0; i < bytes; i++) buf[i] = (i * 31 + seed) & 0xff
  return buf
}

/** A VerifyFiler over a real FilerClient that `hook` may delay, reorder or break. */
function wrapped(
  address: FilerAddress,
  hook: (dir: string, list: () => AsyncIterable<EntryOutput>) => AsyncIterable<EntryOutput> = (
    _dir,
    list,
  ) => list(),
): VerifyFiler {
  const client = new FilerClient(address)
  return {
    listEntries: (dir: string, options: ListEntriesOptions) =>
      hook(dir, () => client.listEntries(dir, options)),
    close: () => client.close(),
  }
}

describe('verifySync against two embedded filers (spec §10)', () => {
  it('TestVerifySyncMissingFile: a file only in A is MISSING with its size and ETag', async () => {
    const pair = await startPair()
    await putBoth(pair, '/d/same.txt', 'same')
    await put(pair.a, '/d/gone.txt', 'only in A')
    const { records, summary } = await run(pair)
    expect(records).toEqual([
      {
        type: 'MISSING',
        path: '/d/gone.txt',
        a: { size: 9, mtime: OLD, etag: createHash('md5').update('only in A').digest('hex') },
      },
    ])
    expect(summary).toMatchObject({ directories: 2, files: 1, missing: 1, totalErrors: 1 })
  })

  it('TestVerifySyncOnlyInB: reported and counted in active-active, silent in active-passive', async () => {
    const pair = await startPair()
    await putBoth(pair, '/d/same.txt', 'same')
    await put(pair.b, '/d/extra.txt', 'extra')
    const activeActive = await run(pair)
    expect(activeActive.records).toEqual([
      expect.objectContaining({
        type: 'ONLY_IN_B',
        path: '/d/extra.txt',
        b: expect.anything() as unknown,
      }),
    ])
    expect(activeActive.summary).toMatchObject({ onlyInB: 1, totalErrors: 1 })
    const activePassive = await run(pair, { isActivePassive: true })
    expect(activePassive.records).toEqual([])
    expect(activePassive.summary).toMatchObject({ onlyInB: 0, totalErrors: 0 })
  })

  it('TestVerifySyncSizeMismatch: sizes differ → SIZE_MISMATCH with both sides', async () => {
    const pair = await startPair()
    await put(pair.a, '/f.txt', 'twelve bytes')
    await put(pair.b, '/f.txt', 'short', OLD + 2 * HOUR)
    const { records, summary } = await run(pair)
    expect(records).toEqual([
      expect.objectContaining({
        type: 'SIZE_MISMATCH',
        path: '/f.txt',
        a: expect.objectContaining({ size: 12 }) as unknown,
        b: expect.objectContaining({ size: 5 }) as unknown,
        mtimeRelation: 'B_NEWER',
        mtimeDelta: '2h',
        hint: 'late_updates_skip_likely',
      }),
    ])
    expect(summary).toMatchObject({ files: 1, sizeMismatch: 1, totalErrors: 1 })
  })

  it('TestVerifySyncETagMismatch: same size, other bytes, with the mtime annotation', async () => {
    const pair = await startPair()
    await put(pair.a, '/equal.txt', 'aaaa')
    await put(pair.b, '/equal.txt', 'bbbb')
    await put(pair.a, '/a-newer.txt', 'aaaa', OLD + 3 * DAY)
    await put(pair.b, '/a-newer.txt', 'bbbb')
    await put(pair.a, '/b-newer.txt', 'aaaa')
    await put(pair.b, '/b-newer.txt', 'bbbb', OLD + 42)
    const { records, summary } = await run(pair)
    const md5 = (text: string): string => createHash('md5').update(text).digest('hex')
    expect(records).toEqual([
      {
        type: 'ETAG_MISMATCH',
        path: '/a-newer.txt',
        a: { size: 4, mtime: OLD + 3 * DAY, etag: md5('aaaa') },
        b: { size: 4, mtime: OLD, etag: md5('bbbb') },
        mtimeRelation: 'A_NEWER',
        mtimeDelta: '3d',
        hint: 'sync_lag_or_event_miss',
      },
      expect.objectContaining({
        path: '/b-newer.txt',
        mtimeRelation: 'B_NEWER',
        mtimeDelta: '42s',
        hint: 'late_updates_skip_likely',
      }),
      {
        type: 'ETAG_MISMATCH',
        path: '/equal.txt',
        a: { size: 4, mtime: OLD, etag: md5('aaaa') },
        b: { size: 4, mtime: OLD, etag: md5('bbbb') },
        mtimeRelation: 'EQUAL',
        mtimeDelta: '0s',
      },
    ])
    expect(summary).toMatchObject({ files: 3, etagMismatch: 3, totalErrors: 3 })
  })

  it('TestVerifySyncCutoffTime: files modified after now − modifiedTimeAgo are skipped', async () => {
    const pair = await startPair()
    await put(pair.a, '/old-missing.txt', 'old')
    await put(pair.a, '/new-missing.txt', 'new', NOW_SEC - 60)
    await put(pair.b, '/new-only-in-b.txt', 'new', NOW_SEC - 60)
    await put(pair.b, '/old-only-in-b.txt', 'old')
    const { records, summary } = await run(pair, { modifiedTimeAgoMs: HOUR * 1000 })
    expect(records.map((r) => [r.type, r.path])).toEqual([
      ['MISSING', '/old-missing.txt'],
      ['ONLY_IN_B', '/old-only-in-b.txt'],
    ])
    expect(summary).toMatchObject({ skippedRecent: 2, missing: 1, onlyInB: 1, totalErrors: 2 })
    // Without a cutoff every one of them is a difference.
    expect((await run(pair)).summary).toMatchObject({ missing: 2, onlyInB: 2, skippedRecent: 0 })
  })

  it('TestVerifySyncCutoffMatchedFileBSideRecent: a pair is skipped when EITHER side is recent', async () => {
    const pair = await startPair()
    await put(pair.a, '/b-recent.txt', 'aaaa')
    await put(pair.b, '/b-recent.txt', 'bbbb', NOW_SEC - 10)
    await put(pair.a, '/a-recent.txt', 'aaaa', NOW_SEC - 10)
    await put(pair.b, '/a-recent.txt', 'bbbb')
    const { records, summary } = await run(pair, { modifiedTimeAgoMs: 10 * 60_000 })
    expect(records).toEqual([])
    expect(summary).toMatchObject({ files: 0, skippedRecent: 2, totalErrors: 0 })
  })

  it('TestVerifySyncMissingDirRecursesEvenWithRecentMtime: every old file below is MISSING', async () => {
    const pair = await startPair()
    await putBoth(pair, '/keep.txt', 'keep')
    // The parents are created now (recent mtime); the files are old, one is recent.
    await put(pair.a, '/m/x.txt', 'x')
    await put(pair.a, '/m/sub/deeper/y.txt', 'y')
    await put(pair.a, '/m/fresh.txt', 'fresh', NOW_SEC - 5)
    const m = await pair.a.client.lookupEntry('/', 'm')
    expect(Number(m?.attributes?.mtime)).toBeGreaterThan(NOW_SEC - HOUR)
    const { records, summary } = await run(pair, { modifiedTimeAgoMs: HOUR * 1000 })
    expect(records.map((r) => [r.type, r.path, 'isDirectory' in r])).toEqual([
      ['MISSING', '/m', true],
      ['MISSING', '/m/sub/deeper/y.txt', false],
      ['MISSING', '/m/x.txt', false],
    ])
    expect(summary).toMatchObject({ missing: 3, skippedRecent: 1, totalErrors: 3 })
  })

  it('TestVerifySyncRootPath: joins under / never give //name; other roots map A → B', async () => {
    const pair = await startPair()
    await put(pair.a, '/top.txt', 'top')
    await put(pair.b, '/b-top.txt', 'b')
    const atRoot = await run(pair, { aPath: '/', bPath: '/' })
    expect(atRoot.records.map((r) => r.path)).toEqual(['/b-top.txt', '/top.txt'])

    await put(pair.a, '/src/dir/f.txt', 'f')
    await put(pair.b, '/backup/dir/f.txt', 'f')
    await put(pair.a, '/src/dir/lost.txt', 'lost')
    await put(pair.b, '/backup/dir/stray.txt', 'stray')
    const mapped = await run(pair, { aPath: '/src/', bPath: '/backup' })
    expect(mapped.records.map((r) => [r.type, r.path])).toEqual([
      ['ONLY_IN_B', '/backup/dir/stray.txt'],
      ['MISSING', '/src/dir/lost.txt'],
    ])
    expect(mapped.summary).toMatchObject({ directories: 2, files: 1 })
  })

  it('TestVerifySyncConcurrencyBound: at most 5 directories are listed at once', async () => {
    const pair = await startPair()
    const writes: Promise<void>[] = []
    for (let i = 0; i < 12; i++) {
      for (let k = 0; k < 3; k++) writes.push(putBoth(pair, `/w${i}/s${k}/f.txt`, `${i}-${k}`))
    }
    await Promise.all(writes)
    const active = { a: 0, b: 0 }
    const peak = { a: 0, b: 0 }
    const { summary } = await run(pair, {
      clientFactory: (address, side) =>
        wrapped(address, async function* (_dir, list) {
          active[side]++
          peak[side] = Math.max(peak[side], active[side])
          try {
            await new Promise((resolve) => setTimeout(resolve, 15))
            yield* list()
          } finally {
            active[side]--
          }
        }),
    })
    expect(summary).toMatchObject({ directories: 1 + 12 + 36, files: 36, totalErrors: 0 })
    expect(peak.a).toBeLessThanOrEqual(5)
    expect(peak.b).toBeLessThanOrEqual(5)
    expect(peak.a).toBeGreaterThan(1) // the walk is concurrent at all
  })

  it('TestVerifySyncNoDeadlockDeepTree: a tree deeper than the slot count completes', async () => {
    const pair = await startPair()
    const deep = Array.from({ length: 14 }, (_, i) => `d${i}`).join('/')
    await putBoth(pair, `/${deep}/leaf.txt`, 'leaf')
    for (let i = 0; i < 6; i++) await putBoth(pair, `/wide${i}/${deep}/leaf.txt`, 'leaf')
    const { records, summary } = await run(pair)
    expect(records).toEqual([])
    expect(summary).toMatchObject({ directories: 1 + 14 + 6 * 15, files: 7, totalErrors: 0 })
  })

  describe('TestVerifySyncChunkReorder', () => {
    /** The same 2.5 MiB uploaded on both sides (3 chunks), md5 dropped so ETags come from chunks. */
    async function reordered(pair: { a: Side; b: Side }, mutate?: (chunks: EntryOutput) => void) {
      const data = pattern(2.5 * 2 ** 20, 5)
      const entryA = await httpPut(pair.a, '/big.bin', data)
      const entryB = await httpPut(pair.b, '/big.bin', data)
      expect(entryA.chunks).toHaveLength(3)
      for (const entry of [entryA, entryB]) {
        delete entry.attributes!.md5
        mutate?.(entry)
      }
      entryB.chunks.reverse()
      await update(pair.a, '/big.bin', entryA)
      await update(pair.b, '/big.bin', entryB)
    }

    it('same chunks in another order → CHUNK_REORDER, not an error', async () => {
      const pair = await startPair()
      await reordered(pair)
      const { records, summary } = await run(pair)
      expect(records).toEqual([
        expect.objectContaining({
          type: 'CHUNK_REORDER',
          path: '/big.bin',
          mtimeRelation: 'EQUAL',
        }),
      ])
      expect(records[0]).not.toHaveProperty('hint')
      const [record] = records as VerifyDiffRecord[]
      expect(record!.a!.etag).not.toBe(record!.b!.etag)
      expect(summary).toMatchObject({ chunkReorder: 1, etagMismatch: 0, totalErrors: 0 })
      // The bytes agree, so compareContent keeps the verdict.
      const withContent = await run(pair, { compareContent: true })
      expect(withContent.records.map((r) => r.type)).toEqual(['CHUNK_REORDER'])
      expect(withContent.summary).toMatchObject({ chunkReorder: 1, totalErrors: 0 })
    })

    it('a chunk with an empty e_tag proves nothing → ETAG_MISMATCH', async () => {
      const pair = await startPair()
      await reordered(pair, (entry) => {
        const middle = entry.chunks.find((c) => String(c.offset) === String(2 ** 20))!
        middle.e_tag = ''
      })
      const { records, summary } = await run(pair)
      expect(records.map((r) => r.type)).toEqual(['ETAG_MISMATCH'])
      expect(summary).toMatchObject({ chunkReorder: 0, etagMismatch: 1, totalErrors: 1 })
    })
  })

  it('TestVerifySyncListErrorNoBogusDiffs: a failed listing is an error, never MISSING', async () => {
    const pair = await startPair()
    await putBoth(pair, '/broken/x.txt', 'x')
    await putBoth(pair, '/broken/y.txt', 'y')
    await putBoth(pair, '/ok/same.txt', 'same')
    await put(pair.a, '/ok/lost.txt', 'lost')
    const { records, summary } = await run(pair, {
      clientFactory: (address, side) =>
        wrapped(address, async function* (dir, list) {
          if (side === 'b' && dir === '/broken') {
            // Part of the listing arrives, then the stream fails.
            for await (const entry of list()) {
              yield entry
              break
            }
            throw new SyncError('SYNC_ERR_UNAVAILABLE', 'ListEntries /broken: connection reset')
          }
          yield* list()
        }),
    })
    expect(records).toEqual([
      {
        type: 'LIST_ERROR',
        path: '/broken',
        side: 'b',
        message: 'ListEntries /broken: connection reset',
      },
      expect.objectContaining({ type: 'MISSING', path: '/ok/lost.txt' }),
    ])
    expect(summary).toMatchObject({ listErrors: 1, missing: 1, totalErrors: 2 })
  })

  it('TestVerifySyncByteOrderSkew: a case-insensitive listing order does not desync the merge', async () => {
    const pair = await startPair()
    const names = ['B.txt', 'a.txt', 'C.txt', '_under.txt', 'Zed.txt', 'é.txt', 'e.txt']
    for (const n of names) await putBoth(pair, `/mixed/${n}`, n)
    let skewed: string[] = []
    const { records, summary } = await run(pair, {
      // B lists like a locale-collated SQL store (4.23 trusted this order).
      clientFactory: (address, side) =>
        wrapped(address, async function* (dir, list) {
          const page: EntryOutput[] = []
          for await (const entry of list()) page.push(entry)
          if (side === 'b') {
            page.sort((x, y) => x.name!.localeCompare(y.name!, 'en', { sensitivity: 'base' }))
            if (dir === '/mixed') skewed = page.map((e) => e.name!)
          }
          yield* page
        }),
    })
    expect(skewed).not.toEqual([...names].sort())
    expect(records).toEqual([])
    expect(summary).toMatchObject({ files: names.length, totalErrors: 0 })
  })

  it('CONTENT_MISMATCH: equal metadata, other bytes, found only with compareContent', async () => {
    const pair = await startPair()
    await httpPut(pair.a, '/c/same.bin', pattern(3000, 1))
    await httpPut(pair.b, '/c/same.bin', pattern(3000, 1))
    const entryA = await httpPut(pair.a, '/c/f.bin', pattern(1.5 * 2 ** 20, 1))
    const entryB = await httpPut(pair.b, '/c/f.bin', pattern(1.5 * 2 ** 20, 2))
    // B keeps its own chunks (other bytes) but claims A's attributes: md5, size, mtime.
    await update(pair.b, '/c/f.bin', { ...entryB, attributes: entryA.attributes })

    const metadataOnly = await run(pair)
    expect(metadataOnly.records).toEqual([])
    expect(metadataOnly.summary).toMatchObject({ files: 2, totalErrors: 0 })

    const { records, summary } = await run(pair, { compareContent: true })
    const md5 = (seed: number): string =>
      createHash('md5')
        .update(pattern(1.5 * 2 ** 20, seed))
        .digest('hex')
    expect(records).toEqual([
      expect.objectContaining({
        type: 'CONTENT_MISMATCH',
        path: '/c/f.bin',
        a: expect.objectContaining({ contentMd5: md5(1), etag: md5(1) }) as unknown,
        b: expect.objectContaining({ contentMd5: md5(2), etag: md5(1) }) as unknown,
        mtimeRelation: 'EQUAL',
      }),
    ])
    expect(summary).toMatchObject({ files: 2, contentMismatch: 1, totalErrors: 1 })
  })

  it('a file that cannot be read is a READ_ERROR, counted', async () => {
    const pair = await startPair()
    const entryA = await httpPut(pair.a, '/r.bin', pattern(100, 1))
    await httpPut(pair.b, '/r.bin', pattern(100, 1))
    // B's entry points at a needle its volume server does not have.
    await update(pair.b, '/r.bin', {
      ...entryA,
      chunks: entryA.chunks.map((c) => ({ ...c, file_id: '999,0123456789abcdef' })),
    })
    const { records, summary } = await run(pair, { compareContent: true })
    expect(records).toEqual([
      expect.objectContaining({ type: 'READ_ERROR', path: '/r.bin', side: 'b' }),
    ])
    expect(summary).toMatchObject({ readErrors: 1, totalErrors: 1 })
  })

  it('pages ListEntries by 10001, continuing after the last name, not inclusive', async () => {
    const names = Array.from({ length: 10_006 }, (_, i) => `f${String(i).padStart(5, '0')}`)
    const requests: { side: string; startFrom?: string; inclusive?: boolean; limit?: number }[] = []
    const fake = (side: 'a' | 'b'): VerifyFiler => ({
      async *listEntries(_dir, { startFrom = '', inclusive, limit = 0 }) {
        requests.push({ side, startFrom, inclusive, limit })
        await Promise.resolve()
        const from = names.findIndex((n) => n > startFrom)
        for (const n of names.slice(from, from + limit))
          yield { ...file(n, 'x'), chunks: [] } as EntryOutput
      },
    })
    const records: VerifyRecord[] = []
    const summary = await verifySync({
      a: 'fake-a:1',
      b: 'fake-b:2',
      clientFactory: (_address, side) => fake(side),
      onRecord: (record) => records.push(record),
    })
    expect(records).toEqual([])
    expect(summary).toMatchObject({ directories: 1, files: 10_006, totalErrors: 0 })
    expect(requests.filter((r) => r.side === 'a')).toEqual([
      { side: 'a', startFrom: '', inclusive: false, limit: 10_001 },
      { side: 'a', startFrom: names[10_000], inclusive: false, limit: 10_001 },
    ])
  })

  it('an unreachable filer is a LIST_ERROR on the root; an abort rejects', async () => {
    const pair = await startPair()
    const dead = await startEmbeddedFiler()
    await dead.close()
    const { records, summary } = await run(pair, { b: dead.address })
    expect(records).toEqual([expect.objectContaining({ type: 'LIST_ERROR', path: '/', side: 'b' })])
    expect(summary).toMatchObject({ directories: 1, listErrors: 1, totalErrors: 1 })

    const controller = new AbortController()
    controller.abort()
    await expect(run(pair, { signal: controller.signal })).rejects.toBeInstanceOf(SyncStoppedError)
  })
})
