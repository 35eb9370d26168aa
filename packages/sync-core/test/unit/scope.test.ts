import type { EntryOutput } from '@seasync/proto'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  planEvent,
  targetKey,
  targetPathToSourcePath,
  type Plan,
  type PlanOptions,
} from '../../src/apply/scope.js'
import {
  EventSequencer,
  flattenMetadataResponse,
  type ChangeEvent,
} from '../../src/stream/metadata-event.js'
import { isEqualOrUnder, joinPath } from '../../src/util/paths.js'

const entry = (name: string, isDirectory = false): EntryOutput => ({
  name,
  is_directory: isDirectory,
  chunks: [],
  extended: {},
})

interface EventSpec {
  dir: string
  old?: string
  new?: string
  newParent?: string
  deleteChunks?: boolean
  isDirectory?: boolean
}

/** A change event built the way the stream delivers it (through the real classifier). */
function ev(spec: EventSpec): ChangeEvent {
  const [item] = flattenMetadataResponse(
    {
      directory: spec.dir,
      ts_ns: '1700000000000000000',
      events: [],
      log_file_refs: [],
      event_notification: {
        ...(spec.old !== undefined && { old_entry: entry(spec.old, spec.isDirectory) }),
        ...(spec.new !== undefined && { new_entry: entry(spec.new, spec.isDirectory) }),
        new_parent_path: spec.newParent ?? (spec.new !== undefined ? spec.dir : ''),
        delete_chunks: spec.deleteChunks ?? false,
        signatures: [11],
      },
    },
    new EventSequencer(),
  )
  if (item?.type !== 'change') throw new Error('not a change')
  return item
}

const opts = (o: Partial<PlanOptions> = {}): PlanOptions => ({
  sourcePath: '/data',
  targetPath: '/backup/data',
  excludePaths: [],
  doDeleteFiles: true,
  ...o,
})

describe('path mapping (spec §6.3)', () => {
  it.each([
    ['/data/x/y.txt', '/data', '/backup/data', '/backup/data/x/y.txt'],
    ['/data', '/data', '/backup/data', '/backup/data'],
    ['/data/x', '/data/', '/backup/data', '/backup/data/x'],
    ['/data/x', '/data', '/backup/data/', '/backup/data/x'],
    ['/a/b', '/', '/', '/a/b'],
    ['/', '/', '/', '/'],
    ['/a/b', '/', '/backup', '/backup/a/b'],
    ['/data/x', '/data', '/', '/x'],
    ['/data/c:/x:y', '/data', '/backup/data', '/backup/data/c:/x:y'],
  ])('targetKey(%j) with %j → %j is %j', (key, source, target, expected) => {
    expect(targetKey(key, source, target)).toBe(expected)
  })

  it('-a.path=/data -b.path=/backup/data: /data/x/y.txt → /backup/data/x/y.txt', () => {
    const plan = planEvent(ev({ dir: '/data/x', new: 'y.txt' }), opts())
    expect(plan).toMatchObject({ op: 'create', targetKey: '/backup/data/x/y.txt' })
  })

  it('source root / and target root /: keys map to themselves', () => {
    const o = opts({ sourcePath: '/', targetPath: '/' })
    expect(planEvent(ev({ dir: '/', new: 'top' }), o)).toMatchObject({ targetKey: '/top' })
    expect(planEvent(ev({ dir: '/a/b', old: 'f' }), o)).toMatchObject({ targetKey: '/a/b/f' })
  })

  it('field notes §3 item 45: keys containing ":" keep the colon', () => {
    const plan = planEvent(ev({ dir: '/data/c:', new: 'a:b.txt' }), opts())
    expect(plan).toMatchObject({ op: 'create', targetKey: '/backup/data/c:/a:b.txt' })
  })

  it('property: mapping a key under the source root equals joining its relative part', () => {
    const part = fc.stringMatching(/^[a-z:]{1,4}$/)
    const absPath = fc.array(part, { maxLength: 3 }).map((p) => `/${p.join('/')}`)
    fc.assert(
      fc.property(absPath, absPath, fc.array(part, { maxLength: 3 }), (src, tgt, rel) => {
        const key = rel.reduce((dir, name) => joinPath(dir, name), src)
        const mapped = targetKey(key, src, tgt)
        expect(mapped).toBe(rel.reduce((dir, name) => joinPath(dir, name), tgt))
        expect(targetPathToSourcePath(mapped, tgt, src)).toBe(key)
      }),
    )
  })
})

describe('targetPathToSourcePath (spec §8.7)', () => {
  it.each([
    ['/backup/x/y', '/backup', '/data', '/data/x/y'],
    ['/backup/x/y', '/backup/', '/data/', '/data/x/y'],
    ['/backup', '/backup', '/data', '/data'],
    ['/x/y', '/', '/data', '/data/x/y'],
    ['/x/y', '', '', '/x/y'],
    ['/', '/', '/data', '/data'],
    ['/backup/x', '/backup', '/', '/x'],
    ['/backupX/y', '/backup', '/data', undefined],
    ['/other/y', '/backup', '/data', undefined],
  ])('%j with target root %j, source root %j → %j', (path, tRoot, sRoot, expected) => {
    expect(targetPathToSourcePath(path, tRoot, sRoot)).toBe(expected)
  })
})

describe('planEvent: basic routing (spec §6.2)', () => {
  it('create → CreateEntry at the mapped key with the event signatures', () => {
    expect(planEvent(ev({ dir: '/data', new: 'f' }), opts())).toEqual({
      op: 'create',
      cause: 'created',
      targetKey: '/backup/data/f',
      entry: entry('f'),
      signatures: [11],
    })
  })

  it('delete → DeleteEntry with is_delete_data = delete_chunks', () => {
    expect(
      planEvent(ev({ dir: '/data/d', old: 'sub', isDirectory: true, deleteChunks: true }), opts()),
    ).toEqual({
      op: 'delete',
      cause: 'deleted',
      targetKey: '/backup/data/d/sub',
      isDirectory: true,
      deleteData: true,
      signatures: [11],
    })
  })

  it('rename within scope → move [HEAD ≥4.33]', () => {
    const plan = planEvent(ev({ dir: '/data/a', old: 'f', new: 'g', newParent: '/data/b' }), opts())
    expect(plan).toEqual({
      op: 'move',
      oldTargetKey: '/backup/data/a/f',
      newTargetKey: '/backup/data/b/g',
      newEntry: entry('g'),
      isDirectory: false,
      signatures: [11],
    })
  })

  it('events entirely outside the source path are skipped', () => {
    expect(planEvent(ev({ dir: '/other', new: 'f' }), opts())).toEqual({
      op: 'skip',
      reason: 'outOfScope',
    })
  })

  it('a legacy rename whose keys are identical replays as the in-place update it is', () => {
    const change = ev({ dir: '/data', old: 'f', new: 'f', newParent: '' })
    expect(change.kind).toBe('rename')
    expect(planEvent(change, opts())).toMatchObject({
      op: 'update',
      oldTargetKey: '/backup/data/f',
      newTargetKey: '/backup/data/f',
    })
  })

  it.each(['', '.', '..'])('entries named %j are skipped (their key would be a directory)', (n) => {
    expect(planEvent(ev({ dir: '/data', old: n }), opts())).toEqual({
      op: 'skip',
      reason: 'invalidName',
    })
  })
})

describe('spec §12 pitfalls', () => {
  it('§12.1: directory-boundary matching, not string prefixes, for scope and excludes', () => {
    const o = opts({ sourcePath: '/foo', targetPath: '/dest', excludePaths: ['/foo/x'] })
    expect(planEvent(ev({ dir: '/foobar', new: 'f' }), o)).toMatchObject({ reason: 'outOfScope' })
    expect(planEvent(ev({ dir: '/foo/x', new: 'f' }), o)).toMatchObject({ reason: 'excluded' })
    expect(planEvent(ev({ dir: '/foo/xy', new: 'f' }), o)).toMatchObject({
      op: 'create',
      targetKey: '/dest/xy/f',
    })
  })

  it('§12.2: rename out of scope into a sibling-prefix directory becomes a delete', () => {
    const o = opts({ sourcePath: '/foo', targetPath: '/dest' })
    const plan = planEvent(ev({ dir: '/foo/dir', old: 'f', new: 'f', newParent: '/foobar/dir' }), o)
    expect(plan).toEqual({
      op: 'delete',
      cause: 'movedOut',
      targetKey: '/dest/dir/f',
      isDirectory: false,
      deleteData: false,
      signatures: [11],
    })
  })

  it('§12.3: rename from an excluded directory into scope becomes a create of the new key only', () => {
    const o = opts({ excludePaths: ['/data/tmp'] })
    const plan = planEvent(ev({ dir: '/data/tmp', old: 'f.part', new: 'f', newParent: '/data' }), o)
    expect(plan).toEqual({
      op: 'create',
      cause: 'fromExcluded',
      targetKey: '/backup/data/f',
      entry: entry('f'),
      signatures: [11],
    })
  })

  it('§12.5: in-place update is an UpdateEntry whose fallback deletes (data kept) then creates the same key', () => {
    const change = ev({ dir: '/data/d', old: 'f', new: 'f', deleteChunks: true })
    expect(change.kind).toBe('update')
    const plan = planEvent(change, opts())
    expect(plan).toEqual({
      op: 'update',
      oldTargetKey: '/backup/data/d/f',
      newTargetParent: '/backup/data/d',
      newTargetKey: '/backup/data/d/f',
      oldEntry: entry('f'),
      newEntry: entry('f'),
      isDirectory: false,
      deleteChunks: true,
      signatures: [11],
    })
  })

  it('§12.5: an update directly in the watched root maps its parent to the target root', () => {
    const plan = planEvent(ev({ dir: '/data', old: 'f', new: 'f' }), opts())
    expect(plan).toMatchObject({ op: 'update', newTargetParent: '/backup/data' })
  })

  it('§12.6: the watched root moving never becomes a delete or move of the target root', () => {
    // Reachable only through the new side (the root's own parent is outside the scope).
    const change = ev({
      dir: '/',
      old: 'data',
      new: 'inner',
      newParent: '/data',
      isDirectory: true,
    })
    expect(change.kind).toBe('rename')
    expect(planEvent(change, opts())).toEqual({
      op: 'create',
      cause: 'watchedRootMoved',
      targetKey: '/backup/data/inner',
      entry: entry('inner', true),
      signatures: [11],
    })
    // Same with a trailing slash on the source path.
    expect(planEvent(change, opts({ sourcePath: '/data/' }))).toMatchObject({
      op: 'create',
      cause: 'watchedRootMoved',
    })
  })

  it('§12.6: a rename of the watched root to elsewhere is not delivered as anything destructive', () => {
    const change = ev({ dir: '/', old: 'data', new: 'data2', newParent: '/', isDirectory: true })
    expect(planEvent(change, opts())).toEqual({ op: 'skip', reason: 'outOfScope' })
  })

  it('§12.6: nothing is ever moved or created onto the watched root (malformed events only)', () => {
    const change = ev({ dir: '/data', old: 'a', new: 'data', newParent: '/' })
    expect(planEvent(change, opts())).toEqual({ op: 'skip', reason: 'watchedRoot' })
    const create = ev({ dir: '/data', new: 'data', newParent: '/' })
    expect(planEvent(create, opts())).toEqual({ op: 'skip', reason: 'watchedRoot' })
  })

  it('§12.12: stale-source mapping handles trailing slashes, the / root, the root itself, outside paths', () => {
    expect(targetPathToSourcePath('/backup/data/x', '/backup/data/', '/data')).toBe('/data/x')
    expect(targetPathToSourcePath('/x', '/', '/')).toBe('/x')
    expect(targetPathToSourcePath('/backup/data', '/backup/data', '/data')).toBe('/data')
    expect(targetPathToSourcePath('/backup/database', '/backup/data', '/data')).toBeUndefined()
  })

  it('§12.16: multipart staging dirs are never replicated, and a rename out of them is dropped', () => {
    const o = opts({ sourcePath: '/', targetPath: '/' })
    const skipped = { op: 'skip', reason: 'multipartUpload' }
    expect(planEvent(ev({ dir: '/buckets/b/.uploads/u1', new: '0001.part' }), o)).toEqual(skipped)
    const out = ev({ dir: '/buckets/b/.uploads/u1', old: 'x', new: 'obj', newParent: '/buckets/b' })
    expect(planEvent(out, o)).toEqual(skipped)
    // The completed object arrives as its own event outside .uploads.
    expect(planEvent(ev({ dir: '/buckets/b', new: 'obj' }), o)).toMatchObject({ op: 'create' })
  })
})

describe('field notes §3 edge cases', () => {
  it('item 35: rename across the watched-dir boundary: into scope → create, out → delete; across an excluded subtree likewise', () => {
    const o = opts({ excludePaths: ['/data/skip'] })
    expect(
      planEvent(ev({ dir: '/elsewhere', old: 'f', new: 'f', newParent: '/data/in' }), o),
    ).toMatchObject({ op: 'create', cause: 'movedIn', targetKey: '/backup/data/in/f' })
    expect(
      planEvent(ev({ dir: '/data/in', old: 'f', new: 'f', newParent: '/elsewhere' }), o),
    ).toMatchObject({ op: 'delete', cause: 'movedOut', targetKey: '/backup/data/in/f' })
    expect(
      planEvent(ev({ dir: '/data/skip/a', old: 'f', new: 'f', newParent: '/data/in' }), o),
    ).toMatchObject({ op: 'create', cause: 'fromExcluded', targetKey: '/backup/data/in/f' })
    expect(
      planEvent(ev({ dir: '/data/in', old: 'f', new: 'f', newParent: '/data/skip/a' }), o),
    ).toMatchObject({ op: 'delete', cause: 'intoExcluded', targetKey: '/backup/data/in/f' })
  })

  it('item 36: rename into the watched dir from outside is not filtered by the old parent alone', () => {
    const plan = planEvent(
      ev({ dir: '/incoming', old: 'dir', new: 'dir', newParent: '/data', isDirectory: true }),
      opts(),
    )
    expect(plan).toMatchObject({ op: 'create', targetKey: '/backup/data/dir' })
  })

  it('item 39: doDeleteFiles=false skips deletes and overwrites (create-only backup)', () => {
    const o = opts({ doDeleteFiles: false })
    expect(planEvent(ev({ dir: '/data', old: 'f', deleteChunks: true }), o)).toEqual({
      op: 'skip',
      reason: 'deletesDisabled',
    })
    expect(planEvent(ev({ dir: '/data', old: 'f', new: 'f' }), o)).toMatchObject({
      op: 'create',
      cause: 'updateWithoutDelete',
      targetKey: '/backup/data/f',
    })
    expect(planEvent(ev({ dir: '/data', old: 'f', new: 'g' }), o)).toMatchObject({
      op: 'create',
      cause: 'renameWithoutDelete',
      targetKey: '/backup/data/g',
    })
    expect(planEvent(ev({ dir: '/data', old: 'f', new: 'f', newParent: '/elsewhere' }), o)).toEqual(
      { op: 'skip', reason: 'deletesDisabled' },
    )
    expect(planEvent(ev({ dir: '/data', new: 'n' }), o)).toMatchObject({ op: 'create' })
  })

  it('item 41: /foo does not match /foobar; / matches everything; an empty path matches nothing', () => {
    const foo = opts({ sourcePath: '/foo', targetPath: '/t' })
    expect(planEvent(ev({ dir: '/foobar', new: 'f' }), foo)).toMatchObject({ op: 'skip' })
    expect(planEvent(ev({ dir: '/foo', new: 'f' }), foo)).toMatchObject({ op: 'create' })
    const all = opts({ sourcePath: '/', targetPath: '/t' })
    expect(planEvent(ev({ dir: '/any/where', new: 'f' }), all)).toMatchObject({
      targetKey: '/t/any/where/f',
    })
    const none = opts({ sourcePath: '', targetPath: '/t' })
    expect(planEvent(ev({ dir: '/any', new: 'f' }), none)).toMatchObject({ op: 'skip' })
  })

  it('item 42: an empty exclude list (or the empty string a blank flag splits into) excludes nothing', () => {
    for (const excludePaths of [[], ['']]) {
      expect(planEvent(ev({ dir: '/data/x', new: 'f' }), opts({ excludePaths }))).toMatchObject({
        op: 'create',
      })
    }
  })

  it('item 43: exclude /tmp excludes events in /tmp and below, not /tmp2; the /tmp entry itself still replicates (spec §6.2 step 3)', () => {
    const o = opts({ sourcePath: '/', targetPath: '/t', excludePaths: ['/tmp'] })
    expect(planEvent(ev({ dir: '/tmp', new: 'f' }), o)).toMatchObject({ reason: 'excluded' })
    expect(planEvent(ev({ dir: '/tmp/sub', old: 'f' }), o)).toMatchObject({ reason: 'excluded' })
    expect(planEvent(ev({ dir: '/tmp2', new: 'f' }), o)).toMatchObject({ op: 'create' })
    expect(planEvent(ev({ dir: '/', new: 'tmp', isDirectory: true }), o)).toMatchObject({
      op: 'create',
      targetKey: '/t/tmp',
    })
    expect(planEvent(ev({ dir: '/', old: 'tmp', isDirectory: true }), o)).toMatchObject({
      op: 'delete',
      targetKey: '/t/tmp',
      isDirectory: true,
    })
  })

  it('item 44: every event under …/.uploads/… is ignored, including the upload staging dir itself', () => {
    const o = opts({ sourcePath: '/buckets', targetPath: '/buckets' })
    const skipped = { op: 'skip', reason: 'multipartUpload' }
    expect(planEvent(ev({ dir: '/buckets/b/.uploads', new: 'u1', isDirectory: true }), o)).toEqual(
      skipped,
    )
    expect(planEvent(ev({ dir: '/buckets/b/.uploads/u1', new: '1.part' }), o)).toEqual(skipped)
    expect(planEvent(ev({ dir: '/buckets/b/.uploads/u1', old: '1.part' }), o)).toEqual(skipped)
    // Outside /buckets/ the name is not special.
    const root = opts({ sourcePath: '/', targetPath: '/' })
    expect(planEvent(ev({ dir: '/home/.uploads/u1', new: 'x' }), root)).toMatchObject({
      op: 'create',
    })
  })
})

describe('planEvent invariants (property)', () => {
  const name = fc.constantFrom('a', 'b', 'data', 'foo', 'foobar', 'tmp', 'x:y')
  const dir = fc.array(name, { maxLength: 3 }).map((parts) => `/${parts.join('/')}`)
  const spec = fc.record(
    {
      dir,
      old: name,
      new: name,
      newParent: fc.oneof(dir, fc.constant('')),
      deleteChunks: fc.boolean(),
      isDirectory: fc.boolean(),
    },
    { requiredKeys: ['dir'] },
  )
  const options = fc.record({
    sourcePath: fc.oneof(
      dir,
      dir.map((d) => `${d}/`),
    ),
    targetPath: dir,
    excludePaths: fc.array(fc.oneof(dir, fc.constant('')), { maxLength: 2 }),
    doDeleteFiles: fc.boolean(),
  })
  const hasEntry = (s: EventSpec) => s.old !== undefined || s.new !== undefined
  const keysOf = (plan: Plan): string[] => {
    switch (plan.op) {
      case 'skip':
        return []
      case 'create':
      case 'delete':
        return [plan.targetKey]
      case 'update':
        return [plan.oldTargetKey, plan.newTargetParent, plan.newTargetKey]
      case 'move':
        return [plan.oldTargetKey, plan.newTargetKey]
    }
  }

  it('stays inside the target root, never destroys the target root, honours doDeleteFiles', () => {
    fc.assert(
      fc.property(spec.filter(hasEntry), options, (s, o) => {
        const plan = planEvent(ev(s), o)
        for (const key of keysOf(plan)) expect(isEqualOrUnder(key, o.targetPath)).toBe(true)
        // Only an update's parent directory may be the target root; no entry key ever is.
        const entryKeys = keysOf(plan).filter(
          (k) => plan.op !== 'update' || k !== plan.newTargetParent,
        )
        for (const key of entryKeys) expect(key).not.toBe(o.targetPath)
        if (!o.doDeleteFiles) expect(['skip', 'create']).toContain(plan.op)
      }),
      { numRuns: 2000 },
    )
  })

  it('acts only on sides whose directory is in scope and not excluded', () => {
    fc.assert(
      fc.property(spec.filter(hasEntry), options, (s, o) => {
        const change = ev(s)
        const plan = planEvent(change, o)
        const dirOk = (d: string) =>
          isEqualOrUnder(d, o.sourcePath) && !o.excludePaths.some((e) => isEqualOrUnder(d, e))
        // Step 3 admits an event when either side's directory is in scope; step 6 then needs the
        // new key in scope (a create whose `directory` and `new_parent_path` disagree is not real,
        // but the planner stays within these bounds for it too).
        if (plan.op === 'create') {
          expect(dirOk(change.directory) || dirOk(change.newParentPath)).toBe(true)
          expect(isEqualOrUnder(change.newKey ?? '', o.sourcePath)).toBe(true)
        }
        if (plan.op === 'delete') expect(dirOk(change.directory)).toBe(true)
        if (plan.op === 'move' || plan.op === 'update') {
          expect(dirOk(change.directory) && dirOk(change.newParentPath)).toBe(true)
        }
      }),
      { numRuns: 2000 },
    )
  })
})
