/**
 * An incremental parser of the `text/event-stream` format (the WHATWG "interpret an event stream"
 * algorithm), fed decoded text in chunks of any size. EventSource cannot send an
 * `Authorization` header, so the dashboard reads the stream with `fetch()` and this parser.
 */

/** One dispatched event. `event` is `message` when the stream named none. */
export interface SseMessage {
  readonly event: string
  readonly data: string
  readonly id: string | undefined
}

export class SseParser {
  private buffer = ''
  private data: string[] = []
  private event = ''
  private lastEventId: string | undefined
  /** The reconnection time the stream asked for (`retry:`), ms. */
  retryMs: number | undefined

  /** Feeds the next chunk; returns the events it completed, in order. */
  push(chunk: string): SseMessage[] {
    this.buffer += chunk
    const out: SseMessage[] = []
    for (;;) {
      const match = /\r\n|\r|\n/.exec(this.buffer)
      if (match === null) break
      // A lone `\r` at the very end may be the first half of `\r\n`: wait for more text.
      if (match[0] === '\r' && match.index === this.buffer.length - 1) break
      const line = this.buffer.slice(0, match.index)
      this.buffer = this.buffer.slice(match.index + match[0].length)
      const message = this.line(line)
      if (message !== undefined) out.push(message)
    }
    return out
  }

  private line(line: string): SseMessage | undefined {
    if (line === '') return this.dispatch()
    if (line.startsWith(':')) return undefined // a comment (keep-alive)
    const colon = line.indexOf(':')
    const field = colon === -1 ? line : line.slice(0, colon)
    let value = colon === -1 ? '' : line.slice(colon + 1)
    if (value.startsWith(' ')) value = value.slice(1)
    switch (field) {
      case 'event':
        this.event = value
        break
      case 'data':
        this.data.push(value)
        break
      case 'id':
        if (!value.includes('\0')) this.lastEventId = value
        break
      case 'retry':
        if (/^[0-9]+$/.test(value)) this.retryMs = Number(value)
        break
      default:
        break // unknown fields are ignored
    }
    return undefined
  }

  private dispatch(): SseMessage | undefined {
    const data = this.data
    const event = this.event
    this.data = []
    this.event = ''
    if (data.length === 0) return undefined
    return { event: event === '' ? 'message' : event, data: data.join('\n'), id: this.lastEventId }
  }
}
