import { describe, expect, it } from 'vitest'
import { SseParser } from './sse-parser'

describe('SseParser', () => {
  it('dispatches named events on the blank line', () => {
    const parser = new SseParser()
    expect(parser.push('event: status\ndata: {"a":1}\n')).toEqual([])
    expect(parser.push('\n')).toEqual([{ event: 'status', data: '{"a":1}', id: undefined }])
  })

  it('joins multi-line data and defaults the event name to message', () => {
    const parser = new SseParser()
    expect(parser.push('data: one\ndata: two\n\n')).toEqual([
      { event: 'message', data: 'one\ntwo', id: undefined },
    ])
  })

  it('handles chunks split anywhere, including inside a CRLF', () => {
    const text = 'event: topology\r\ndata: {"x":[1,2]}\r\n\r\nevent: status\r\ndata: 2\r\n\r\n'
    for (let cut = 1; cut < text.length; cut += 1) {
      const parser = new SseParser()
      const out = [...parser.push(text.slice(0, cut)), ...parser.push(text.slice(cut))]
      expect(out.map((m) => [m.event, m.data])).toEqual([
        ['topology', '{"x":[1,2]}'],
        ['status', '2'],
      ])
    }
  })

  it('accepts a lone CR as a line end', () => {
    const parser = new SseParser()
    expect(parser.push('data: a\r\rdata: b\r')).toEqual([
      { event: 'message', data: 'a', id: undefined },
    ])
    // A CR at the very end may be half of a CRLF: the parser waits for the next character.
    expect(parser.push('\r')).toEqual([])
    expect(parser.push('data: c\n\n')).toEqual([
      { event: 'message', data: 'b', id: undefined },
      { event: 'message', data: 'c', id: undefined },
    ])
  })

  it('reads retry, keeps the last id, ignores comments and unknown fields', () => {
    const parser = new SseParser()
    expect(parser.push('retry: 3000\n\n: keep-alive\nfoo: bar\nid: 7\ndata:x\n\n')).toEqual([
      { event: 'message', data: 'x', id: '7' },
    ])
    expect(parser.retryMs).toBe(3000)
  })

  it('does not dispatch an event without data, and resets the name after it', () => {
    const parser = new SseParser()
    expect(parser.push('event: status\n\ndata: y\n\n')).toEqual([
      { event: 'message', data: 'y', id: undefined },
    ])
  })

  it('keeps one leading space of a value only', () => {
    const parser = new SseParser()
    expect(parser.push('data:  two spaces\n\n')[0]?.data).toBe(' two spaces')
  })
})
