/**
 * The replicator's lifecycle, one direction:
 *
 *            start()
 *   idle ──────────────► connecting ──────► streaming ──┐ clean end of stream
 *                           ▲   │               │  ▲    │ (resubscribe at once)
 *                           │   │ error         │  └────┘
 *                           │   ▼               │ error
 *                         backing-off ◄─────────┘
 *                           │
 *     stop() from any state ▼
 *                        stopping ──► stopped
 *     a non-retryable error (equal signatures, bad options) ──► failed
 *
 * `streaming` means a subscription is open; whether it is caught up is a status matter (lag),
 * not a state.
 */
export type ReplicatorState =
  'idle' | 'connecting' | 'streaming' | 'backing-off' | 'stopping' | 'stopped' | 'failed'

const transitions: Record<ReplicatorState, readonly ReplicatorState[]> = {
  idle: ['connecting', 'stopping', 'stopped'],
  connecting: ['streaming', 'backing-off', 'stopping', 'failed'],
  streaming: ['connecting', 'backing-off', 'stopping', 'failed'],
  'backing-off': ['connecting', 'stopping'],
  stopping: ['stopped'],
  stopped: [],
  failed: ['stopping', 'stopped'],
}

/** Whether `from → to` is a legal transition (the table above). */
export function canTransition(from: ReplicatorState, to: ReplicatorState): boolean {
  return transitions[from].includes(to)
}

/** The legal transitions, for tests and docs. @internal */
export const ReplicatorTransitions = transitions
