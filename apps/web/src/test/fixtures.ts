/** Sample API bodies for unit and component tests, shaped exactly as the server answers. */
import type {
  Cluster,
  ClusterStatus,
  DirectionStatus,
  Edge,
  EdgeStatus,
  StatusList,
  TopologyGraph,
} from '@seasync/server/api-types'

const at = '2026-11-24T23:29:20.000Z'

export function cluster(id: string, overrides: Partial<Cluster> = {}): Cluster {
  return {
    id,
    name: id,
    addresses: [`127.0.0.1:${8000 + id.length}`],
    filerProxy: false,
    embedded: false,
    signature: 1000 + id.length,
    createdAt: at,
    updatedAt: at,
    ...overrides,
  }
}

export function edge(id: string, a: string, b: string, overrides: Partial<Edge> = {}): Edge {
  return {
    id,
    a: { cluster: a, path: '/', excludes: [] },
    b: { cluster: b, path: '/', excludes: [] },
    mode: 'active-active',
    options: {},
    paused: false,
    createdAt: at,
    updatedAt: at,
    ...overrides,
  }
}

export function direction(
  source: string,
  target: string,
  overrides: Partial<DirectionStatus> = {},
): DirectionStatus {
  return {
    direction: 'a-b',
    sourceCluster: source,
    targetCluster: target,
    sourceFiler: '127.0.0.1:8001',
    targetFiler: '127.0.0.1:8002',
    sourcePath: '/',
    targetPath: '/',
    state: 'in-sync',
    reason: 'nothing pending',
    replicatorState: 'streaming',
    lagSeconds: 0,
    appliedNs: '1795562966480606663',
    appliedAt: at,
    savedNs: '1795562964465589786',
    savedAt: at,
    checkpointAgeSeconds: 1.5,
    sourceHeadNs: '1795562966481185952',
    backlog: 0,
    eventsPerSecond: 0,
    bytesPerSecond: 0,
    eventsApplied: 5,
    bytesCopied: 404,
    failures: 0,
    inFlight: [],
    largeFiles: [],
    lastError: null,
    ...overrides,
  }
}

export function edgeStatus(
  e: Edge,
  overrides: Partial<EdgeStatus> = {},
  directions?: DirectionStatus[],
): EdgeStatus {
  const dirs = directions ?? [
    direction(e.a.cluster, e.b.cluster),
    ...(e.mode === 'active-active'
      ? [direction(e.b.cluster, e.a.cluster, { direction: 'b-a' })]
      : []),
  ]
  return {
    edgeId: e.id,
    mode: e.mode,
    paused: e.paused,
    state: 'in-sync',
    lagSeconds: Math.max(0, ...dirs.map((d) => d.lagSeconds)),
    problem: null,
    directions: dirs,
    ...overrides,
  }
}

/** The demo: A ↔ B on /, B → C from /buckets/photos to /mirror/photos. */
export function demoTopology(): TopologyGraph {
  return {
    clusters: [cluster('demo-a'), cluster('demo-b'), cluster('demo-c')],
    edges: [
      edge('demo-a-demo-b', 'demo-a', 'demo-b'),
      edge('demo-b-demo-c', 'demo-b', 'demo-c', {
        mode: 'one-way',
        a: { cluster: 'demo-b', path: '/buckets/photos', excludes: [] },
        b: { cluster: 'demo-c', path: '/mirror/photos', excludes: [] },
      }),
    ],
  }
}

/** A cluster's probe: every address answering with its signature unless told otherwise. */
export function clusterStatus(
  c: Cluster,
  health: ClusterStatus['health'] = 'reachable',
  overrides: Partial<ClusterStatus> = {},
): ClusterStatus {
  const down = health === 'unreachable'
  return {
    clusterId: c.id,
    health,
    checkedAt: health === 'unknown' ? null : at,
    addresses:
      health === 'unknown'
        ? []
        : c.addresses.map((address) => ({
            address,
            reachable: !down,
            signature: down ? null : c.signature,
            error: down ? 'connect ECONNREFUSED' : null,
            latencyMs: down ? null : 2.5,
          })),
    ...overrides,
  }
}

/** Every edge's status (in sync unless given) and every cluster's (reachable unless given). */
export function statusOf(
  topology: TopologyGraph,
  edges: EdgeStatus[] = [],
  clusters: ClusterStatus[] = [],
): StatusList {
  const byId = new Map(edges.map((e) => [e.edgeId, e]))
  const clusterById = new Map(clusters.map((c) => [c.clusterId, c]))
  return {
    at,
    edges: topology.edges.map((e) => byId.get(e.id) ?? edgeStatus(e)),
    clusters: topology.clusters.map((c) => clusterById.get(c.id) ?? clusterStatus(c)),
  }
}
