import type { StatusList, TopologyGraph } from '@seasync/server/api-types'
import { useQueryClient } from '@tanstack/react-query'
import { useState } from 'react'
import { api } from '../../api/endpoints'
import { ConfirmDialog } from '../../components/ConfirmDialog'
import { useNotify } from '../../components/Toasts'
import { formatAgo, formatDateTime, stateText } from '../../lib/format'
import { queryKeys } from '../../queries/keys'
import { clusterHealth } from '../graph/cluster-health'
import { edgeTitle } from '../shell/names'

interface Props {
  readonly clusterId: string
  readonly topology: TopologyGraph
  readonly status: StatusList | undefined
  readonly onClose: () => void
  readonly onEdit: () => void
  readonly onSelectEdge: (id: string) => void
  readonly onAddEdge: () => void
}

/**
 * One cluster: its health (the server's probe of every filer address: reachability, latency, last
 * check), signature, options and its edges.
 */
export function ClusterDetails({
  clusterId,
  topology,
  status,
  onClose,
  onEdit,
  onSelectEdge,
  onAddEdge,
}: Props) {
  const client = useQueryClient()
  const notify = useNotify()
  const [confirmDelete, setConfirmDelete] = useState(false)
  const cluster = topology.clusters.find((c) => c.id === clusterId)
  if (cluster === undefined) return null
  const health = clusterHealth(cluster, status)
  const edges = topology.edges.filter((e) => e.a.cluster === clusterId || e.b.cluster === clusterId)
  const statusById = new Map(status?.edges.map((s) => [s.edgeId, s]))
  const live = health.live
  const probed = new Map(live?.addresses.map((a) => [a.address, a]))
  // Relative to the server's clock of the last status tick, so it moves with every tick.
  const nowMs = status === undefined ? Date.now() : Date.parse(status.at)
  return (
    <section className="details" aria-label="Cluster details">
      <div className="details-head">
        <div>
          <h2>{cluster.name}</h2>
          <p className="muted mono">
            {cluster.id}
            {cluster.embedded && ' · embedded (demo)'}
          </p>
        </div>
        <button type="button" className="icon" aria-label="Close details" onClick={onClose}>
          ×
        </button>
      </div>
      <p className={`health-line health-${health.kind}`} data-testid="cluster-health">
        <span className={`dot health-${health.kind}`} aria-hidden="true" /> {health.text}
      </p>
      {health.detail !== undefined && <p className="last-error mono">{health.detail}</p>}
      <dl className="meta">
        <div>
          <dt>Filer addresses</dt>
          <dd>
            <ul className="plain">
              {cluster.addresses.map((address) => {
                const probe = probed.get(address)
                const kind =
                  probe === undefined ? 'unknown' : probe.reachable ? 'reachable' : 'unreachable'
                return (
                  <li key={address} className="address-health" data-testid="address-health">
                    <span className={`dot health-${kind}`} aria-hidden="true" />
                    <span className="mono">{address}</span>{' '}
                    <span className="muted">
                      {probe === undefined
                        ? 'not checked yet'
                        : probe.reachable
                          ? `reachable · ${probe.latencyMs ?? '?'} ms`
                          : 'unreachable'}
                    </span>
                    {probe !== undefined && !probe.reachable && probe.error !== null && (
                      <span className="last-error mono">{probe.error}</span>
                    )}
                  </li>
                )
              })}
            </ul>
          </dd>
        </div>
        <div>
          <dt>Last check</dt>
          <dd>
            {live?.checkedAt == null ? (
              'not yet'
            ) : (
              <time dateTime={live.checkedAt} title={formatDateTime(Date.parse(live.checkedAt))}>
                {formatAgo(Date.parse(live.checkedAt), nowMs)}
              </time>
            )}
          </dd>
        </div>
        <div>
          <dt>Signature</dt>
          <dd className="mono">{cluster.signature ?? 'not probed'}</dd>
        </div>
        <div>
          <dt>Chunks through filer</dt>
          <dd>{cluster.filerProxy ? 'yes (filer proxy)' : 'no (volume servers)'}</dd>
        </div>
        {cluster.tls !== undefined && (
          <div>
            <dt>TLS</dt>
            <dd>mutual TLS{cluster.tls.hasKey ? ', key stored' : ', no key'}</dd>
          </div>
        )}
      </dl>
      <div className="actions left">
        <button type="button" className="primary" onClick={onEdit}>
          Edit cluster
        </button>
        <button type="button" onClick={onAddEdge}>
          Add edge from here
        </button>
        <button type="button" className="danger-outline" onClick={() => setConfirmDelete(true)}>
          Delete cluster
        </button>
      </div>
      <h3>Edges of this cluster</h3>
      {edges.length === 0 ? (
        <p className="muted">None.</p>
      ) : (
        <ul className="plain">
          {edges.map((e) => {
            const s = statusById.get(e.id)
            return (
              <li key={e.id}>
                <button type="button" className="link" onClick={() => onSelectEdge(e.id)}>
                  {edgeTitle(topology, e)}
                </button>{' '}
                <span className={`badge state-${s?.state ?? 'starting'}`}>
                  {stateText(s?.state ?? 'starting')}
                </span>
              </li>
            )
          })}
        </ul>
      )}
      {confirmDelete && (
        <ConfirmDialog
          title="Delete cluster"
          confirmLabel="Delete"
          danger
          onClose={() => setConfirmDelete(false)}
          onConfirm={async () => {
            await api.deleteCluster(cluster.id)
            notify(`Cluster ${cluster.name} deleted`)
            onClose()
            await client.invalidateQueries({ queryKey: queryKeys.topology() })
          }}
        >
          <p>
            Delete the cluster <strong>{cluster.name}</strong> from SeaSync? Its filers and data are
            not touched.
            {edges.length > 0 &&
              ` It still has ${edges.length} edge(s): delete those first (the server will refuse otherwise).`}
          </p>
        </ConfirmDialog>
      )}
    </section>
  )
}
