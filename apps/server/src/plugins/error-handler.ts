/**
 * The one error policy of the HTTP API (STYLE.md §9). Every error, thrown or Fastify's own, leaves
 * as `{ error: { code, message, details? } }`:
 *
 * - schema validation failures: 400 `VALIDATION_FAILED`, the message naming the field
 *   (`body/name is required`) and `details.issues` listing `{ field, message }`;
 * - {@link ApiError}s and other errors with a 4xx `statusCode` (bad JSON, wrong content type,
 *   body too large): that status and the real reason, logged at `info`;
 * - everything else: its 5xx status (500 when it has none) with a generic message, because the
 *   cause may hold internals (paths, SQL); the full error is logged at `error`;
 * - unknown routes: 404 `NOT_FOUND` naming the method and path.
 */
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import { ApiError, codeForStatus, type ApiErrorDetails } from '../errors.js'
import type { ErrorResponse } from '../schemas/common.js'

/** Builds the error body. */
export function errorBody(code: string, message: string, details?: ApiErrorDetails): ErrorResponse {
  return { error: { code, message, ...(details !== undefined && { details: { ...details } }) } }
}

/** Fastify errors whose own message says too little to act on, reworded. */
const REWORDED: Readonly<Record<string, (request: FastifyRequest | undefined) => string>> = {
  FST_ERR_CTP_INVALID_MEDIA_TYPE: (request) =>
    `Content-Type ${JSON.stringify(request?.headers['content-type'] ?? '')} is not accepted:` +
    ' send application/json',
}

/** Status, body and log level for any thrown value (`request` words some messages better). */
export function describeError(
  error: unknown,
  request?: FastifyRequest,
): {
  statusCode: number
  body: ErrorResponse
  /** 4xx: the client's mistake, `info`; 5xx: ours, `error`. */
  level: 'info' | 'error'
} {
  const validation = validationIssues(error)
  if (validation !== undefined) {
    const first = validation[0]
    const message =
      first === undefined ? 'Invalid request' : `Invalid request: ${first.field} ${first.message}`
    return {
      statusCode: 400,
      body: errorBody('VALIDATION_FAILED', message, { issues: validation }),
      level: 'info',
    }
  }
  const statusCode = statusOf(error)
  if (statusCode < 500) {
    const fastifyCode =
      typeof error === 'object' && error !== null && 'code' in error ? error.code : undefined
    const reword = typeof fastifyCode === 'string' ? REWORDED[fastifyCode] : undefined
    const message =
      reword !== undefined
        ? reword(request)
        : error instanceof Error
          ? error.message
          : 'Bad request'
    const code = error instanceof ApiError ? error.code : codeForStatus(statusCode)
    const details = error instanceof ApiError ? error.details : undefined
    return { statusCode, body: errorBody(code, message, details), level: 'info' }
  }
  const code = error instanceof ApiError ? error.code : codeForStatus(statusCode)
  const message = statusCode === 503 ? 'Service unavailable' : 'Internal server error'
  return { statusCode, body: errorBody(code, message), level: 'error' }
}

function statusOf(error: unknown): number {
  const status =
    typeof error === 'object' && error !== null && 'statusCode' in error
      ? error.statusCode
      : undefined
  return typeof status === 'number' && Number.isInteger(status) && status >= 400 && status <= 599
    ? status
    : 500
}

/** One failed schema rule: `field` is the request part and JSON path, e.g. `body/name`. */
export interface ValidationIssue {
  readonly field: string
  readonly message: string
}

interface AjvIssue {
  readonly keyword?: string
  readonly instancePath?: string
  readonly message?: string
  readonly params?: Readonly<Record<string, unknown>>
}

/** The issues of a Fastify validation error (Ajv's errors), else undefined. */
function validationIssues(error: unknown): ValidationIssue[] | undefined {
  if (typeof error !== 'object' || error === null || !('validation' in error)) return undefined
  const { validation } = error
  if (!Array.isArray(validation)) return undefined
  const context =
    'validationContext' in error && typeof error.validationContext === 'string'
      ? error.validationContext
      : 'request'
  return (validation as AjvIssue[]).map((issue) => {
    const path = issue.instancePath ?? ''
    // `required` and `additionalProperties` report the parent object: name the property itself.
    const missing = issue.params?.missingProperty
    if (issue.keyword === 'required' && typeof missing === 'string') {
      return { field: `${context}${path}/${missing}`, message: 'is required' }
    }
    const extra = issue.params?.additionalProperty
    if (issue.keyword === 'additionalProperties' && typeof extra === 'string') {
      return { field: `${context}${path}/${extra}`, message: 'is not allowed' }
    }
    return { field: `${context}${path}`, message: issue.message ?? 'is invalid' }
  })
}

/** Sends the error body for `error`, logging it (see the module comment). */
export function sendError(error: unknown, request: FastifyRequest, reply: FastifyReply): void {
  const { statusCode, body, level } = describeError(error, request)
  if (level === 'error') {
    request.log.error({ err: error }, 'request failed')
  } else {
    request.log.info(
      { statusCode, code: body.error.code, reason: body.error.message },
      'request refused',
    )
  }
  void reply.code(statusCode).send(body)
}

/**
 * For Fastify's `frameworkErrors` option: errors raised before routing (a malformed URL), which
 * the error handler never sees.
 */
export function frameworkErrorHandler(
  error: FastifyError,
  request: FastifyRequest,
  reply: FastifyReply,
): void {
  sendError(error, request, reply)
}

async function errorHandlerPlugin(app: FastifyInstance): Promise<void> {
  app.setErrorHandler((error, request, reply) => {
    sendError(error, request, reply)
  })
  app.setNotFoundHandler((request, reply) => {
    const path = request.url.split('?', 1)[0] ?? request.url
    void reply.code(404).send(errorBody('NOT_FOUND', `No route ${request.method} ${path}`))
  })
}

export default fp(errorHandlerPlugin, { name: 'error-handler', fastify: '5.x' })
