import { Metadata, status, type ServiceError } from '@grpc/grpc-js'
import { describe, expect, it } from 'vitest'
import { SyncError, SyncStoppedError } from '../../src/errors.js'
import {
  isTransportText,
  NOT_FOUND_TEXT,
  shouldDropChannel,
  translateGrpcError,
} from '../../src/filer/grpc-errors.js'

/** A ServiceError shaped as grpc-js builds them (`callErrorFromStatus`). */
function serviceError(code: status, details: string): ServiceError {
  return Object.assign(new Error(`${code} ${status[code]}: ${details}`), {
    code,
    details,
    metadata: new Metadata(),
  })
}

function errno(code: string): NodeJS.ErrnoException {
  return Object.assign(new Error(`connect ${code} 127.0.0.1:1`), { code, errno: -1 })
}

const what = 'KvGet on 127.0.0.1:18888'
const aborted = (): AbortSignal => {
  const c = new AbortController()
  c.abort()
  return c.signal
}

describe('translateGrpcError', () => {
  it('passes SyncErrors through unchanged', () => {
    const e = new SyncError('SYNC_ERR_CHUNK_READ', 'x')
    expect(translateGrpcError(e, { what })).toBe(e)
  })

  it('CANCELLED after our own signal aborted → SyncStoppedError (never a failure)', () => {
    const e = translateGrpcError(serviceError(status.CANCELLED, 'Cancelled on client'), {
      what,
      signal: aborted(),
    })
    expect(e).toBeInstanceOf(SyncStoppedError)
    expect(e.code).toBe('SYNC_ERR_STOPPED')
    expect(e.retryable).toBe(false)
  })

  it('CANCELLED by a deadline signal (TimeoutError reason) → retryable FILER_CALL', () => {
    const signal = AbortSignal.abort(new DOMException('deadline', 'TimeoutError'))
    const e = translateGrpcError(serviceError(status.CANCELLED, 'Cancelled on client'), {
      what,
      signal,
    })
    expect(e).not.toBeInstanceOf(SyncStoppedError)
    expect(e).toMatchObject({ code: 'SYNC_ERR_FILER_CALL', retryable: true })
  })

  it('CANCELLED without our signal → retryable UNAVAILABLE', () => {
    const e = translateGrpcError(serviceError(status.CANCELLED, 'x'), {
      what,
      signal: new AbortController().signal,
    })
    expect(e).toMatchObject({ code: 'SYNC_ERR_UNAVAILABLE', retryable: true })
  })

  it.each([
    [status.UNAVAILABLE, 'SYNC_ERR_UNAVAILABLE'],
    [status.INTERNAL, 'SYNC_ERR_UNAVAILABLE'],
    [status.DEADLINE_EXCEEDED, 'SYNC_ERR_FILER_CALL'],
    [status.RESOURCE_EXHAUSTED, 'SYNC_ERR_FILER_CALL'],
    [status.ABORTED, 'SYNC_ERR_FILER_CALL'],
  ])('status %s → retryable %s', (code, expected) => {
    const e = translateGrpcError(serviceError(code, 'boom'), { what })
    expect(e).toMatchObject({ code: expected, retryable: true })
    expect(e.cause).toBeInstanceOf(Error)
    expect(e.message).toContain(what)
    expect(e.message).toContain('boom')
  })

  it.each([
    status.INVALID_ARGUMENT,
    status.PERMISSION_DENIED,
    status.UNAUTHENTICATED,
    status.UNIMPLEMENTED,
    status.DATA_LOSS,
  ])('status %s → non-retryable FILER_CALL', (code) => {
    expect(translateGrpcError(serviceError(code, 'nope'), { what })).toMatchObject({
      code: 'SYNC_ERR_FILER_CALL',
      retryable: false,
    })
  })

  it('FAILED_PRECONDITION (a failed HEAD write condition) → retryable PRECONDITION', () => {
    expect(
      translateGrpcError(serviceError(status.FAILED_PRECONDITION, 'precondition failed: /d/f'), {
        what,
      }),
    ).toMatchObject({ code: 'SYNC_ERR_PRECONDITION', retryable: true })
  })

  it('UNKNOWN with the not-found text → NOT_FOUND (substring match, as Go)', () => {
    const e = translateGrpcError(
      serviceError(status.UNKNOWN, `x not found under /d: ${NOT_FOUND_TEXT}`),
      { what },
    )
    expect(e).toMatchObject({ code: 'SYNC_ERR_NOT_FOUND', retryable: false })
  })

  it.each([
    'transport is closing',
    'connection refused by store',
    'unexpected EOF',
    'read tcp: connection reset by peer',
    'rpc error: code = Unavailable',
    'read tcp 10.0.0.5: i/o timeout',
  ])('UNKNOWN with transport-ish text %j → retryable FILER_CALL (HEAD 4.41 list)', (text) => {
    expect(translateGrpcError(serviceError(status.UNKNOWN, text), { what })).toMatchObject({
      code: 'SYNC_ERR_FILER_CALL',
      retryable: true,
    })
  })

  it('other UNKNOWN → non-retryable FILER_CALL, or the refusedCode given', () => {
    const err = serviceError(status.UNKNOWN, 'invalid volume id x')
    expect(translateGrpcError(err, { what })).toMatchObject({
      code: 'SYNC_ERR_FILER_CALL',
      retryable: false,
    })
    const refused = translateGrpcError(err, { what, refusedCode: 'SYNC_ERR_FILER_REFUSED' })
    expect(refused).toMatchObject({ code: 'SYNC_ERR_FILER_REFUSED', retryable: false })
    expect(refused.message).toContain('invalid volume id x')
    const sub = translateGrpcError(err, {
      what,
      refusedCode: 'SYNC_ERR_SUBSCRIBE',
      refusedRetryable: true,
    })
    expect(sub).toMatchObject({ code: 'SYNC_ERR_SUBSCRIBE', retryable: true })
  })

  it.each(['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT'])(
    'Node errno %s → retryable UNAVAILABLE',
    (code) => {
      expect(translateGrpcError(errno(code), { what })).toMatchObject({
        code: 'SYNC_ERR_UNAVAILABLE',
        retryable: true,
      })
    },
  )

  it('walks the cause chain to the first gRPC status or errno', () => {
    const wrapped = new Error('outer', {
      cause: new Error('middle', { cause: serviceError(status.UNAVAILABLE, 'down') }),
    })
    expect(translateGrpcError(wrapped, { what }).code).toBe('SYNC_ERR_UNAVAILABLE')
    expect(translateGrpcError(wrapped, { what }).cause).toBe(wrapped)
    const viaErrno = new Error('fetch failed', { cause: errno('ECONNRESET') })
    expect(translateGrpcError(viaErrno, { what }).code).toBe('SYNC_ERR_UNAVAILABLE')
  })

  it('survives a cyclic cause chain', () => {
    const a = new Error('a') as Error & { cause?: unknown }
    const b = new Error('b', { cause: a })
    a.cause = b
    expect(translateGrpcError(a, { what }).code).toBe('SYNC_ERR_INTERNAL')
  })

  it('anything else after our signal aborted → SyncStoppedError; otherwise INTERNAL', () => {
    expect(translateGrpcError(new Error('closed'), { what, signal: aborted() })).toBeInstanceOf(
      SyncStoppedError,
    )
    expect(translateGrpcError('weird', { what })).toMatchObject({
      code: 'SYNC_ERR_INTERNAL',
      retryable: false,
    })
  })
})

describe('shouldDropChannel (Go channel cache, spec §1)', () => {
  it.each([status.UNAVAILABLE, status.DEADLINE_EXCEEDED, status.ABORTED, status.INTERNAL])(
    'drops on status %s',
    (code) => expect(shouldDropChannel(serviceError(code, 'x'))).toBe(true),
  )

  it('drops on CANCELLED unless our own signal caused it', () => {
    expect(shouldDropChannel(serviceError(status.CANCELLED, 'x'))).toBe(true)
    expect(shouldDropChannel(serviceError(status.CANCELLED, 'x'), aborted())).toBe(false)
  })

  it('drops on transport-ish text only, never on the filer’s own answers', () => {
    expect(shouldDropChannel(serviceError(status.UNKNOWN, 'transport is closing'))).toBe(true)
    expect(shouldDropChannel(serviceError(status.UNKNOWN, NOT_FOUND_TEXT))).toBe(false)
    expect(shouldDropChannel(serviceError(status.INVALID_ARGUMENT, 'bad'))).toBe(false)
    expect(shouldDropChannel(new Error('not grpc'))).toBe(false)
  })
})

describe('isTransportText', () => {
  it('is case-insensitive and rejects ordinary refusals', () => {
    expect(isTransportText('Connection Reset')).toBe(true)
    expect(isTransportText('existing entry is a file')).toBe(false)
  })
})
