import type { StatusList, TopologyGraph } from '@seasync/server/api-types'
import { formatSeconds, stateText } from '../../lib/format'
import type { LagState } from '../../lib/states'
import { clusterHealth } from '../graph/cluster-health'
import type { GraphSelection } from '../graph/graph-controller'
import { edgeTitle } from './names'

interface Props {
  readonly topology: TopologyGraph
  readonly status: StatusList | undefined
  readonly selection: GraphSelection | null
  readonly search: string
  readonly onSelect: (selection: GraphSelection) => void
}

/**
 * The graph as lists, beside the canvas: every edge (name, state, lag) and every cluster, each a
 * button that selects it. The keyboard's and screen reader's way into the graph.
 */
export function TopologyLists({ topology, status, selection, search, onSelect }: Props) {
  const statusById = new Map(status?.edges.map((s) => [s.edgeId, s]))
  const q = search.trim().toLowerCase()
  const clusters = topology.clusters.filter((c) => q === '' || c.name.toLowerCase().includes(q))
  return (
    <div className="lists">
      <h2 className="list-title" id="edges-title">
        Edges <span className="count">{topology.edges.length}</span>
      </h2>
      {topology.edges.length === 0 ? (
        <p className="muted">No edges. Use “Add edge” or connect two clusters in the graph.</p>
      ) : (
        <ul className="item-list" aria-label="Edges">
          {topology.edges.map((edge) => {
            const s = statusById.get(edge.id)
            const state: LagState = s?.state ?? (edge.paused ? 'paused' : 'starting')
            const selected = selection?.kind === 'edge' && selection.id === edge.id
            return (
              <li key={edge.id}>
                <button
                  type="button"
                  className={`item${selected ? ' selected' : ''}`}
                  aria-current={selected ? 'true' : undefined}
                  aria-describedby={`edge-paths-${edge.id}`}
                  onClick={() => onSelect({ kind: 'edge', id: edge.id })}
                >
                  <span className="item-name">{edgeTitle(topology, edge)}</span>{' '}
                  <span className={`badge state-${state}`}>{stateText(state)}</span>
                </button>
                <span id={`edge-paths-${edge.id}`} className="item-sub">
                  {edge.a.path} {edge.mode === 'active-active' ? '↔' : '→'} {edge.b.path}
                  {s !== undefined && ` · lag ${formatSeconds(s.lagSeconds)}`}
                </span>
              </li>
            )
          })}
        </ul>
      )}
      <h2 className="list-title">
        Clusters <span className="count">{topology.clusters.length}</span>
      </h2>
      {clusters.length === 0 ? (
        <p className="muted">{q === '' ? 'No clusters.' : `No cluster matches “${search}”.`}</p>
      ) : (
        <ul className="item-list" aria-label="Clusters">
          {clusters.map((cluster) => {
            const health = clusterHealth(cluster, status)
            const selected = selection?.kind === 'cluster' && selection.id === cluster.id
            return (
              <li key={cluster.id}>
                <button
                  type="button"
                  className={`item${selected ? ' selected' : ''}`}
                  aria-current={selected ? 'true' : undefined}
                  aria-describedby={`cluster-sub-${cluster.id}`}
                  onClick={() => onSelect({ kind: 'cluster', id: cluster.id })}
                >
                  <span className="item-name">{cluster.name}</span>
                </button>
                <span id={`cluster-sub-${cluster.id}`} className="item-sub">
                  <span className={`dot health-${health.kind}`} aria-hidden="true" />
                  {health.text} · {cluster.addresses.join(', ')}
                  {cluster.embedded && ' · embedded'}
                </span>
              </li>
            )
          })}
        </ul>
      )}
    </div>
  )
}
