import { describe, expect, test } from 'vitest'
import { parseByteRanges } from '../src/http/byte-ranges.js'
import { goTime } from '../src/http/entry-json.js'
import { int64, toJsonText } from '../src/http/json-text.js'
import { fileNameOf, multipartBoundary, readFirstPart } from '../src/http/multipart-reader.js'
import { visibleIntervals } from '../src/http/visible-intervals.js'

describe('parseByteRanges (Go parseRange semantics)', () => {
  test.each([
    [undefined, { kind: 'full' }],
    ['bytes=0-0', { kind: 'ranges', ranges: [{ start: 0, length: 1 }] }],
    ['bytes=-3', { kind: 'ranges', ranges: [{ start: 7, length: 3 }] }],
    ['bytes=-30', { kind: 'ranges', ranges: [{ start: 0, length: 10 }] }],
    ['bytes=8-100', { kind: 'ranges', ranges: [{ start: 8, length: 2 }] }],
    [
      'bytes=1-2, 4-5',
      {
        kind: 'ranges',
        ranges: [
          { start: 1, length: 2 },
          { start: 4, length: 2 },
        ],
      },
    ],
    ['bytes=1-2,20-30', { kind: 'ranges', ranges: [{ start: 1, length: 2 }] }],
    ['bytes=0-9,0-9', { kind: 'full' }],
    ['bytes=10-', { kind: 'unsatisfiable' }],
    ['bytes=5-1', { kind: 'unsatisfiable' }],
    ['bytes=x-1', { kind: 'unsatisfiable' }],
    ['pages=1-2', { kind: 'unsatisfiable' }],
    ['bytes=-0', { kind: 'unsatisfiable' }],
  ])('%s of 10 bytes', (header, expected) => {
    expect(parseByteRanges(header, 10)).toMatchObject(expected)
  })
})

describe('visibleIntervals', () => {
  const chunk = (id: string, offset: number, size: number, ts: number) => ({
    file_id: id,
    offset: String(offset),
    size: String(size),
    modified_ts_ns: String(ts),
  })
  const show = (list: ReturnType<typeof visibleIntervals>) =>
    list.map((v) => `${v.chunk.file_id}[${v.start},${v.stop})@${v.offsetInChunk}`)

  test('sequential chunks map one to one', () => {
    expect(show(visibleIntervals([chunk('a', 0, 10, 1), chunk('b', 10, 10, 2)]))).toEqual([
      'a[0,10)@0',
      'b[10,20)@0',
    ])
  })

  test('a newer chunk splits an older one; an older one under a newer is hidden', () => {
    const list = visibleIntervals([
      chunk('new', 3, 4, 5),
      chunk('old', 0, 10, 1),
      chunk('older', 4, 2, 0),
    ])
    expect(show(list)).toEqual(['old[0,3)@0', 'new[3,7)@0', 'old[7,10)@7'])
  })

  test('equal timestamps: the later in the list wins', () => {
    expect(show(visibleIntervals([chunk('a', 0, 10, 1), chunk('b', 5, 10, 1)]))).toEqual([
      'a[0,5)@0',
      'b[5,15)@0',
    ])
  })

  test('restricted to a range, with offsets into the chunk', () => {
    expect(show(visibleIntervals([chunk('a', 0, 10, 1), chunk('b', 10, 10, 2)], 5, 12))).toEqual([
      'a[5,10)@5',
      'b[10,12)@0',
    ])
  })

  test('a newer chunk covering several older ones', () => {
    const list = visibleIntervals([
      chunk('a', 0, 4, 1),
      chunk('b', 4, 4, 1),
      chunk('c', 8, 4, 1),
      chunk('d', 2, 8, 2),
    ])
    expect(show(list)).toEqual(['a[0,2)@0', 'd[2,10)@0', 'c[10,12)@2'])
  })
})

describe('toJsonText', () => {
  test('RawNumber digits are exact; undefined fields are dropped; indentation like JSON.stringify', () => {
    const value = { a: int64('1800000000000000123'), b: undefined, c: [1, 'x', null], d: {} }
    expect(toJsonText(value)).toBe('{"a":1800000000000000123,"c":[1,"x",null],"d":{}}')
    const plain = { x: [1, { y: 'z' }], w: true }
    expect(toJsonText(plain, 2)).toBe(JSON.stringify(plain, null, 2))
  })
})

describe('goTime', () => {
  test('RFC 3339 with trimmed nanoseconds, like Go time.Time JSON in UTC', () => {
    expect(goTime('0', 0)).toBe('1970-01-01T00:00:00Z')
    expect(goTime('1700000000', 120_000_000)).toBe('2023-11-14T22:13:20.12Z')
    expect(goTime('1700000000', 1)).toBe('2023-11-14T22:13:20.000000001Z')
  })
})

describe('multipart', () => {
  test('boundary and file name parsing', () => {
    expect(multipartBoundary('multipart/form-data; boundary="a b"')).toBe('a b')
    expect(multipartBoundary('text/plain')).toBeUndefined()
    expect(fileNameOf('form-data; name="file"; filename="dir/a.txt"')).toBe('a.txt')
    expect(fileNameOf(`form-data; filename="x"; filename*=UTF-8''%C3%A9t%C3%A9.txt`)).toBe(
      'été.txt',
    )
    expect(fileNameOf('form-data; name="file"')).toBe('')
    expect(fileNameOf('form-data; filename="a;b.txt"')).toBe('a;b.txt')
  })

  test('the first part streams out correctly whatever the piece boundaries', async () => {
    const payload = Buffer.from('line one\r\n--not-the-boundary\r\n--XYZ-ish but not quite\r\nend')
    const body = Buffer.concat([
      Buffer.from(
        'preamble\r\n--XYZ\r\nContent-Disposition: form-data; name="f"; filename="p.bin"\r\n',
      ),
      Buffer.from('Content-Type: application/x-test\r\n\r\n'),
      payload,
      Buffer.from(
        '\r\n--XYZ\r\nContent-Disposition: form-data; name="other"\r\n\r\nignored\r\n--XYZ--\r\n',
      ),
    ])
    for (const pieceSize of [1, 2, 3, 7, 64, body.length]) {
      const pieces: Buffer[] = []
      for (let i = 0; i < body.length; i += pieceSize) pieces.push(body.subarray(i, i + pieceSize))
      let consumed = 0
      async function* source(): AsyncGenerator<Buffer> {
        for (const p of pieces) {
          consumed++
          yield p
        }
      }
      const part = await readFirstPart(source(), 'XYZ')
      expect(part.fileName).toBe('p.bin')
      expect(part.contentType).toBe('application/x-test')
      const out: Buffer[] = []
      for await (const b of part.body) out.push(Buffer.from(b))
      expect(Buffer.concat(out).toString(), `piece size ${pieceSize}`).toBe(payload.toString())
      // The rest of the request was drained.
      expect(consumed).toBe(pieces.length)
    }
  })

  test('a part with no headers and an empty body', async () => {
    async function* source(): AsyncGenerator<Buffer> {
      yield Buffer.from('--b\r\n\r\n\r\n--b--\r\n')
    }
    const part = await readFirstPart(source(), 'b')
    expect(part.fileName).toBe('')
    const out: Buffer[] = []
    for await (const b of part.body) out.push(b)
    expect(Buffer.concat(out)).toHaveLength(0)
  })
})
