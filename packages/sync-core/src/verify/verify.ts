/**
 * `verifySync`: the offline consistency checker of `weed filer.sync.verify` (spec §10; Go
 * `weed/command/filer_sync_verify.go` at HEAD). It walks `aPath` on filer A and `bPath` on filer B
 * together, merge-joining each directory's entries by name, and reports what B lacks, what only B
 * has, and files whose size or ETag differ. Metadata only, like Go, unless `compareContent` asks
 * for the bytes as well (SeaSync).
 *
 * Concurrency, as Go: at most {@link VerifyDefaults.listingConcurrency} directories are being
 * listed and merged at once (a slot is held for both sides' listings and the merge, and released
 * BEFORE recursing, so a deep tree never deadlocks on its own ancestors), and each directory walks
 * its subdirectories with at most {@link VerifyDefaults.workersPerLevel} workers.
 *
 * Differences from Go, on purpose: a listing error does not abort the run. The directory is
 * reported as `LIST_ERROR`, nothing below it is compared (so no bogus MISSING / ONLY_IN_B come out
 * of partial data, HEAD `TestVerifySyncListErrorNoBogusDiffs`), the rest of the tree is still
 * walked, and the error counts in `totalErrors` so the summary never looks complete (field notes
 * §3 item 63).
 */
import type { EntryOutput } from '@seasync/proto'
import { SyncError } from '../errors.js'
import { httpTransport, type ClusterTls } from '../filer/cluster-tls.js'
import { parseFilerAddress, type FilerAddress } from '../filer/filer-address.js'
import {
  FilerClient,
  type FilerClientOptions,
  type ListEntriesOptions,
} from '../filer/filer-client.js'
import { isAbortError, throwIfAborted } from '../util/abort.js'
import { cleanJoin, cleanPath } from '../util/paths.js'
import { Semaphore } from '../util/semaphore.js'
import { contentDigest, type FilerHttp } from './content-digest.js'
import {
  compareFiles,
  entryMtimeSec,
  entrySide,
  pairRecord,
  type VerifyDiffRecord,
  type VerifyRecord,
} from './verify-record.js'

/** The one filer call the walk needs; {@link FilerClient} has it. */
export interface VerifyFiler {
  listEntries(directory: string, options: ListEntriesOptions): AsyncIterable<EntryOutput>
  close?(): void
}

/** Options of {@link verifySync}. */
export interface VerifyOptions {
  /** Filer A (`host:port[.grpcPort]`): the side that should be complete. */
  a: string | FilerAddress
  /** Filer B: the replica. */
  b: string | FilerAddress
  /** Directory compared on A. Default `/`. */
  aPath?: string
  /** Directory compared on B. Default `/`. */
  bPath?: string
  /** Only A → B: entries only in B are neither reported nor counted. Default false. */
  isActivePassive?: boolean
  /**
   * Skip files (and B-only entries) modified less than this many milliseconds before `nowMs`:
   * the cutoff is `now − value`, compared with `attributes.mtime` in whole seconds. 0 (default):
   * no cutoff.
   */
  modifiedTimeAgoMs?: number
  /**
   * SeaSync: for files whose metadata agrees, read both through their filer's HTTP API and report
   * `CONTENT_MISMATCH` when the bytes differ. Default false (Go's metadata-only walk).
   */
  compareContent?: boolean
  /** Receives each record as it is found (from concurrent walkers; order is not defined). */
  onRecord?: (record: VerifyRecord) => void
  /** Aborting stops the walk: `verifySync` rejects with SyncStoppedError. */
  signal?: AbortSignal
  /** "Now" for the cutoff, ms since the epoch. Default `Date.now()` at the start. */
  nowMs?: number
  /** Options of the FilerClient of A / B (deadlines, credentials…). */
  aClientOptions?: FilerClientOptions
  bClientOptions?: FilerClientOptions
  /**
   * TLS of cluster A (`-a.security`): gRPC mutual TLS for its filer and, with `https`, HTTPS for
   * the `compareContent` reads, as in {@link ReplicatorOptions}. Default plaintext.
   */
  aTls?: ClusterTls
  /** TLS of cluster B, likewise. */
  bTls?: ClusterTls
  /** Replaces the gRPC clients (closed after the walk when they have `close`). @internal Tests. */
  clientFactory?: (address: FilerAddress, side: 'a' | 'b') => VerifyFiler
}

/** Fixed parameters of the walk (Go's constants). */
export const VerifyDefaults = Object.freeze({
  path: '/',
  /** `limit` of each ListEntries request; pages continue from the last name, not inclusive. */
  listPageSize: 10_001,
  /** Directories listed and merged at once across the whole walk (Go `verifySyncConcurrency`). */
  listingConcurrency: 5,
  /** Subdirectory workers per directory. */
  workersPerLevel: 5,
  /** Files whose bytes are being read at once with `compareContent` (both sides each). */
  contentConcurrency: 5,
})

/**
 * Counts of a run: Go's `summaryRecord` (spec §10 JSON, same names) plus SeaSync's
 * `contentMismatch`, `readErrors` and `listErrors`.
 */
export interface VerifySummary {
  /** Directory pairs listed and merged (the root included). */
  directories: number
  /** File pairs compared (not skipped). */
  files: number
  /** Entries skipped because their mtime is past the cutoff. */
  skippedRecent: number
  missing: number
  sizeMismatch: number
  etagMismatch: number
  /** Content-equal files whose chunk lists differ only in order; not errors. */
  chunkReorder: number
  /** Entries only in B; always 0 with `isActivePassive`. */
  onlyInB: number
  /**
   * missing + sizeMismatch + etagMismatch (+ onlyInB in active-active) + contentMismatch +
   * readErrors + listErrors. Non-zero means "not verified": exit 2.
   */
  totalErrors: number
  contentMismatch: number
  readErrors: number
  listErrors: number
}

/**
 * Compares the tree under `aPath` on A with `bPath` on B (spec §10) and resolves to the summary;
 * each difference goes to `onRecord` as it is found. Listing and read failures are records too
 * and never throw; invalid options throw `SYNC_ERR_OPTIONS`, an abort SyncStoppedError.
 */
export async function verifySync(options: VerifyOptions): Promise<VerifySummary> {
  const a = toAddress(options.a, 'a')
  const b = toAddress(options.b, 'b')
  const modifiedTimeAgoMs = options.modifiedTimeAgoMs ?? 0
  if (!Number.isFinite(modifiedTimeAgoMs) || modifiedTimeAgoMs < 0) {
    throw new SyncError('SYNC_ERR_OPTIONS', `option modifiedTimeAgoMs: must be >= 0`)
  }
  const nowMs = options.nowMs ?? Date.now()
  const factory =
    options.clientFactory ??
    ((address, side) =>
      new FilerClient(address, {
        tls: side === 'a' ? options.aTls : options.bTls,
        ...(side === 'a' ? options.aClientOptions : options.bClientOptions),
      }))
  const clientA = factory(a, 'a')
  const clientB = factory(b, 'b')
  const walk = new VerifyWalk({
    clientA,
    clientB,
    httpA: { address: a.httpAddress, transport: httpTransport(options.aTls) },
    httpB: { address: b.httpAddress, transport: httpTransport(options.bTls) },
    isActivePassive: options.isActivePassive ?? false,
    // Go: cutoff = now − modifiedTimeAgo, compared with `cutoff.Unix()` (floor to seconds).
    cutoffSec: modifiedTimeAgoMs > 0 ? Math.floor((nowMs - modifiedTimeAgoMs) / 1000) : undefined,
    compareContent: options.compareContent ?? false,
    onRecord: options.onRecord ?? (() => {}),
    signal: options.signal,
  })
  try {
    await walk.compareDirectory(rootPath(options.aPath, 'aPath'), rootPath(options.bPath, 'bPath'))
  } finally {
    clientA.close?.()
    clientB.close?.()
  }
  return walk.summary()
}

function toAddress(address: string | FilerAddress, name: string): FilerAddress {
  if (typeof address !== 'string') return address
  if (address === '') throw new SyncError('SYNC_ERR_OPTIONS', `option ${name}: required`)
  return parseFilerAddress(address)
}

function rootPath(path: string | undefined, name: string): string {
  const p = path === undefined || path === '' ? VerifyDefaults.path : path
  if (!p.startsWith('/')) {
    throw new SyncError('SYNC_ERR_OPTIONS', `option ${name}: must be absolute, got ${p}`)
  }
  return cleanPath(p)
}

interface WalkContext {
  clientA: VerifyFiler
  clientB: VerifyFiler
  /** The filers' HTTP APIs, for `compareContent`. */
  httpA: FilerHttp
  httpB: FilerHttp
  isActivePassive: boolean
  /** Entries with `mtime > cutoffSec` are "too recent"; undefined: no cutoff. */
  cutoffSec: number | undefined
  compareContent: boolean
  onRecord: (record: VerifyRecord) => void
  signal: AbortSignal | undefined
}

/** A file pair whose metadata agreed (or only chunk order differed), to read with compareContent. */
interface ContentCheck {
  pathA: string
  pathB: string
  a: EntryOutput
  b: EntryOutput
  reorder: boolean
}

type Counter = Exclude<keyof VerifySummary, 'totalErrors'>

class VerifyWalk {
  private readonly listSlots = new Semaphore(VerifyDefaults.listingConcurrency)
  private readonly contentSlots = new Semaphore(VerifyDefaults.contentConcurrency)
  private readonly counts: Record<Counter, number> = {
    directories: 0,
    files: 0,
    skippedRecent: 0,
    missing: 0,
    sizeMismatch: 0,
    etagMismatch: 0,
    chunkReorder: 0,
    onlyInB: 0,
    contentMismatch: 0,
    readErrors: 0,
    listErrors: 0,
  }

  constructor(private readonly ctx: WalkContext) {}

  summary(): VerifySummary {
    const c = this.counts
    const totalErrors =
      c.missing +
      c.sizeMismatch +
      c.etagMismatch +
      (this.ctx.isActivePassive ? 0 : c.onlyInB) +
      c.contentMismatch +
      c.readErrors +
      c.listErrors
    // Go's field order (summaryRecord), then SeaSync's.
    return {
      directories: c.directories,
      files: c.files,
      skippedRecent: c.skippedRecent,
      missing: c.missing,
      sizeMismatch: c.sizeMismatch,
      etagMismatch: c.etagMismatch,
      chunkReorder: c.chunkReorder,
      onlyInB: c.onlyInB,
      totalErrors,
      contentMismatch: c.contentMismatch,
      readErrors: c.readErrors,
      listErrors: c.listErrors,
    }
  }

  /** Go `compareDirectory`: list both sides under a slot, merge, release, then recurse. */
  async compareDirectory(dirA: string, dirB: string): Promise<void> {
    const { ctx } = this
    const subDirs: [string, string][] = []
    const contentChecks: ContentCheck[] = []
    const release = await this.listSlots.acquire(ctx.signal)
    try {
      this.counts.directories++
      // Both sides list concurrently and completely before anything is compared: a failed
      // listing must not be merged as if it were empty (HEAD ListErrorNoBogusDiffs).
      const [listedA, listedB] = await Promise.allSettled([
        listAll(ctx.clientA, dirA, ctx.signal),
        listAll(ctx.clientB, dirB, ctx.signal),
      ])
      throwIfAborted(ctx.signal, 'filer.sync.verify')
      let failed = false
      for (const [listed, side, dir] of [
        [listedA, 'a', dirA],
        [listedB, 'b', dirB],
      ] as const) {
        if (listed.status === 'fulfilled') continue
        if (isAbortError(listed.reason)) throw listed.reason
        this.listError(side, dir, listed.reason)
        failed = true
      }
      if (failed || listedA.status !== 'fulfilled' || listedB.status !== 'fulfilled') return
      await this.merge(dirA, dirB, listedA.value, listedB.value, subDirs, contentChecks)
    } finally {
      // Released before recursing, so children can take it (Go: holding it across the wait
      // deadlocks once the depth exceeds the slot count).
      release()
    }
    await Promise.all([
      runPool(subDirs, VerifyDefaults.workersPerLevel, ([a, b]) => this.compareDirectory(a, b)),
      Promise.all(contentChecks.map((check) => this.compareContent(check))),
    ])
  }

  /** The merge-join of two listings sorted in byte order (both sorted client-side, HEAD ≥4.37). */
  private async merge(
    dirA: string,
    dirB: string,
    entriesA: readonly Listed[],
    entriesB: readonly Listed[],
    subDirs: [string, string][],
    contentChecks: ContentCheck[],
  ): Promise<void> {
    const { ctx } = this
    let i = 0
    let j = 0
    while (i < entriesA.length || j < entriesB.length) {
      const listedA = entriesA[i]
      const listedB = entriesB[j]
      const entryA = listedA?.entry
      const entryB = listedB?.entry
      const order = !listedA ? 1 : !listedB ? -1 : Buffer.compare(listedA.key, listedB.key)
      if (order < 0 && entryA !== undefined) {
        i++
        const pathA = cleanJoin(dirA, name(entryA))
        if (entryA.is_directory) {
          // Always walked, even when recent: a new child bumps the directory's mtime while older
          // files below it are missing too. The cutoff applies per file below.
          this.report(missingRecord(pathA, entryA))
          await this.reportMissingTree(pathA)
        } else if (this.tooRecent(entryA)) {
          this.counts.skippedRecent++
        } else {
          this.report(missingRecord(pathA, entryA))
        }
      } else if (order > 0 && entryB !== undefined) {
        j++
        if (ctx.isActivePassive) continue
        if (this.tooRecent(entryB)) this.counts.skippedRecent++
        else this.report(onlyInBRecord(cleanJoin(dirB, name(entryB)), entryB))
      } else if (entryA !== undefined && entryB !== undefined) {
        i++
        j++
        const pathA = cleanJoin(dirA, name(entryA))
        const pathB = cleanJoin(dirB, name(entryB))
        if (entryA.is_directory && entryB.is_directory) {
          subDirs.push([pathA, pathB])
        } else if (!entryA.is_directory && !entryB.is_directory) {
          if (this.tooRecent(entryA) || this.tooRecent(entryB)) {
            this.counts.skippedRecent++
          } else {
            this.compareFilePair(pathA, pathB, entryA, entryB, contentChecks)
          }
        } else {
          // A file on one side, a directory on the other (no cutoff, no recursion: Go).
          this.report(missingRecord(pathA, entryA))
          if (!ctx.isActivePassive) this.report(onlyInBRecord(pathB, entryB))
        }
      }
    }
  }

  /** Go `compareEntries`; metadata-equal pairs are queued for `compareContent`. */
  private compareFilePair(
    pathA: string,
    pathB: string,
    a: EntryOutput,
    b: EntryOutput,
    contentChecks: ContentCheck[],
  ): void {
    this.counts.files++
    const verdict = compareFiles(a, b)
    switch (verdict) {
      case 'SIZE_MISMATCH':
      case 'ETAG_MISMATCH':
        this.report(pairRecord(verdict, pathA, a, b))
        return
      case 'CHUNK_REORDER':
        // With compareContent the bytes decide between CHUNK_REORDER and CONTENT_MISMATCH.
        if (this.ctx.compareContent) contentChecks.push({ pathA, pathB, a, b, reorder: true })
        else this.report(pairRecord('CHUNK_REORDER', pathA, a, b))
        return
      case 'EQUAL':
        if (this.ctx.compareContent) contentChecks.push({ pathA, pathB, a, b, reorder: false })
        return
    }
  }

  /** Reads both files through their filers' HTTP API and compares md5 and length. */
  private async compareContent(check: ContentCheck): Promise<void> {
    const { ctx } = this
    const release = await this.contentSlots.acquire(ctx.signal)
    try {
      const [digestA, digestB] = await Promise.allSettled([
        contentDigest(ctx.httpA, check.pathA, ctx.signal),
        contentDigest(ctx.httpB, check.pathB, ctx.signal),
      ])
      throwIfAborted(ctx.signal, 'filer.sync.verify')
      let failed = false
      for (const [digest, side, path] of [
        [digestA, 'a', check.pathA],
        [digestB, 'b', check.pathB],
      ] as const) {
        if (digest.status === 'fulfilled') continue
        if (isAbortError(digest.reason)) throw digest.reason
        this.counts.readErrors++
        this.ctx.onRecord({ type: 'READ_ERROR', path, side, message: message(digest.reason) })
        failed = true
      }
      if (failed || digestA.status !== 'fulfilled' || digestB.status !== 'fulfilled') {
        // The metadata verdict still stands; the bytes are unknown (counted as read errors).
        if (check.reorder) this.report(pairRecord('CHUNK_REORDER', check.pathA, check.a, check.b))
        return
      }
      const same =
        digestA.value.md5 === digestB.value.md5 && digestA.value.bytes === digestB.value.bytes
      if (same) {
        if (check.reorder) this.report(pairRecord('CHUNK_REORDER', check.pathA, check.a, check.b))
        return
      }
      this.report(
        pairRecord('CONTENT_MISMATCH', check.pathA, check.a, check.b, {
          a: digestA.value.md5,
          b: digestB.value.md5,
        }),
      )
    } finally {
      release()
    }
  }

  /**
   * Go `countMissingRecursive`: every file below a directory missing in B is MISSING, unless too
   * recent. Runs under the caller's slot; only A is listed.
   */
  private async reportMissingTree(dir: string): Promise<void> {
    let entries: readonly Listed[]
    try {
      entries = await listAll(this.ctx.clientA, dir, this.ctx.signal)
    } catch (err) {
      if (isAbortError(err)) throw err
      this.listError('a', dir, err)
      return
    }
    for (const { entry } of entries) {
      const path = cleanJoin(dir, name(entry))
      if (entry.is_directory) await this.reportMissingTree(path)
      else if (this.tooRecent(entry)) this.counts.skippedRecent++
      else this.report(missingRecord(path, entry))
    }
  }

  /** Go `isTooRecent`: mtime (seconds) after the cutoff; never without attributes. */
  private tooRecent(entry: EntryOutput): boolean {
    const { cutoffSec } = this.ctx
    return cutoffSec !== undefined && entry.attributes != null && entryMtimeSec(entry) > cutoffSec
  }

  private listError(side: 'a' | 'b', path: string, err: unknown): void {
    this.counts.listErrors++
    this.ctx.onRecord({ type: 'LIST_ERROR', path, side, message: message(err) })
  }

  private report(record: VerifyDiffRecord): void {
    switch (record.type) {
      case 'MISSING':
        this.counts.missing++
        break
      case 'ONLY_IN_B':
        this.counts.onlyInB++
        break
      case 'SIZE_MISMATCH':
        this.counts.sizeMismatch++
        break
      case 'ETAG_MISMATCH':
        this.counts.etagMismatch++
        break
      case 'CHUNK_REORDER':
        this.counts.chunkReorder++
        break
      case 'CONTENT_MISMATCH':
        this.counts.contentMismatch++
        break
    }
    this.ctx.onRecord(record)
  }
}

function name(entry: EntryOutput): string {
  return entry.name ?? ''
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err)
}

function missingRecord(path: string, entry: EntryOutput): VerifyDiffRecord {
  return {
    type: 'MISSING',
    path,
    ...(entry.is_directory && { isDirectory: true as const }),
    a: entrySide(entry),
  }
}

function onlyInBRecord(path: string, entry: EntryOutput): VerifyDiffRecord {
  return {
    type: 'ONLY_IN_B',
    path,
    ...(entry.is_directory && { isDirectory: true as const }),
    b: entrySide(entry),
  }
}

/** An entry and its name's UTF-8 bytes, the merge key (Go compares strings bytewise). */
interface Listed {
  entry: EntryOutput
  key: Buffer
}

/**
 * A whole directory, paged as spec §10 (`limit` 10001, continuing after the last name, not
 * inclusive), then sorted in byte order: the filer's own order is not trusted, since an older
 * filer on a locale-collated SQL store lists case-insensitively (HEAD ≥4.37, field notes §3
 * item 61). Memory is O(directory size), as Go's.
 */
async function listAll(
  client: VerifyFiler,
  dir: string,
  signal: AbortSignal | undefined,
): Promise<Listed[]> {
  const entries: EntryOutput[] = []
  const pageSize = VerifyDefaults.listPageSize
  let startFrom = ''
  for (;;) {
    let count = 0
    for await (const entry of client.listEntries(dir, {
      startFrom,
      inclusive: false,
      limit: pageSize,
      signal,
    })) {
      entries.push(entry)
      startFrom = name(entry)
      count++
    }
    if (count < pageSize) break
  }
  const keyed = entries.map((entry) => ({ entry, key: Buffer.from(name(entry), 'utf8') }))
  return keyed.sort((x, y) => Buffer.compare(x.key, y.key))
}

/** Runs `work` over `items` with at most `workers` at once; rejects with the first failure. */
async function runPool<T>(
  items: readonly T[],
  workers: number,
  work: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0
  let firstError: { error: unknown } | undefined
  const worker = async (): Promise<void> => {
    while (next < items.length && firstError === undefined) {
      const item = items[next++]!
      try {
        await work(item)
      } catch (error) {
        firstError ??= { error }
      }
    }
  }
  await Promise.all(Array.from({ length: Math.min(workers, items.length) }, worker))
  if (firstError) throw firstError.error
}
