import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { SyncError } from '../../src/errors.js'
import type { JobKind, JobSpec } from '../../src/scheduler/job-kind.js'
import { ActiveJobs, conflicts } from '../../src/scheduler/path-conflicts.js'

const file = (path: string): JobSpec => ({ kind: 'file', paths: [path] })
const dir = (path: string): JobSpec => ({ kind: 'barrierDir', paths: [path] })
const attr = (path: string): JobSpec => ({ kind: 'nonBarrierDir', paths: [path] })
const renameFile = (from: string, to: string): JobSpec => ({ kind: 'file', paths: [from, to] })
const renameDir = (from: string, to: string): JobSpec => ({ kind: 'barrierDir', paths: [from, to] })

function activeOf(...jobs: JobSpec[]): ActiveJobs {
  const active = new ActiveJobs()
  for (const job of jobs) active.add(job)
  return active
}

type Row = [name: string, active: JobSpec[], incoming: JobSpec, expected: boolean]

// One row per assertion of the Go tests named in filer-sync-protocol.md §12 item 7
// (weed/command/filer_sync_jobs_test.go), plus directory-boundary cases (§12 item 1).
const table: Row[] = [
  ['TestFileVsFileConflict: same file', [file('/dir1/file.txt')], file('/dir1/file.txt'), true],
  ['TestFileVsFileConflict: other file', [file('/dir1/file.txt')], file('/dir1/other.txt'), false],
  ['TestFileVsFileConflict: other dir', [file('/dir1/file.txt')], file('/dir2/file.txt'), false],

  ['TestFileUnderActiveDirConflict: file under', [dir('/dir1')], file('/dir1/file.txt'), true],
  ['TestFileUnderActiveDirConflict: deep', [dir('/dir1')], file('/dir1/sub/deep/f.txt'), true],
  ['TestFileUnderActiveDirConflict: outside', [dir('/dir1')], file('/dir2/file.txt'), false],
  ['TestFileUnderActiveDirConflict: file at the dir', [dir('/dir1')], file('/dir1'), true],

  ['TestDirWithActiveFileUnder: ancestor dir', [file('/dir1/sub/f.txt')], dir('/dir1'), true],
  ['TestDirWithActiveFileUnder: unrelated dir', [file('/dir1/sub/f.txt')], dir('/dir2'), false],

  ['TestDirVsDirConflict: descendant', [dir('/a/b')], dir('/a/b/c'), true],
  ['TestDirVsDirConflict: ancestor', [dir('/a/b')], dir('/a'), true],
  ['TestDirVsDirConflict: same path', [dir('/a/b')], dir('/a/b'), true],
  ['TestDirVsDirConflict: sibling', [dir('/a/b')], dir('/a/c'), false],

  [
    'TestRenameConflict: new path',
    [file('/dir1/f.txt')],
    renameFile('/dir2/a', '/dir1/f.txt'),
    true,
  ],
  [
    'TestRenameConflict: old path',
    [file('/dir1/f.txt')],
    renameFile('/dir1/f.txt', '/dir2/b'),
    true,
  ],
  ['TestRenameConflict: unrelated', [file('/dir1/f.txt')], renameFile('/dir3/x', '/dir4/y'), false],
  ['TestRenameConflict: dir rename over busy subtree', [file('/d/x')], renameDir('/e', '/d'), true],

  [
    'TestActiveRenameConflict: old',
    [renameFile('/dir1/old', '/dir2/new')],
    file('/dir1/old'),
    true,
  ],
  [
    'TestActiveRenameConflict: new',
    [renameFile('/dir1/old', '/dir2/new')],
    file('/dir2/new'),
    true,
  ],
  [
    'TestActiveRenameConflict: other',
    [renameFile('/dir1/old', '/dir2/new')],
    file('/dir3/o'),
    false,
  ],
  ['TestActiveRenameConflict: dir, under new', [renameDir('/x', '/y/x')], file('/y/x/f'), true],
  ['TestActiveRenameConflict: dir, under old', [renameDir('/x', '/y/x')], file('/x/f'), true],
  ['TestActiveRenameConflict: dir, sibling', [renameDir('/x', '/y/x')], file('/y/z'), false],

  ['TestRootDirConflict: / waits for any job', [dir('/some/dir')], dir('/'), true],
  ['TestRootDirConflict: / waits for a file', [file('/f')], dir('/'), true],
  ['TestRootDirConflict: / waits for an attr update', [attr('/x/y')], dir('/'), true],
  ['TestRootDirConflict: active / blocks files', [dir('/')], file('/x/y'), true],
  ['TestRootDirConflict: active / blocks attr updates', [dir('/')], attr('/x'), true],
  ['TestRootDirConflict: / alone runs', [], dir('/'), false],

  ['TestNonBarrierDirUpdateDoesNotBlockDescendants: file', [attr('/dir1')], file('/dir1/f'), false],
  [
    'TestNonBarrierDirUpdateDoesNotBlockDescendants: deep',
    [attr('/dir1')],
    file('/dir1/s/d/f'),
    false,
  ],
  [
    'TestNonBarrierDirUpdateDoesNotBlockDescendants: sub dir',
    [attr('/dir1')],
    dir('/dir1/s'),
    false,
  ],
  ['TestNonBarrierDirUpdateDoesNotBlockDescendants: create', [dir('/dir1')], file('/dir1/f'), true],
  ['TestNonBarrierDirUpdateDoesNotBlockDescendants: delete', [file('/dir1/f')], dir('/dir1'), true],
  ['TestNonBarrierDirUpdateDoesNotBlockDescendants: ancestor', [attr('/a/b')], dir('/a'), true],
  ['TestNonBarrierDirUpdateDoesNotBlockDescendants: attr', [file('/a/b')], attr('/a'), false],

  ['TestSamePathBarrierSerialization: dir blocks file', [dir('/dir1')], file('/dir1'), true],
  ['TestSamePathBarrierSerialization: dir blocks dir', [dir('/dir1')], dir('/dir1'), true],
  ['TestSamePathBarrierSerialization: dir blocks attr', [dir('/dir1')], attr('/dir1'), true],
  ['TestSamePathBarrierSerialization: file blocks dir', [file('/thing')], dir('/thing'), true],
  ['TestSamePathBarrierSerialization: attr blocks dir', [attr('/dir1')], dir('/dir1'), true],
  ['TestSamePathBarrierSerialization: attr vs attr', [attr('/dir1')], attr('/dir1'), false],
  ['TestSamePathBarrierSerialization: file vs attr', [file('/p')], attr('/p'), false],
  ['TestSamePathBarrierSerialization: attr vs file', [attr('/p')], file('/p'), false],

  ['boundary: dir /foo vs file /foobar/x', [dir('/foo')], file('/foobar/x'), false],
  ['boundary: dir /foo vs file /foobar', [dir('/foo')], file('/foobar'), false],
  ['boundary: file /foobar/x vs dir /foo', [file('/foobar/x')], dir('/foo'), false],
  ['boundary: dir /foobar vs dir /foo', [dir('/foobar')], dir('/foo'), false],
  ['boundary: dir /foo vs dir /foobar', [dir('/foo')], dir('/foobar'), false],
  ['boundary: dir /foo vs file /foo/bar', [dir('/foo')], file('/foo/bar'), true],
  ['boundary: file /foo/bar vs dir /foo', [file('/foo/bar')], dir('/foo'), true],
  ['boundary: rename into /foobar vs dir /foo', [dir('/foo')], renameFile('/z', '/foobar'), false],
  ['boundary: "//" join equals "/" child', [dir('/foo')], file('//foo/x'), true],
  ['boundary: trailing slash', [file('/foo/')], file('/foo'), true],
]

describe('conflicts (filer-sync-protocol.md §4.4 rules 1–5)', () => {
  it.each(table)('%s', (_name, active, incoming, expected) => {
    expect(conflicts(activeOf(...active), incoming)).toBe(expected)
  })

  it('releasing the blocking job clears the conflict', () => {
    const active = activeOf(dir('/a'), file('/b/f'))
    expect(conflicts(active, file('/a/x'))).toBe(true)
    active.remove(dir('/a'))
    expect(conflicts(active, file('/a/x'))).toBe(false)
    expect(conflicts(active, dir('/b'))).toBe(true)
  })

  it('counts several jobs at one path', () => {
    const active = activeOf(attr('/d'), attr('/d'))
    active.remove(attr('/d'))
    expect(conflicts(active, dir('/d'))).toBe(true)
    active.remove(attr('/d'))
    expect(conflicts(active, dir('/d'))).toBe(false)
  })
})

describe('ActiveJobs index', () => {
  it('TestPathAncestors: every proper ancestor counts the path as below it', () => {
    const active = activeOf(file('/a/b/c/file.txt'))
    for (const ancestor of ['/a/b/c', '/a/b', '/a', '/']) {
      expect(active.countBelow(ancestor), ancestor).toBe(1)
    }
    expect(active.countBelow('/a/b/c/file.txt')).toBe(0)
    expect(active.countBelow('/a/b/c/file')).toBe(0)
    expect(active.countAt('/a/b/c/file.txt', 'file')).toBe(1)
  })

  it('TestIndexCleanup: removing every job empties the index', () => {
    const jobs = [file('/a/b/c/file.txt'), renameDir('/x', '/y/x'), attr('/a'), dir('/')]
    const active = activeOf(...jobs)
    expect(active.size).toBe(4)
    for (const job of jobs) active.remove(job)
    expect(active.size).toBe(0)
    expect(active.indexedPathCount).toBe(0)
  })

  it('removing a job that is not active is a caller bug', () => {
    const active = activeOf(file('/a'))
    expect(() => active.remove(dir('/a'))).toThrow(SyncError)
    expect(() => active.remove(file('/b'))).toThrow(SyncError)
    expect(active.countAt('/a', 'file')).toBe(1)
  })
})

// ---- Reference model: the rules restated pairwise over a plain list, by path components. ----

function components(path: string): string[] {
  return path.split('/').filter((c) => c !== '')
}

/** `a` is a proper ancestor of `b`, comparing whole components. */
function isProperAncestor(a: string, b: string): boolean {
  const ca = components(a)
  const cb = components(b)
  return ca.length < cb.length && ca.every((c, i) => c === cb[i])
}

function samePath(a: string, b: string): boolean {
  return components(a).join('/') === components(b).join('/')
}

function pathPairConflicts(activeKind: JobKind, q: string, inKind: JobKind, p: string): boolean {
  if (samePath(q, p)) {
    if (activeKind === 'barrierDir' || inKind === 'barrierDir') return true
    return activeKind === 'file' && inKind === 'file'
  }
  if (isProperAncestor(p, q)) return inKind === 'barrierDir'
  if (isProperAncestor(q, p)) return activeKind === 'barrierDir'
  return false
}

function referenceConflicts(active: readonly JobSpec[], incoming: JobSpec): boolean {
  return active.some((a) =>
    a.paths.some((q) => incoming.paths.some((p) => pathPairConflicts(a.kind, q, incoming.kind, p))),
  )
}

const pathArb = fc
  .array(fc.constantFrom('a', 'b', 'ab'), { maxLength: 3 })
  .map((parts) => '/' + parts.join('/'))
const jobArb: fc.Arbitrary<JobSpec> = fc.oneof(
  fc.record({
    kind: fc.constantFrom<JobKind>('file', 'barrierDir', 'nonBarrierDir'),
    paths: fc.tuple(pathArb).map((t): string[] => t),
  }),
  fc.record({
    kind: fc.constantFrom<JobKind>('file', 'barrierDir'),
    paths: fc.tuple(pathArb, pathArb).map((t): string[] => t),
  }),
)

describe('conflicts against a reference model (fast-check)', () => {
  it('the index agrees with a linear scan, before and after removals', () => {
    fc.assert(
      fc.property(
        fc.array(jobArb, { maxLength: 12 }),
        fc.array(fc.boolean(), { minLength: 12, maxLength: 12 }),
        jobArb,
        (jobs, removed, incoming) => {
          const active = activeOf(...jobs)
          expect(conflicts(active, incoming)).toBe(referenceConflicts(jobs, incoming))
          const kept = jobs.filter((job, i) => {
            if (removed[i] === true) active.remove(job)
            return removed[i] !== true
          })
          expect(active.size).toBe(kept.length)
          expect(conflicts(active, incoming)).toBe(referenceConflicts(kept, incoming))
        },
      ),
    )
  })

  it('is symmetric between two jobs', () => {
    fc.assert(
      fc.property(jobArb, jobArb, (a, b) => {
        expect(conflicts(activeOf(a), b)).toBe(conflicts(activeOf(b), a))
      }),
    )
  })
})
