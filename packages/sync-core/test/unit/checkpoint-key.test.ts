import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  checkpointKey,
  decodeCheckpoint,
  encodeCheckpoint,
  legacyCheckpointKey,
} from '../../src/checkpoint/checkpoint-key.js'

const hex = (buf: Uint8Array): string => Buffer.from(buf).toString('hex')

describe('checkpointKey (spec §4.1)', () => {
  it('path "/" uses the bare legacy prefix: sig −2 → 73 79 6e 63 2e ff ff ff fe', () => {
    expect(hex(checkpointKey('/', -2))).toBe('73796e632e' + 'fffffffe')
  })

  it('other paths are appended verbatim: /data, sig 0x01020304 → "sync./data" + 01 02 03 04', () => {
    const key = checkpointKey('/data', 0x01020304)
    expect(key.subarray(0, -4).toString('utf8')).toBe('sync./data')
    expect(hex(key.subarray(-4))).toBe('01020304')
    expect(key).toHaveLength('sync./data'.length + 4)
  })

  it('does not normalize: /data and /data/ are different keys', () => {
    expect(checkpointKey('/data', 7).equals(checkpointKey('/data/', 7))).toBe(false)
    expect(checkpointKey('/data/', 7).subarray(0, -4).toString()).toBe('sync./data/')
  })

  it('encodes the path as UTF-8 and the signature as two’s-complement uint32', () => {
    expect(hex(checkpointKey('/é', -1))).toBe(hex(Buffer.from('sync./é')) + 'ffffffff')
    expect(hex(checkpointKey('/', -(2 ** 31)))).toBe('73796e632e80000000')
    expect(hex(checkpointKey('/', 2 ** 31 - 1))).toBe('73796e632e7fffffff')
    // A uint32 spelling of the same bits gives the same key.
    expect(checkpointKey('/', 0xfffffffe).equals(checkpointKey('/', -2))).toBe(true)
  })

  it('a target path other than "/" joins the key as "=>" + path (upstream PR #10934, field notes #17)', () => {
    const prefix = (sourcePath: string, targetPath: string) =>
      checkpointKey(sourcePath, 12345, targetPath).subarray(0, -4).toString()
    // upstream's own key-form cases: the historical forms survive verbatim
    expect(prefix('/', '/')).toBe('sync.')
    expect(prefix('/data', '/')).toBe('sync./data')
    expect(prefix('/', '/backup-a')).toBe('sync.=>/backup-a')
    expect(prefix('/data', '/backup-a')).toBe('sync./data=>/backup-a')
    expect(checkpointKey('/data', 7, '/').equals(checkpointKey('/data', 7))).toBe(true)
    expect(checkpointKey('/', 7, '/a').equals(checkpointKey('/', 7, '/b'))).toBe(false)
    expect(checkpointKey('/', -2, '/b').subarray(-4).toString('hex')).toBe('fffffffe')
  })

  it("the legacy key (read as a fallback) is 4.44's, and only exists for a non-root target", () => {
    expect(legacyCheckpointKey('/data', 7, '/')).toBeUndefined()
    expect(legacyCheckpointKey('/data', 7, '/b')?.equals(checkpointKey('/data', 7))).toBe(true)
  })

  it('rejects signatures that are not 32-bit integers', () => {
    expect(() => checkpointKey('/', 1.5)).toThrow(RangeError)
    expect(() => checkpointKey('/', 2 ** 32)).toThrow(RangeError)
    expect(() => checkpointKey('/', -(2 ** 31) - 1)).toThrow(RangeError)
  })
})

describe('encodeCheckpoint / decodeCheckpoint (spec §4.1)', () => {
  it('writes 8 bytes big-endian and round-trips 1790000000123456789n', () => {
    const ts = 1790000000123456789n
    const buf = encodeCheckpoint(ts)
    expect(buf).toHaveLength(8)
    expect(hex(buf)).toBe(ts.toString(16).padStart(16, '0'))
    expect(hex(buf)).toBe('18d75b842b4ecd15')
    expect(decodeCheckpoint(buf)).toBe(ts)
  })

  it('decodes values shorter than 8 bytes (including a missing key) as 0n', () => {
    expect(decodeCheckpoint(Buffer.alloc(0))).toBe(0n)
    expect(decodeCheckpoint(Buffer.from([1]))).toBe(0n)
    expect(decodeCheckpoint(Buffer.from('01020304050607', 'hex'))).toBe(0n)
  })

  it('decodes longer values as Go does: bytes folded big-endian into a wrapping uint64 (last 8 count)', () => {
    expect(decodeCheckpoint(Buffer.from('ff0000000000000001', 'hex'))).toBe(1n)
    expect(decodeCheckpoint(Buffer.from('aabb0102030405060708', 'hex'))).toBe(0x0102030405060708n)
  })

  it('reinterprets the uint64 as int64 (Go: int64(BytesToUint64(v)))', () => {
    expect(decodeCheckpoint(Buffer.from('ffffffffffffffff', 'hex'))).toBe(-1n)
    expect(decodeCheckpoint(Buffer.from('8000000000000000', 'hex'))).toBe(-(2n ** 63n))
    // Go writes uint64(int64), so negative values round-trip too.
    expect(hex(encodeCheckpoint(-1n))).toBe('ffffffffffffffff')
    expect(decodeCheckpoint(encodeCheckpoint(-5n))).toBe(-5n)
  })

  it('rejects values that do not fit in 64 bits', () => {
    expect(() => encodeCheckpoint(2n ** 64n)).toThrow(RangeError)
    expect(() => encodeCheckpoint(-(2n ** 63n) - 1n)).toThrow(RangeError)
  })

  it('round-trips every int64 (property)', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }), (ts) => {
        expect(decodeCheckpoint(encodeCheckpoint(ts))).toBe(ts)
      }),
    )
  })
})
