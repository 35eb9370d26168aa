import { posix } from 'node:path'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  cleanJoin,
  cleanPath,
  isEqualOrUnder,
  joinPath,
  parentAndName,
} from '../../src/util/paths.js'

/** A path component without `/` (and not `.`/`..`, which would be resolved by cleaning). */
const component = fc
  .string({ minLength: 1, maxLength: 6, unit: fc.constantFrom('a', 'b', 'o', 'x', ':', '-', '.') })
  .filter((s) => s !== '.' && s !== '..')
const absPath = fc.array(component, { maxLength: 5 }).map((parts) => `/${parts.join('/')}`)

describe('isEqualOrUnder', () => {
  it.each([
    ['/foo', '/foo', true],
    ['/foo/bar', '/foo', true],
    ['/foo/bar/baz', '/foo', true],
    ['/foobar', '/foo', false],
    ['/foobar/x', '/foo', false],
    ['/fo', '/foo', false],
    ['/', '/foo', false],
    ['/anything/at/all', '/', true],
    ['/', '/', true],
    ['/foo/', '/foo', true],
    ['/foo', '/foo/', true],
    ['/foo/bar', '/foo/', true],
    ['/foo/bar/', '/foo//', true],
    ['', '/', false],
    ['/foo', '', false],
    ['', '', false],
  ])('%j under %j → %j', (path, root, expected) => {
    expect(isEqualOrUnder(path, root)).toBe(expected)
  })

  it('property: a path is under itself and each of its ancestors, with or without trailing /', () => {
    fc.assert(
      fc.property(absPath, absPath, (a, b) => {
        const child = cleanJoin(a, b)
        expect(isEqualOrUnder(child, a)).toBe(true)
        expect(isEqualOrUnder(`${child}/`, a)).toBe(true)
        expect(isEqualOrUnder(child, `${a}/`)).toBe(true)
        expect(isEqualOrUnder(child, '/')).toBe(true)
      }),
    )
  })

  it('property: a sibling that only shares a string prefix is never under', () => {
    fc.assert(
      fc.property(absPath, component, component, (base, name, suffix) => {
        const root = joinPath(base, name)
        expect(isEqualOrUnder(`${root}${suffix}`, root)).toBe(false)
        expect(isEqualOrUnder(`${root}${suffix}/deeper`, root)).toBe(false)
      }),
    )
  })
})

describe('joinPath', () => {
  it.each([
    ['/', 'a', '/a'],
    ['/x', 'a', '/x/a'],
    ['/x/', 'a', '/x/a'],
    ['', 'a', '/a'],
    ['/x', '/a', '/x/a'],
    ['/x', 'a:b', '/x/a:b'],
  ])('%j + %j → %j', (dir, name, expected) => {
    expect(joinPath(dir, name)).toBe(expected)
  })
})

describe('cleanPath / cleanJoin (Go path.Clean / path.Join)', () => {
  it.each([
    ['', '.'],
    ['/', '/'],
    ['//', '/'],
    ['/a//b/', '/a/b'],
    ['/a/./b', '/a/b'],
    ['/a/b/..', '/a'],
    ['/a/../../b', '/b'],
    ['/..', '/'],
    ['a/..', '.'],
    ['../x', '../x'],
    ['a/../..', '..'],
    ['../../a', '../../a'],
  ])('cleanPath(%j) → %j', (input, expected) => {
    expect(cleanPath(input)).toBe(expected)
  })

  it.each([
    [['/backup/data', 'x/y.txt'], '/backup/data/x/y.txt'],
    [['/backup', ''], '/backup'],
    [['/', 'a/'], '/a'],
    [['/t', 'a//b'], '/t/a/b'],
    [['/t/', '/a'], '/t/a'],
    [['', ''], ''],
    [[], ''],
    [['', 'a'], 'a'],
    [['/t', '..', 'x'], '/x'],
    [['/t', 'a:b'], '/t/a:b'],
  ])('cleanJoin(%j) → %j', (parts, expected) => {
    expect(cleanJoin(...parts)).toBe(expected)
  })

  it('property: agrees with posix.normalize minus the trailing slash, and is idempotent', () => {
    const messy = fc.string({ maxLength: 20, unit: fc.constantFrom('/', '.', 'a', 'b') })
    fc.assert(
      fc.property(messy, (p) => {
        const normalized = posix.normalize(p)
        const expected = normalized.length > 1 ? normalized.replace(/\/$/, '') : normalized
        expect(cleanPath(p)).toBe(expected)
        expect(cleanPath(cleanPath(p))).toBe(cleanPath(p))
      }),
    )
  })
})

describe('parentAndName', () => {
  it.each([
    ['/a/b', '/a', 'b'],
    ['/a', '/', 'a'],
    ['/', '/', ''],
    ['', '/', ''],
    ['/a/b/', '/a', 'b'],
    ['name', '/', 'name'],
    ['/x/a:b', '/x', 'a:b'],
  ])('%j → %j + %j', (path, parent, name) => {
    expect(parentAndName(path)).toEqual({ parent, name })
  })

  it('property: joinPath(parent, name) rebuilds a clean non-root path', () => {
    fc.assert(
      fc.property(fc.array(component, { minLength: 1, maxLength: 5 }), (parts) => {
        const path = `/${parts.join('/')}`
        const { parent, name } = parentAndName(path)
        expect(name).toBe(parts[parts.length - 1])
        expect(joinPath(parent, name)).toBe(path)
      }),
    )
  })
})
