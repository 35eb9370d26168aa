/**
 * The clusters the specs use, one per filer, and topologies built from them for API seeding.
 */
import type { EdgeDeclaration, TopologyDocument } from '@seasync/server/api-types'
import type { FilerName, FilersReadyLine } from './filers-process.js'

/** Cluster names (and ids) of filers A, B and C. */
export const CLUSTERS = {
  A: { id: 'site-a', name: 'Site A' },
  B: { id: 'site-b', name: 'Site B' },
  C: { id: 'site-c', name: 'Site C' },
} as const satisfies Record<FilerName, { id: string; name: string }>

/** A one-way edge from `from` to `to` on `/`, with the id the server would derive. */
export function oneWay(from: FilerName, to: FilerName, paused = false): EdgeDeclaration {
  return {
    id: `${CLUSTERS[from].id}-${CLUSTERS[to].id}`,
    a: { cluster: CLUSTERS[from].id, path: '/' },
    b: { cluster: CLUSTERS[to].id, path: '/' },
    mode: 'one-way',
    ...(paused && { paused }),
  }
}

/** The document declaring `clusters` (all three by default) and `edges`. */
export function topology(
  filers: FilersReadyLine['filers'],
  edges: readonly EdgeDeclaration[],
  clusters: readonly FilerName[] = ['A', 'B', 'C'],
): TopologyDocument {
  return {
    clusters: clusters.map((name) => ({ ...CLUSTERS[name], addresses: [filers[name].address] })),
    edges: [...edges],
  }
}

/** A path no other test writes, for files under `/e2e/`. */
export function uniquePath(label: string): string {
  return `/e2e/${label}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`
}
