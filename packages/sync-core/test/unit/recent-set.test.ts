import { describe, expect, it } from 'vitest'
import { RecentSet } from '../../src/util/recent-set.js'

describe('RecentSet', () => {
  it('forgets the oldest key past its capacity', () => {
    const s = new RecentSet(2)
    s.add('a')
    s.add('b')
    s.add('c')
    expect([s.has('a'), s.has('b'), s.has('c'), s.size]).toEqual([false, true, true, 2])
  })

  it('re-adding a key makes it the newest', () => {
    const s = new RecentSet(2)
    s.add('a')
    s.add('b')
    s.add('a')
    s.add('c')
    expect([s.has('a'), s.has('b'), s.has('c')]).toEqual([true, false, true])
  })

  it('deletes', () => {
    const s = new RecentSet(2)
    s.add('a')
    s.delete('a')
    expect(s.has('a')).toBe(false)
  })

  it('refuses a capacity that is not positive', () => {
    expect(() => new RecentSet(0)).toThrow(RangeError)
  })
})
