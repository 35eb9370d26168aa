import { status as GrpcStatus, type ServiceError } from '@grpc/grpc-js'
import { describeTlsError } from './cluster-tls.js'
import { SyncError, SyncStoppedError, type SyncErrorCode } from '../errors.js'

/**
 * The one place where grpc-js `ServiceError`s and Node errno errors become {@link SyncError}s
 * (STYLE.md practice 5). Everything a {@link FilerClient} throws went through
 * {@link translateGrpcError} exactly once; SyncErrors pass through unchanged.
 */

/** SeaweedFS's not-found text (`filer_pb.ErrNotFound`); Go clients match the substring (§2.2). */
export const NOT_FOUND_TEXT = 'filer: no entry is found in filer store'

/**
 * Substrings (lower-cased) that mark an error text as transport-level: the transient-error list of
 * Go's `util.Retry` at HEAD 4.41 (spec §11), and what Go's channel cache drops a channel for (§1).
 */
const TRANSPORT_WORDS = ['transport', 'connection', 'eof', 'reset', 'unavailable', 'timeout']

/** Node socket errnos that mean "the peer could not be reached or went away": worth a retry. */
const RETRYABLE_ERRNOS = new Set([
  'ECONNRESET', // peer closed the TCP connection mid-call (filer restart)
  'ECONNREFUSED', // nothing listens (filer down or not yet up)
  'EPIPE', // we wrote to a socket the peer already closed
  'ETIMEDOUT', // connect or read timed out at the OS level
  // Same family, seen on flaky networks and container restarts:
  'ECONNABORTED',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN', // temporary DNS failure
])

/** Context for {@link translateGrpcError}. */
export interface GrpcErrorContext {
  /** What was being done, for the message: `KvGet on 10.0.0.5:18888`. */
  what: string
  /** The signal the call was bound to: a CANCELLED status after it aborted is our own stop. */
  signal?: AbortSignal | undefined
  /**
   * Code for an UNKNOWN status that is neither not-found nor transport-ish, i.e. the filer's own
   * refusal in plain text. Default `SYNC_ERR_FILER_CALL`; mutations pass `SYNC_ERR_FILER_REFUSED`.
   */
  refusedCode?: SyncErrorCode
  /**
   * Whether such a refusal is retryable. Default false: the filer answered, and asking again gets
   * the same answer. SubscribeMetadata passes true: Go retries every subscribe error, and e.g. a
   * duplicate-subscription refusal is cured by the next epoch (§5.6, §5.7).
   */
  refusedRetryable?: boolean
}

/** True when `text` contains one of the transport-ish words of Go's HEAD retry list (§11). */
export function isTransportText(text: string): boolean {
  const lower = text.toLowerCase()
  return TRANSPORT_WORDS.some((word) => lower.includes(word))
}

/** True when `text` contains SeaweedFS's not-found message (spec §2.2). */
export function isNotFoundText(text: string): boolean {
  return text.includes(NOT_FOUND_TEXT)
}

/** A grpc-js `ServiceError`: an Error with a numeric status `code` and `details`. @internal */
export function isServiceError(err: unknown): err is ServiceError {
  return (
    err instanceof Error &&
    typeof (err as Partial<ServiceError>).code === 'number' &&
    typeof (err as Partial<ServiceError>).details === 'string'
  )
}

/** The first error in `err`'s `cause` chain (itself included) that `match` accepts. */
function findInCauseChain<T>(err: unknown, match: (e: unknown) => e is T): T | undefined {
  let current: unknown = err
  // Bounded: a cause chain may (accidentally) be cyclic.
  for (let depth = 0; depth < 16 && current !== undefined && current !== null; depth++) {
    if (match(current)) return current
    current = (current as { cause?: unknown }).cause
  }
  return undefined
}

function isErrnoError(err: unknown): err is NodeJS.ErrnoException & { code: string } {
  return err instanceof Error && typeof (err as NodeJS.ErrnoException).code === 'string'
}

/**
 * Map anything a grpc-js call can throw to a {@link SyncError}, walking the `cause` chain for the
 * first gRPC status or Node errno. See each branch for the rule and its source.
 */
export function translateGrpcError(err: unknown, context: GrpcErrorContext): SyncError {
  if (err instanceof SyncError) return err
  const { what, signal } = context
  const signalAborted = signal?.aborted === true

  const service = findInCauseChain(err, isServiceError)
  if (service) return fromStatus(service, err, context, signalAborted)

  const errno = findInCauseChain(err, isErrnoError)
  if (errno && RETRYABLE_ERRNOS.has(errno.code)) {
    // A socket-level failure outside a gRPC status (e.g. from a wrapper): the peer is unreachable.
    return new SyncError('SYNC_ERR_UNAVAILABLE', `${what}: ${errno.message}`, { cause: err })
  }
  if (signalAborted) {
    // Something threw after our own signal aborted (an AbortError, a closed stream): a stop.
    return stopped(what, signal, err)
  }
  const message = err instanceof Error ? err.message : String(err)
  return new SyncError('SYNC_ERR_INTERNAL', `${what}: ${message}`, { cause: err })
}

function fromStatus(
  service: ServiceError,
  original: unknown,
  context: GrpcErrorContext,
  signalAborted: boolean,
): SyncError {
  const { what, signal } = context
  const details = service.details || service.message
  // grpc-js buries a failed TLS handshake in UNAVAILABLE's details as OpenSSL text: say it first.
  const tls = service.code === GrpcStatus.UNAVAILABLE ? describeTlsError(details) : undefined
  const message = `${what}: ${tls ? `${tls}; ` : ''}${GrpcStatus[service.code] ?? service.code} ${details}`
  const make = (code: SyncErrorCode, retryable?: boolean): SyncError =>
    new SyncError(code, message, { cause: original, retryable })

  switch (service.code) {
    case GrpcStatus.CANCELLED:
      // CANCELLED caused by our own signal (the adapter called `call.cancel()`) is a stop, never
      // a failure (STYLE.md practice 5) …
      if (signalAborted) return stopped(what, signal, original)
      // … otherwise something else cancelled the call (channel closed under it, server-side
      // cancel, GOAWAY): Go drops the channel and retries (§1).
      return make('SYNC_ERR_UNAVAILABLE', true)

    case GrpcStatus.UNAVAILABLE:
      // Connection refused/reset, DNS failure, server shutting down: the filer is unreachable.
      return make('SYNC_ERR_UNAVAILABLE')

    case GrpcStatus.INTERNAL:
      // grpc-js reports transport protocol failures (RST_STREAM, broken frames, decoding a
      // truncated message) as INTERNAL; Go drops the channel on it (§1). Retry on a fresh one.
      return make('SYNC_ERR_UNAVAILABLE', true)

    // DEADLINE_EXCEEDED: the per-call deadline (`timeoutMs`) elapsed; the filer is slow or the
    // link stalled. RESOURCE_EXHAUSTED: server overload or a message above one side's size limit;
    // Go's HEAD retry list includes `resourceexhausted` (§11). ABORTED: a concurrency conflict on
    // the server, for which retrying is the documented remedy.
    case GrpcStatus.DEADLINE_EXCEEDED:
    case GrpcStatus.RESOURCE_EXHAUSTED:
    case GrpcStatus.ABORTED:
      return make('SYNC_ERR_FILER_CALL', true)

    case GrpcStatus.UNKNOWN:
      // SeaweedFS returns plain Go errors, which arrive as UNKNOWN with the text (§5.7).
      // The not-found text (§2.2) is matched as a substring, as Go does.
      if (isNotFoundText(details)) return make('SYNC_ERR_NOT_FOUND', false)
      // Transport trouble behind the filer (its store or a peer) surfaces as text; HEAD 4.41
      // retries these (§11).
      if (isTransportText(details)) return make('SYNC_ERR_FILER_CALL', true)
      // Anything else is the filer's own answer (duplicate subscription, invalid volume id,
      // read-only path …): asking again gets the same answer.
      return make(context.refusedCode ?? 'SYNC_ERR_FILER_CALL', context.refusedRetryable ?? false)

    case GrpcStatus.FAILED_PRECONDITION:
      // HEAD's UpdateEntry with a WriteCondition that no longer holds ("precondition failed:
      // <path>"): the target changed since it was read. Read again and decide again.
      return make('SYNC_ERR_PRECONDITION', true)

    case GrpcStatus.NOT_FOUND:
      // SeaweedFS never sends it, but a proxy in front of the filer might: the same meaning.
      return make('SYNC_ERR_NOT_FOUND', false)

    default:
      // INVALID_ARGUMENT, PERMISSION_DENIED, UNAUTHENTICATED (TLS/JWT
      // misconfiguration), UNIMPLEMENTED (an old filer without the RPC), OUT_OF_RANGE,
      // ALREADY_EXISTS, DATA_LOSS: a configuration or protocol problem, not cured by retrying.
      return make('SYNC_ERR_FILER_CALL', false)
  }
}

function stopped(what: string, signal: AbortSignal | undefined, cause: unknown): SyncError {
  const reason: unknown = signal?.reason
  // A deadline (`deadlineSignal`, `AbortSignal.timeout`) is a timeout, not a stop: retryable.
  if (reason instanceof DOMException && reason.name === 'TimeoutError') {
    return new SyncError('SYNC_ERR_FILER_CALL', `${what}: ${reason.message}`, {
      cause,
      retryable: true,
    })
  }
  return new SyncStoppedError(`${what}: stopped`, { cause })
}

/**
 * True when a failed unary call means the cached channel should be dropped and redialled, as Go's
 * channel cache does (§1): UNAVAILABLE, CANCELLED (not by us), DEADLINE_EXCEEDED, ABORTED,
 * INTERNAL, or a transport-ish message. @internal
 */
export function shouldDropChannel(err: unknown, signal?: AbortSignal): boolean {
  const service = findInCauseChain(err, isServiceError)
  if (!service) return false
  switch (service.code) {
    case GrpcStatus.CANCELLED:
      return signal?.aborted !== true
    case GrpcStatus.UNAVAILABLE:
    case GrpcStatus.DEADLINE_EXCEEDED:
    case GrpcStatus.ABORTED:
    case GrpcStatus.INTERNAL:
      return true
    default:
      return isTransportText(service.details || service.message)
  }
}
