/** Rendering helpers for component tests: a fresh QueryClient (no retries) and the toasts. */
import { QueryClient, QueryClientProvider } from '@tanstack/react-query'
import { render } from '@testing-library/react'
import type { ReactElement } from 'react'
import { vi } from 'vitest'
import { ToastProvider } from '../components/Toasts'

export function renderWithClient(ui: ReactElement) {
  const client = new QueryClient({
    defaultOptions: { queries: { retry: false, gcTime: Infinity }, mutations: { retry: false } },
  })
  return {
    client,
    ...render(
      <QueryClientProvider client={client}>
        <ToastProvider>{ui}</ToastProvider>
      </QueryClientProvider>,
    ),
  }
}

export interface RecordedCall {
  readonly method: string
  readonly path: string
  readonly body: unknown
  readonly headers: Record<string, string>
}

type Handler = (call: RecordedCall) => { status?: number; body?: unknown } | undefined

/**
 * Replaces `fetch` for one component test: `handler` answers each call (undefined → 404), every
 * call is recorded. The event stream is answered 404, so nothing streams.
 */
export function stubFetch(handler: Handler) {
  const calls: RecordedCall[] = []
  const fn = vi.fn(async (input: RequestInfo | URL, init?: RequestInit) => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url
    const call: RecordedCall = {
      method: init?.method ?? 'GET',
      path: url.replace(/^\/api\/v1/, ''),
      body: typeof init?.body === 'string' ? (JSON.parse(init.body) as unknown) : undefined,
      headers: (init?.headers ?? {}) as Record<string, string>,
    }
    calls.push(call)
    const answer = handler(call)
    if (answer === undefined) {
      return new Response(
        JSON.stringify({ error: { code: 'NOT_FOUND', message: 'not stubbed' } }),
        { status: 404 },
      )
    }
    const status = answer.status ?? 200
    return new Response(status === 204 ? null : JSON.stringify(answer.body ?? {}), {
      status,
      headers: { 'content-type': 'application/json' },
    })
  })
  vi.stubGlobal('fetch', fn)
  return { calls, fn }
}
