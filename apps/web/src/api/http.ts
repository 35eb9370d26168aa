/**
 * The one way the dashboard calls the API: JSON in and out, the bearer token when there is one,
 * the caller's `AbortSignal` always forwarded, and every failure turned into an {@link ApiError}
 * (the server answered with its error shape or a status) or a {@link ServerUnreachableError}
 * (no answer at all, or a proxy's 502/503/504).
 */
import type { ErrorResponse } from '@seasync/server/api-types'
import { getToken, markTokenRequired } from './token'

/** The API's base path. */
export const API_BASE = '/api/v1'

/** The server answered with an error: `status`, its stable `code`, its message and details. */
export class ApiError extends Error {
  override readonly name = 'ApiError'
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message)
  }
}

/** No answer from the server (connection refused, DNS, a proxy that cannot reach it). */
export class ServerUnreachableError extends Error {
  override readonly name = 'ServerUnreachableError'
}

export interface RequestOptions {
  readonly method?: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE'
  /** Sent as JSON unless `rawBody` is given. */
  readonly body?: unknown
  /** A body sent as is, with `contentType` (e.g. a YAML document). */
  readonly rawBody?: string
  readonly contentType?: string
  readonly signal?: AbortSignal
}

/** Headers every API request carries: the bearer token when one was given. */
export function authHeaders(): Record<string, string> {
  const token = getToken()
  return token === undefined ? {} : { authorization: `Bearer ${token}` }
}

/** Calls `path` under {@link API_BASE} and resolves with the parsed JSON body (undefined for 204). */
export async function apiRequest<T>(path: string, options: RequestOptions = {}): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json', ...authHeaders() }
  let body: string | undefined
  if (options.rawBody !== undefined) {
    body = options.rawBody
    headers['content-type'] = options.contentType ?? 'text/plain'
  } else if (options.body !== undefined) {
    body = JSON.stringify(options.body)
    headers['content-type'] = 'application/json'
  }
  let response: Response
  try {
    response = await fetch(`${API_BASE}${path}`, {
      method: options.method ?? 'GET',
      headers,
      body,
      signal: options.signal,
    })
  } catch (error) {
    if (options.signal?.aborted === true) throw error
    throw new ServerUnreachableError('Server unreachable: no answer from the SeaSync server', {
      cause: error,
    })
  }
  if (response.status === 204) return undefined as T
  const text = await response.text()
  const json = parseJson(text)
  if (response.ok) return json as T
  throw toApiError(response.status, json, text)
}

function parseJson(text: string): unknown {
  if (text === '') return undefined
  try {
    return JSON.parse(text) as unknown
  } catch {
    return undefined
  }
}

/** The error for a non-2xx answer; marks the token as required on 401. */
export function toApiError(status: number, json: unknown, text = ''): Error {
  const error = (json as Partial<ErrorResponse> | undefined)?.error
  if (status === 401) markTokenRequired()
  if (error !== undefined && typeof error.code === 'string') {
    return new ApiError(status, error.code, error.message, error.details)
  }
  // Not our error shape: a proxy or gateway in front of a server that is down.
  if (
    status === 502 ||
    status === 503 ||
    status === 504 ||
    (status === 500 && json === undefined)
  ) {
    return new ServerUnreachableError(`Server unreachable: HTTP ${status} ${text.slice(0, 200)}`)
  }
  return new ApiError(status, `HTTP_${status}`, text.slice(0, 500) || `HTTP ${status}`)
}

/** The message to show for any error a request produced. */
export function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message
  return String(error)
}
