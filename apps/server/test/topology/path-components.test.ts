import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  contains,
  normalizePath,
  parentPath,
  pathComponents,
} from '../../src/topology/path-components.js'

describe('normalizePath', () => {
  it.each([
    ['/', '/'],
    ['', '/'],
    ['//', '/'],
    ['/a/', '/a'],
    ['/a//b///', '/a/b'],
    ['//buckets//x/', '/buckets/x'],
    ['a/b', '/a/b'],
    ['/a/./b/../c', '/a/c'],
    ['/../a', '/a'],
    ['/Data', '/Data'],
  ])('%j → %j', (input, expected) => {
    expect(normalizePath(input)).toBe(expected)
  })

  it('is idempotent and agrees with pathComponents', () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom('/', '.', 'a', 'b') }), (path) => {
        const normal = normalizePath(path)
        expect(normalizePath(normal)).toBe(normal)
        expect(pathComponents(normal)).toEqual(pathComponents(path))
      }),
    )
  })
})

describe('parentPath', () => {
  it.each([
    ['/a/b', '/a'],
    ['/a', '/'],
    ['/a/b/', '/a'],
    ['/', undefined],
    ['//', undefined],
  ])('%j → %j', (input, expected) => {
    expect(parentPath(input)).toBe(expected)
  })
})

describe('contains', () => {
  it.each([
    ['/a', '/a/b', true],
    ['/a', '/a', true],
    ['/a/', '/a//b', true],
    ['/', '/anything/at/all', true],
    ['/', '/', true],
    ['/a', '/ab', false],
    ['/ab', '/a', false],
    ['/a/b', '/a', false],
    ['/a/b', '/a/c', false],
    ['/buckets/x', '/buckets/xy/z', false],
  ])('contains(%j, %j) is %j', (ancestor, path, expected) => {
    expect(contains(ancestor, path)).toBe(expected)
  })

  it('is a partial order that parentPath walks up', () => {
    const segment = fc.constantFrom('a', 'b', 'ab')
    const path = fc.array(segment, { maxLength: 4 }).map((parts) => `/${parts.join('/')}`)
    fc.assert(
      fc.property(path, path, (p, q) => {
        expect(contains(p, p)).toBe(true)
        if (contains(p, q) && contains(q, p)) expect(normalizePath(p)).toBe(normalizePath(q))
        const parent = parentPath(p)
        if (parent !== undefined) expect(contains(parent, p) && !contains(p, parent)).toBe(true)
      }),
    )
  })
})
