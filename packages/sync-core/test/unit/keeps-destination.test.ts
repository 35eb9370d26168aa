import type { EntryOutput } from '@seasync/proto'
import { describe, expect, it } from 'vitest'
import { keepsDestination } from '../../src/apply/entry-applier.js'

const entry = (mtime: number, mtimeNs: number, extra: Partial<EntryOutput> = {}): EntryOutput => ({
  name: 'f',
  chunks: [],
  extended: {},
  attributes: { mtime: String(mtime), mtime_ns: mtimeNs, group_name: [] },
  ...extra,
})
const md5 = (hex: string): Partial<EntryOutput> => ({
  attributes: { mtime: '100', mtime_ns: 5, group_name: [], md5: Buffer.from(hex, 'hex') },
})

describe('keepsDestination: last writer wins, one total order on both sides', () => {
  it('orders by mtime at ns precision (same second, later ns wins)', () => {
    expect(keepsDestination(entry(100, 6), entry(100, 5))).toBe(true)
    expect(keepsDestination(entry(100, 5), entry(100, 6))).toBe(false)
    expect(keepsDestination(entry(101, 0), entry(100, 999_999_999))).toBe(true)
  })

  it('breaks an exact mtime tie by ETag, the same way from either side', () => {
    const low = entry(100, 5, md5('00'.repeat(16)))
    const high = entry(100, 5, md5('ff'.repeat(16)))
    expect(keepsDestination(high, low)).toBe(true)
    expect(keepsDestination(low, high)).toBe(false)
  })

  it('breaks a tie of md5-less inline files by their bytes', () => {
    const a = entry(100, 5, { content: Buffer.from('a') })
    const b = entry(100, 5, { content: Buffer.from('b') })
    expect(keepsDestination(b, a)).toBe(true)
    expect(keepsDestination(a, b)).toBe(false)
    expect(keepsDestination(a, entry(100, 5, { content: Buffer.from('a') }))).toBe(false)
  })
})
