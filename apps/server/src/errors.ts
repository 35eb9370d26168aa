/**
 * HTTP-facing errors: the stable `code` strings of the one error body
 * `{ error: { code, message, details? } }` and {@link ApiError}, which a route throws to answer
 * with a given status. `src/plugins/error-handler.ts` turns every error into that body.
 * Codes are append-only: clients branch on them.
 */

/** Stable error codes of the HTTP API. */
export const ApiErrorCodes = Object.freeze({
  /** The request is malformed (bad JSON, bad URL) or otherwise refused as a client mistake. */
  BAD_REQUEST: 'BAD_REQUEST',
  /** The request does not match the route's schema; `details.issues` names each field. */
  VALIDATION_FAILED: 'VALIDATION_FAILED',
  /** A token is configured and the request lacks `Authorization: Bearer <token>` or has another. */
  UNAUTHORIZED: 'UNAUTHORIZED',
  FORBIDDEN: 'FORBIDDEN',
  NOT_FOUND: 'NOT_FOUND',
  METHOD_NOT_ALLOWED: 'METHOD_NOT_ALLOWED',
  NOT_ACCEPTABLE: 'NOT_ACCEPTABLE',
  CONFLICT: 'CONFLICT',
  PAYLOAD_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
  UNSUPPORTED_MEDIA_TYPE: 'UNSUPPORTED_MEDIA_TYPE',
  TOO_MANY_REQUESTS: 'TOO_MANY_REQUESTS',
  /** A readiness check failed (`GET /api/v1/health`); `details.checks` says which. */
  NOT_READY: 'NOT_READY',
  /** The server is closing or a dependency is down. */
  UNAVAILABLE: 'UNAVAILABLE',
  /** Anything else on our side; the message is generic and the cause is in the log. */
  INTERNAL: 'INTERNAL',
  /**
   * 409: the change would close a loop in the endpoint graph (PRODUCT.md, "Topology rules").
   * `details.loop` is the ordered list of steps (endpoint, edge or containment link, starting and
   * ending at the same endpoint), `details.description` the same as one line, `details.edges` the
   * ids of the edges on it. Nothing was stored.
   */
  TOPOLOGY_LOOP: 'TOPOLOGY_LOOP',
  /**
   * 422: a cluster's filer addresses did not pass the probe (`GetFilerConfiguration`): an address
   * is unreachable, reports signature 0, the addresses disagree, or the signature is another
   * cluster's. `details.clusters` lists, per probed cluster, what each address answered and the
   * problems found. Nothing was stored.
   */
  CLUSTER_PROBE_FAILED: 'CLUSTER_PROBE_FAILED',
  /** 409: the operation needs a paused edge (setting a checkpoint); pause it first. */
  EDGE_NOT_PAUSED: 'EDGE_NOT_PAUSED',
  /** 404: the edge has no such failed event (it may have been retried successfully since). */
  FAILURE_NOT_FOUND: 'FAILURE_NOT_FOUND',
  /** 503: a filer did not answer a call made for the request (checkpoints); `details.syncCode`. */
  FILER_UNAVAILABLE: 'FILER_UNAVAILABLE',
  /**
   * 503 from `/` (or a deep link) when the dashboard's `index.html` is missing from
   * `config.webDir`: the message says to run `pnpm build`. The API is unaffected.
   */
  DASHBOARD_NOT_BUILT: 'DASHBOARD_NOT_BUILT',
} as const)

/** Built-in codes; later modules may add their own (`TOPOLOGY_LOOP`, …). */
export type ApiErrorCode = (typeof ApiErrorCodes)[keyof typeof ApiErrorCodes]

/** The `details` of an error body: any JSON object. */
export type ApiErrorDetails = Readonly<Record<string, unknown>>

/**
 * An error a route throws on purpose: the status, the code and, for 4xx, the message the client
 * sees. For 5xx the client gets a generic message and the log gets this one.
 */
export class ApiError extends Error {
  override readonly name = 'ApiError'

  constructor(
    readonly statusCode: number,
    readonly code: ApiErrorCode | (string & {}),
    message: string,
    readonly details?: ApiErrorDetails,
    options?: ErrorOptions,
  ) {
    super(message, options)
  }
}

/** The code for an error that has only a status (Fastify's own errors, `http-errors`). */
export function codeForStatus(statusCode: number): ApiErrorCode {
  return STATUS_CODES[statusCode] ?? (statusCode < 500 ? 'BAD_REQUEST' : 'INTERNAL')
}

const STATUS_CODES: Readonly<Record<number, ApiErrorCode>> = {
  400: 'BAD_REQUEST',
  401: 'UNAUTHORIZED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  405: 'METHOD_NOT_ALLOWED',
  406: 'NOT_ACCEPTABLE',
  409: 'CONFLICT',
  413: 'PAYLOAD_TOO_LARGE',
  415: 'UNSUPPORTED_MEDIA_TYPE',
  429: 'TOO_MANY_REQUESTS',
  503: 'UNAVAILABLE',
}
