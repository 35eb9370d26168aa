import { describe, expect, it } from 'vitest'
import {
  formatAgo,
  formatBytes,
  formatByteRate,
  formatEventRate,
  formatSeconds,
  nsToMs,
  stateText,
} from './format'

describe('formatSeconds', () => {
  it.each([
    [0, '0 s'],
    [-3, '0 s'],
    [Number.NaN, '0 s'],
    [0.000579, '0 s'],
    [0.44, '0.4 s'],
    [3, '3 s'],
    [12.44, '12.4 s'],
    [59.96, '1 min'],
    [185, '3 min 5 s'],
    [3600, '1 h'],
    [7_800, '2 h 10 min'],
    [3 * 86_400 + 4 * 3600, '3 d 4 h'],
  ])('%s s reads %s', (seconds, text) => {
    expect(formatSeconds(seconds)).toBe(text)
  })
})

describe('bytes and rates', () => {
  it.each([
    [0, '0 B'],
    [512, '512 B'],
    [1536, '1.5 KiB'],
    [3 * 1024 * 1024, '3 MiB'],
    [150 * 1024 * 1024, '150 MiB'],
  ])('%s bytes read %s', (bytes, text) => {
    expect(formatBytes(bytes)).toBe(text)
  })

  it('formats event and byte rates', () => {
    expect(formatEventRate(0)).toBe('0/s')
    expect(formatEventRate(0.97)).toBe('1/s')
    expect(formatEventRate(0.34)).toBe('0.3/s')
    expect(formatEventRate(1204.2)).toBe('1,204/s')
    expect(formatByteRate(2048)).toBe('2 KiB/s')
  })
})

describe('nsToMs', () => {
  it('divides on BigInt, exact to the millisecond beyond 2^53', () => {
    expect(nsToMs('1795562966480606663')).toBe(1795562966480)
  })

  it('reads 0, negatives and garbage as none', () => {
    expect(nsToMs('0')).toBeNull()
    expect(nsToMs('-5')).toBeNull()
    expect(nsToMs('12a')).toBeNull()
    expect(nsToMs(null)).toBeNull()
  })
})

it('formatAgo says how long ago', () => {
  expect(formatAgo(10_000, 10_400)).toBe('just now')
  expect(formatAgo(10_000, 15_000)).toBe('5 s ago')
  expect(formatAgo(0, 185_000)).toBe('3 min 5 s ago')
})

it('stateText spells states with spaces', () => {
  expect(stateText('in-sync')).toBe('in sync')
  expect(stateText('falling-behind')).toBe('falling behind')
  expect(stateText('stalled')).toBe('stalled')
})
