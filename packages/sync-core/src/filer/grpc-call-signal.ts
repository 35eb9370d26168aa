/** The part of a grpc-js call (unary or stream) this adapter needs. */
export interface CancellableCall {
  cancel(): void
}

/**
 * Bind an AbortSignal to a grpc-js call: grpc-js has no `signal` option, so this is the one adapter
 * that turns `abort` into `call.cancel()` (STYLE.md practice 10). The call then fails with status
 * CANCELLED, which `translateGrpcError` maps to `SyncStoppedError` because the signal is aborted.
 *
 * If `signal` is already aborted the call is cancelled at once. Returns the unbind function; call
 * it in `finally` so a long-lived signal does not collect one listener per call.
 */
export function bindCallSignal(call: CancellableCall, signal: AbortSignal | undefined): () => void {
  if (!signal) return () => {}
  if (signal.aborted) {
    call.cancel()
    return () => {}
  }
  const onAbort = (): void => call.cancel()
  signal.addEventListener('abort', onAbort, { once: true })
  return () => signal.removeEventListener('abort', onAbort)
}
