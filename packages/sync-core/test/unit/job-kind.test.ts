import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { SyncError } from '../../src/errors.js'
import {
  canonicalPath,
  jobForEvent,
  type ClassifiedEvent,
  type EventShape,
  type JobSpec,
} from '../../src/scheduler/job-kind.js'

describe('jobForEvent (filer-sync-protocol.md §4.4)', () => {
  const cases: [string, ClassifiedEvent, JobSpec][] = [
    [
      'file create → file at new',
      { kind: 'create', isDirectory: false, newPath: '/d/f' },
      { kind: 'file', paths: ['/d/f'] },
    ],
    [
      'file delete → file at old',
      { kind: 'delete', isDirectory: false, oldPath: '/d/f' },
      { kind: 'file', paths: ['/d/f'] },
    ],
    [
      'file update → file at new',
      { kind: 'update', isDirectory: false, oldPath: '/d/f', newPath: '/d/f' },
      { kind: 'file', paths: ['/d/f'] },
    ],
    [
      'file rename → file at old and new',
      { kind: 'rename', isDirectory: false, oldPath: '/a/x', newPath: '/b/y' },
      { kind: 'file', paths: ['/a/x', '/b/y'] },
    ],
    [
      'dir create → barrierDir',
      { kind: 'create', isDirectory: true, newPath: '/d' },
      { kind: 'barrierDir', paths: ['/d'] },
    ],
    [
      'dir delete → barrierDir',
      { kind: 'delete', isDirectory: true, oldPath: '/d' },
      { kind: 'barrierDir', paths: ['/d'] },
    ],
    [
      'dir in-place update → nonBarrierDir',
      { kind: 'update', isDirectory: true, oldPath: '/d', newPath: '/d' },
      { kind: 'nonBarrierDir', paths: ['/d'] },
    ],
    [
      'dir rename → barrierDir at old and new',
      { kind: 'rename', isDirectory: true, oldPath: '/a', newPath: '/b/a' },
      { kind: 'barrierDir', paths: ['/a', '/b/a'] },
    ],
    [
      'root-directory join "//" is canonicalized',
      { kind: 'create', isDirectory: false, newPath: '//top' },
      { kind: 'file', paths: ['/top'] },
    ],
  ]

  it.each(cases)('%s', (_name, event, expected) => {
    expect(jobForEvent(event)).toEqual(expected)
  })

  it.each<ClassifiedEvent>([
    { kind: 'create', isDirectory: false },
    { kind: 'delete', isDirectory: true, newPath: '/x' },
    { kind: 'update', isDirectory: true, oldPath: '/x' },
    { kind: 'rename', isDirectory: false, oldPath: '/x' },
    { kind: 'rename', isDirectory: false, newPath: '/x', oldPath: '' },
  ])('a missing path is a caller bug: %o', (event) => {
    expect(() => jobForEvent(event)).toThrow(SyncError)
  })

  it('kind depends only on (shape, isDirectory); paths follow the shape', () => {
    fc.assert(
      fc.property(
        fc.constantFrom<EventShape>('create', 'delete', 'update', 'rename'),
        fc.boolean(),
        (kind, isDirectory) => {
          const job = jobForEvent({ kind, isDirectory, oldPath: '/o', newPath: '/n' })
          const expectedKind = !isDirectory
            ? 'file'
            : kind === 'update'
              ? 'nonBarrierDir'
              : 'barrierDir'
          expect(job.kind).toBe(expectedKind)
          const expectedPaths = {
            create: ['/n'],
            delete: ['/o'],
            update: ['/n'],
            rename: ['/o', '/n'],
          }
          expect(job.paths).toEqual(expectedPaths[kind])
        },
      ),
    )
  })
})

describe('canonicalPath', () => {
  it.each([
    ['/', '/'],
    ['', '/'],
    ['//', '/'],
    ['/a', '/a'],
    ['//a', '/a'],
    ['/a/', '/a'],
    ['/a//b/', '/a/b'],
  ])('%j → %j', (input, expected) => {
    expect(canonicalPath(input)).toBe(expected)
  })

  it('is idempotent and always starts with one slash', () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom('/', 'a', 'b', '.') }), (path) => {
        const once = canonicalPath(path)
        expect(canonicalPath(once)).toBe(once)
        expect(once.startsWith('/')).toBe(true)
        expect(once.startsWith('//')).toBe(false)
      }),
    )
  })
})
