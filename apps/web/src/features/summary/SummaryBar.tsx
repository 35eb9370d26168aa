import type { StatusList, TopologyGraph } from '@seasync/server/api-types'
import { formatSeconds } from '../../lib/format'
import { computeSummary } from './summary'

interface Props {
  readonly topology: TopologyGraph
  readonly status: StatusList | undefined
  /** Selects the edge with the worst lag. */
  readonly onShowEdge: (edgeId: string) => void
}

/** Clusters, edges, worst lag, edges not in sync: is everything in sync, at a glance. */
export function SummaryBar({ topology, status, onShowEdge }: Props) {
  const s = computeSummary(topology, status)
  const worst = s.worstLagSeconds === undefined ? '–' : formatSeconds(s.worstLagSeconds)
  const notInSync = s.notInSync === undefined ? '–' : String(s.notInSync)
  const tone = s.failing !== undefined && s.failing > 0 ? 'bad' : s.notInSync ? 'warn' : 'good'
  return (
    <section className="summary" aria-label="Summary">
      <Figure label="Clusters" testId="summary-clusters" value={String(s.clusters)} />
      <Figure label="Edges" testId="summary-edges" value={String(s.edges)} />
      <Figure label="Worst lag" testId="summary-worst-lag" value={worst}>
        {s.worstEdgeId !== undefined && (
          <button type="button" className="link" onClick={() => onShowEdge(s.worstEdgeId!)}>
            show edge
          </button>
        )}
      </Figure>
      <Figure label="Not in sync" testId="summary-not-in-sync" value={notInSync} tone={tone} />
    </section>
  )
}

function Figure(props: {
  readonly label: string
  readonly value: string
  readonly testId: string
  readonly tone?: 'good' | 'warn' | 'bad'
  readonly children?: React.ReactNode
}) {
  return (
    <div className={`figure${props.tone === undefined ? '' : ` tone-${props.tone}`}`}>
      <span className="figure-label">{props.label}</span>
      <span className="figure-value" data-testid={props.testId}>
        {props.value}
      </span>
      {props.children}
    </div>
  )
}
