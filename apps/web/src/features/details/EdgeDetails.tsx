import type { StatusList, TopologyGraph } from '@seasync/server/api-types'
import { useMutation, useQueryClient } from '@tanstack/react-query'
import { useState } from 'react'
import { api } from '../../api/endpoints'
import { errorMessage } from '../../api/http'
import { ConfirmDialog } from '../../components/ConfirmDialog'
import { useNotify } from '../../components/Toasts'
import { formatSeconds, stateText } from '../../lib/format'
import { queryKeys } from '../../queries/keys'
import { useEdgeHistory } from '../../queries/useEdgeHistory'
import { clusterName, edgeTitle } from '../shell/names'
import { CheckpointDialog } from './CheckpointDialog'
import { DirectionPanel } from './DirectionPanel'
import { FailuresList } from './FailuresList'
import { LagChart } from './LagChart'

const RANGES = [
  { label: '15 min', ms: 15 * 60_000 },
  { label: '1 h', ms: 3_600_000 },
  { label: '6 h', ms: 6 * 3_600_000 },
  { label: '24 h', ms: 86_400_000 },
  { label: '7 d', ms: 7 * 86_400_000 },
] as const

interface Props {
  readonly edgeId: string
  readonly topology: TopologyGraph
  readonly status: StatusList | undefined
  readonly onClose: () => void
  readonly onEdit: () => void
}

/** Everything about one edge: per-direction figures, history, failures, pause, checkpoints. */
export function EdgeDetails({ edgeId, topology, status, onClose, onEdit }: Props) {
  const client = useQueryClient()
  const notify = useNotify()
  const [range, setRange] = useState<number>(RANGES[0].ms)
  const [confirmDelete, setConfirmDelete] = useState(false)
  const [checkpointOpen, setCheckpointOpen] = useState(false)
  const history = useEdgeHistory(edgeId, range)
  const edge = topology.edges.find((e) => e.id === edgeId)
  const edgeStatus = status?.edges.find((s) => s.edgeId === edgeId)
  const pause = useMutation({
    mutationFn: (paused: boolean) => (paused ? api.resumeEdge(edgeId) : api.pauseEdge(edgeId)),
    onSuccess: (result, wasPaused) => {
      notify(wasPaused ? 'Edge resumed' : 'Edge paused: checkpoints saved')
      client.setQueryData<StatusList>(queryKeys.status(), (old) =>
        old === undefined
          ? old
          : { ...old, edges: old.edges.map((e) => (e.edgeId === edgeId ? result : e)) },
      )
      return client.invalidateQueries({ queryKey: queryKeys.topology() })
    },
    onError: (e) => notify(errorMessage(e), 'error'),
  })
  if (edge === undefined) return null

  const a = clusterName(topology, edge.a.cluster)
  const b = clusterName(topology, edge.b.cluster)
  const names = { 'a-b': `${a} → ${b}`, 'b-a': `${b} → ${a}` } as const
  const nowMs = status === undefined ? Date.now() : Date.parse(status.at)
  const to = history.data === undefined ? Date.now() : Date.parse(history.data.to)
  const paused = edgeStatus?.paused ?? edge.paused
  const options = describeOptions(edge.options)

  return (
    <section className="details" aria-label="Edge details">
      <div className="details-head">
        <div>
          <h2>{edgeTitle(topology, edge)}</h2>
          <p className="muted mono">{edge.id}</p>
        </div>
        <button type="button" className="icon" aria-label="Close details" onClick={onClose}>
          ×
        </button>
      </div>
      <dl className="meta">
        <div>
          <dt>Mode</dt>
          <dd>
            {edge.mode === 'active-active'
              ? 'active-active (both directions)'
              : `one-way (${a} → ${b})`}
          </dd>
        </div>
        <div>
          <dt>Paths</dt>
          <dd className="mono">
            {a}:{edge.a.path} {edge.mode === 'active-active' ? '↔' : '→'} {b}:{edge.b.path}
          </dd>
        </div>
        {(edge.a.excludes.length > 0 || edge.b.excludes.length > 0) && (
          <div>
            <dt>Excludes</dt>
            <dd className="mono">
              {[
                ...edge.a.excludes.map((x) => `${a}:${x}`),
                ...edge.b.excludes.map((x) => `${b}:${x}`),
              ].join(', ')}
            </dd>
          </div>
        )}
        {options !== '' && (
          <div>
            <dt>Options</dt>
            <dd className="mono">{options}</dd>
          </div>
        )}
        <div>
          <dt>State</dt>
          <dd>
            {edgeStatus === undefined
              ? 'no status yet'
              : `${stateText(edgeStatus.state)}, lag ${formatSeconds(edgeStatus.lagSeconds)}`}
          </dd>
        </div>
      </dl>
      {edgeStatus?.problem != null && (
        <p className="form-error" role="note">
          {edgeStatus.problem}
        </p>
      )}
      <div className="actions left">
        <button
          type="button"
          className="primary"
          disabled={pause.isPending}
          onClick={() => pause.mutate(paused)}
        >
          {paused ? 'Resume' : 'Pause'}
        </button>
        <button type="button" onClick={onEdit}>
          Edit edge
        </button>
        <button type="button" onClick={() => setCheckpointOpen(true)}>
          Set checkpoint
        </button>
        <button type="button" className="danger-outline" onClick={() => setConfirmDelete(true)}>
          Delete edge
        </button>
      </div>

      {edgeStatus?.directions.map((d) => (
        <DirectionPanel key={d.direction} status={d} title={names[d.direction]} nowMs={nowMs} />
      ))}

      <section className="history" aria-labelledby={`history-${edge.id}`}>
        <div className="section-head">
          <h3 id={`history-${edge.id}`}>Lag history</h3>
          <label className="inline">
            <span>History range</span>
            <select value={range} onChange={(e) => setRange(Number(e.target.value))}>
              {RANGES.map((r) => (
                <option key={r.ms} value={r.ms}>
                  {r.label}
                </option>
              ))}
            </select>
          </label>
        </div>
        {history.error !== null ? (
          <p className="form-error">Could not load history: {errorMessage(history.error)}</p>
        ) : history.data === undefined ? (
          <p className="muted">Loading…</p>
        ) : (
          <>
            <LagChart samples={history.data.samples} fromMs={to - range} toMs={to} labels={names} />
            {history.data.truncated && (
              <p className="muted">Only part of the range fits one answer: pick a shorter range.</p>
            )}
          </>
        )}
      </section>

      <FailuresList edgeId={edge.id} names={names} />

      {checkpointOpen && (
        <CheckpointDialog
          edgeId={edge.id}
          status={edgeStatus}
          paused={paused}
          names={names}
          onClose={() => setCheckpointOpen(false)}
        />
      )}
      {confirmDelete && (
        <ConfirmDialog
          title="Delete edge"
          confirmLabel="Delete"
          danger
          onClose={() => setConfirmDelete(false)}
          onConfirm={async () => {
            await api.deleteEdge(edge.id)
            notify(`Edge ${edgeTitle(topology, edge)} deleted`)
            onClose()
            await client.invalidateQueries({ queryKey: queryKeys.topology() })
          }}
        >
          <p>
            Stop replicating <strong>{edgeTitle(topology, edge)}</strong> ({edge.a.path}{' '}
            {edge.mode === 'active-active' ? '↔' : '→'} {edge.b.path}) and delete the edge? Files
            already copied stay where they are; the checkpoints stay in the target filers.
          </p>
        </ConfirmDialog>
      )}
    </section>
  )
}

function describeOptions(options: TopologyGraph['edges'][number]['options']): string {
  const parts: string[] = []
  if (options.concurrency !== undefined) parts.push(`concurrency ${options.concurrency}`)
  if (options.chunkConcurrency !== undefined)
    parts.push(`chunk concurrency ${options.chunkConcurrency}`)
  if (options.doDeleteFiles === false) parts.push('deletes not propagated')
  for (const side of ['a', 'b'] as const) {
    const o = options[side]
    if (o === undefined) continue
    const inner = Object.entries(o).map(([k, v]) => `${k}=${String(v)}`)
    if (inner.length > 0) parts.push(`${side}: ${inner.join(' ')}`)
  }
  return parts.join(' · ')
}
