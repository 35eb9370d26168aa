import type { EdgeMode, EdgeSpec, LoopStep } from '../../src/topology/topology-model.js'

/** `'A:/data'` → `{ cluster: 'A', path: '/data' }` (the cluster is everything before the first `:`). */
function endpoint(text: string): { cluster: string; path: string } {
  const colon = text.indexOf(':')
  return { cluster: text.slice(0, colon), path: text.slice(colon + 1) }
}

/** An edge written as in the wiki: `edge('e1', 'A:/', 'B:/')` is active-active A:/ ↔ B:/. */
export function edge(id: string, a: string, b: string, mode: EdgeMode = 'active-active'): EdgeSpec {
  return { id, a: endpoint(a), b: endpoint(b), mode }
}

/** The ids of the edges a loop goes through, in order. */
export function loopEdgeIds(loop: readonly LoopStep[]): string[] {
  return loop.flatMap((step) => (step.kind === 'edge' ? [step.edgeId] : []))
}
