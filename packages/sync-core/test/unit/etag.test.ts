import { createHash } from 'node:crypto'
import type { EntryOutput, FileChunkOutput } from '@seasync/proto'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  chunksETag,
  EMPTY_ENTRY_ETAG,
  entryETag,
  entryFileSize,
  entryMtimeNs,
} from '../../src/apply/etag.js'

const md5 = (data: Buffer | string) => createHash('md5').update(data).digest()
const entry = (extra: Partial<EntryOutput> = {}): EntryOutput => ({
  name: 'f',
  chunks: [],
  extended: {},
  ...extra,
})
const chunk = (eTag: string, extra: Partial<FileChunkOutput> = {}): FileChunkOutput => ({
  file_id: '1,0100000001',
  e_tag: eTag,
  ...extra,
})
const helloB64 = md5('hello').toString('base64') // XUFAKrxLKna5cZ2REBfFkg==

describe('entryETag (spec §7.1)', () => {
  it('attributes.md5 wins, as lowercase hex', () => {
    const digest = md5('content')
    const e = entry({ attributes: { md5: digest, group_name: [] }, chunks: [chunk(helloB64)] })
    expect(entryETag(e)).toBe(digest.toString('hex'))
    expect(entryETag(e)).toMatch(/^[0-9a-f]{32}$/)
  })

  it('one chunk: hex of the base64-decoded e_tag', () => {
    expect(helloB64).toBe('XUFAKrxLKna5cZ2REBfFkg==')
    expect(entryETag(entry({ chunks: [chunk(helloB64)] }))).toBe('5d41402abc4b2a76b9719d911017c592')
  })

  it.each([
    ['unpadded', 'XUFAKrxLKna5cZ2REBfFkg'],
    ['url-safe alphabet', 'XUFAKrxLKna5cZ2REBfFk_=='],
    ['garbage', 'not base64!'],
    ['hex instead of base64', '5d41402abc4b2a76b9719d911017c592='],
  ])('one chunk with an invalid e_tag (%s) gives the empty string', (_label, eTag) => {
    expect(entryETag(entry({ chunks: [chunk(eTag)] }))).toBe('')
  })

  it('one chunk with an empty e_tag gives the empty string', () => {
    expect(entryETag(entry({ chunks: [{ file_id: '1,0100000001' }] }))).toBe('')
  })

  it('several chunks: md5 of the concatenated digests in list order, dash count', () => {
    const a = md5('a')
    const b = md5('b')
    const e = entry({ chunks: [chunk(a.toString('base64')), chunk(b.toString('base64'))] })
    expect(entryETag(e)).toBe(`${md5(Buffer.concat([a, b])).toString('hex')}-2`)
    const reversed = entry({ chunks: [chunk(b.toString('base64')), chunk(a.toString('base64'))] })
    expect(entryETag(reversed)).not.toBe(entryETag(e))
  })

  it('several chunks: an invalid e_tag contributes no bytes', () => {
    const a = md5('a')
    const e = entry({ chunks: [chunk(a.toString('base64')), chunk('%%%')] })
    expect(entryETag(e)).toBe(`${md5(a).toString('hex')}-2`)
  })

  it('chunkless and md5-less entries (directories, inline content) share the empty ETag', () => {
    expect(EMPTY_ENTRY_ETAG).toBe('d41d8cd98f00b204e9800998ecf8427e-0')
    expect(entryETag(entry({ is_directory: true }))).toBe(EMPTY_ENTRY_ETAG)
    expect(entryETag(entry({ content: Buffer.from('inline') }))).toBe(EMPTY_ENTRY_ETAG)
    // An empty md5 is indistinguishable from an absent one on the wire.
    const emptyMd5 = entry({ attributes: { md5: Buffer.alloc(0), group_name: [] } })
    expect(entryETag(emptyMd5)).toBe(EMPTY_ENTRY_ETAG)
  })

  it('tolerates CR/LF inside base64 like Go', () => {
    expect(chunksETag([chunk('XUFAKrxLKna5\r\ncZ2REBfFkg==')])).toBe(
      '5d41402abc4b2a76b9719d911017c592',
    )
  })

  it('property: chunk-derived ETag equals the S3-style multipart formula', () => {
    const digest = fc.uint8Array({ minLength: 16, maxLength: 16 }).map((u) => Buffer.from(u))
    fc.assert(
      fc.property(fc.array(digest, { maxLength: 8 }), (digests) => {
        const etag = chunksETag(digests.map((d) => chunk(d.toString('base64'))))
        const [only] = digests
        if (digests.length === 1 && only) expect(etag).toBe(only.toString('hex'))
        else expect(etag).toBe(`${md5(Buffer.concat(digests)).toString('hex')}-${digests.length}`)
      }),
    )
  })
})

describe('entryMtimeNs', () => {
  it('is mtime * 1e9 + mtime_ns, exactly, as bigint', () => {
    const e = entry({ attributes: { mtime: '1700000000', mtime_ns: 123456789, group_name: [] } })
    expect(entryMtimeNs(e)).toBe(1700000000123456789n)
  })

  it('missing attributes count as 0', () => {
    expect(entryMtimeNs(entry())).toBe(0n)
    expect(entryMtimeNs(entry({ attributes: { mtime: '5', group_name: [] } }))).toBe(5_000_000_000n)
  })

  it('property: orders like (mtime, mtime_ns) pairs', () => {
    const t = fc.record({
      s: fc.bigInt({ min: 0n, max: 4_000_000_000n }),
      ns: fc.integer({ min: 0, max: 999_999_999 }),
    })
    fc.assert(
      fc.property(t, t, (a, b) => {
        const ea = entry({ attributes: { mtime: a.s.toString(), mtime_ns: a.ns, group_name: [] } })
        const eb = entry({ attributes: { mtime: b.s.toString(), mtime_ns: b.ns, group_name: [] } })
        const pairOrder = a.s === b.s ? Math.sign(a.ns - b.ns) : a.s < b.s ? -1 : 1
        const nsA = entryMtimeNs(ea)
        const nsB = entryMtimeNs(eb)
        expect(nsA === nsB ? 0 : nsA < nsB ? -1 : 1).toBe(pairOrder)
      }),
    )
  })
})

describe('entryFileSize (spec §10)', () => {
  it('max of file_size and the furthest chunk end', () => {
    const chunks = [
      chunk('', { offset: '0', size: '100' }),
      chunk('', { offset: '300', size: '50' }),
      chunk('', { offset: '100', size: '100' }),
    ]
    expect(entryFileSize(entry({ chunks, attributes: { file_size: '10', group_name: [] } }))).toBe(
      350n,
    )
    expect(
      entryFileSize(entry({ chunks, attributes: { file_size: '1000', group_name: [] } })),
    ).toBe(1000n)
  })

  it('remote_size counts only when the remote mtime is newer', () => {
    const attributes = { file_size: '10', mtime: '100', group_name: [] }
    const newer = entry({ attributes, remote_entry: { remote_mtime: '101', remote_size: '5000' } })
    const same = entry({ attributes, remote_entry: { remote_mtime: '100', remote_size: '5000' } })
    expect(entryFileSize(newer)).toBe(5000n)
    expect(entryFileSize(same)).toBe(10n)
  })

  it('sizes beyond 2^53 stay exact', () => {
    const big = (2n ** 60n).toString()
    expect(entryFileSize(entry({ attributes: { file_size: big, group_name: [] } }))).toBe(2n ** 60n)
    expect(entryFileSize(entry())).toBe(0n)
  })
})
