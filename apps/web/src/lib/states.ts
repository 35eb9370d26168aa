/**
 * The lag states of a direction or an edge (the server's `LagStateSchema`), ordered from worst to
 * best for summaries, with the colour each is drawn in. One table, so the graph, the lists, the
 * chart and the legend cannot disagree.
 */
import type { EdgeStatus } from '@seasync/server/api-types'

export type LagState = EdgeStatus['state']

/** Worst first: the order in which an edge's states are summarised. */
export const STATES_BY_SEVERITY: readonly LagState[] = [
  'error',
  'stalled',
  'falling-behind',
  'starting',
  'catching-up',
  'paused',
  'in-sync',
]

/** Colours by state; each passes 3:1 contrast against the white canvas as a 3 px line. */
export const STATE_COLOURS: Readonly<Record<LagState, string>> = {
  'in-sync': '#1a7f37',
  'catching-up': '#0969da',
  'falling-behind': '#bc4c00',
  stalled: '#8250df',
  paused: '#6e7781',
  error: '#cf222e',
  starting: '#9a6700',
}

/** The worse of two states. */
export function worseState(a: LagState, b: LagState): LagState {
  return STATES_BY_SEVERITY.indexOf(a) <= STATES_BY_SEVERITY.indexOf(b) ? a : b
}
