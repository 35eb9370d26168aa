import { afterEach, describe, expect, it } from 'vitest'
import { reconnectDelayMs, runEventStream, type StreamState } from './event-stream'
import type { SseMessage } from './sse-parser'
import { clearToken, isTokenRequired, setToken } from './token'

afterEach(() => clearToken())

/** A response whose body yields `chunks` and then ends (or stays open if `hold`). */
function streamResponse(chunks: string[], status = 200): Response {
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      for (const chunk of chunks) controller.enqueue(new TextEncoder().encode(chunk))
      controller.close()
    },
  })
  return new Response(body, { status, headers: { 'content-type': 'text/event-stream' } })
}

describe('reconnectDelayMs', () => {
  const backoff = { baseMs: 1000, capMs: 30_000 }
  it('grows exponentially up to the cap, with full jitter', () => {
    expect(reconnectDelayMs(1, backoff, () => 1)).toBe(1000)
    expect(reconnectDelayMs(3, backoff, () => 1)).toBe(4000)
    expect(reconnectDelayMs(10, backoff, () => 1)).toBe(30_000)
    expect(reconnectDelayMs(10, backoff, () => 0.5)).toBe(15_000)
  })
  it('never retries at once', () => {
    expect(reconnectDelayMs(1, backoff, () => 0)).toBe(250)
  })
})

describe('runEventStream', () => {
  it('sends the token, delivers events, and reconnects when the stream ends', async () => {
    setToken('secret-token-123456')
    const controller = new AbortController()
    const calls: RequestInit[] = []
    const messages: SseMessage[] = []
    const states: StreamState['kind'][] = []
    const fetchStub = async (_url: RequestInfo | URL, init?: RequestInit) => {
      calls.push(init ?? {})
      if (calls.length === 1) return streamResponse(['event: status\ndata: {"n":', '1}\n\n'])
      if (calls.length === 2) throw new TypeError('Failed to fetch')
      return streamResponse(['event: topology\ndata: {}\n\n'])
    }
    const done = runEventStream({
      signal: controller.signal,
      fetch: fetchStub,
      backoff: { baseMs: 1, capMs: 1 },
      random: () => 0,
      onState: (s) => states.push(s.kind),
      onMessage: (m) => {
        messages.push(m)
        if (messages.length === 2) controller.abort()
      },
    })
    await done
    expect(messages.map((m) => [m.event, m.data])).toEqual([
      ['status', '{"n":1}'],
      ['topology', '{}'],
    ])
    expect(calls.length).toBe(3)
    expect((calls[0]?.headers as Record<string, string>)['authorization']).toBe(
      'Bearer secret-token-123456',
    )
    expect(states).toContain('open')
    expect(states).toContain('waiting')
  })

  it('on 401 asks for a token and waits for one instead of retrying', async () => {
    const controller = new AbortController()
    let calls = 0
    const states: StreamState['kind'][] = []
    const fetchStub = async () => {
      calls += 1
      if (calls === 1) return new Response('{}', { status: 401 })
      controller.abort()
      return streamResponse([])
    }
    const done = runEventStream({
      signal: controller.signal,
      fetch: fetchStub,
      backoff: { baseMs: 1, capMs: 1 },
      onState: (s) => states.push(s.kind),
      onMessage: () => undefined,
    })
    await new Promise((r) => setTimeout(r, 30))
    expect(calls).toBe(1)
    expect(states.at(-1)).toBe('unauthorized')
    expect(isTokenRequired()).toBe(true)
    setToken('another-token-123456')
    await done
    expect(calls).toBe(2)
  })
})
