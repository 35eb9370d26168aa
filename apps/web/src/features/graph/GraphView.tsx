import type { StatusList, TopologyGraph } from '@seasync/server/api-types'
import { useEffect, useMemo } from 'react'
import { stateText } from '../../lib/format'
import { STATE_COLOURS, STATES_BY_SEVERITY } from '../../lib/states'
import { GraphCanvas } from './GraphCanvas'
import type { GraphController, GraphSelection } from './graph-controller'
import { buildGraphElements, type LoopHighlight } from './graph-model'
import { HEALTH_COLOURS, LOOP_COLOUR } from './graph-styles'

interface Props {
  readonly controller: GraphController
  readonly topology: TopologyGraph
  readonly status: StatusList | undefined
  readonly loop: LoopHighlight | undefined
  readonly selection: GraphSelection | null
  readonly connectMode: boolean
  readonly onToggleConnect: () => void
  readonly onClearLoop: () => void
  readonly emptyAction: React.ReactNode
}

/** The topology graph: queries → pure model → diff onto the canvas; zoom, fit and connect. */
export function GraphView(props: Props) {
  const { controller, topology, status, loop, selection, connectMode } = props
  const elements = useMemo(
    () => buildGraphElements(topology, status, loop),
    [topology, status, loop],
  )

  useEffect(() => controller.setElements(elements), [controller, elements])
  useEffect(() => controller.select(selection), [controller, selection, elements])
  useEffect(() => controller.setConnectMode(connectMode), [controller, connectMode])

  return (
    <div className={`graph-panel${connectMode ? ' connecting' : ''}`}>
      <GraphCanvas controller={controller} />
      {topology.clusters.length === 0 && (
        <div className="graph-empty">
          <p>
            <strong>No clusters yet.</strong> Add the SeaweedFS clusters you replicate between, then
            connect them with sync edges.
          </p>
          {props.emptyAction}
        </div>
      )}
      <div className="graph-controls" role="toolbar" aria-label="Graph">
        <button type="button" onClick={() => controller.fit()}>
          Fit graph
        </button>
        <button type="button" aria-label="Zoom in" onClick={() => controller.zoomBy(1.25)}>
          +
        </button>
        <button type="button" aria-label="Zoom out" onClick={() => controller.zoomBy(0.8)}>
          −
        </button>
        <button
          type="button"
          aria-pressed={connectMode}
          onClick={props.onToggleConnect}
          title="Press on a cluster and release on another to add an edge between them"
        >
          Connect clusters
        </button>
      </div>
      {loop !== undefined && (
        <div className="loop-notice" role="note">
          <span>
            <span className="swatch line" style={{ background: LOOP_COLOUR }} /> The refused loop
            runs through {loop.edges.length} edge(s) and {loop.clusters.length} cluster(s).
          </span>
          <button type="button" onClick={props.onClearLoop}>
            Clear loop highlight
          </button>
        </div>
      )}
      <p id="graph-help" className={connectMode ? 'graph-hint active' : 'graph-hint'}>
        {connectMode
          ? 'Connect mode: drag from one cluster to another (or click one, then the other) to add an edge. Esc leaves it.'
          : 'Drag clusters to arrange them (positions are remembered); click an edge for its details.'}
      </p>
      <ul className="legend" aria-label="Legend">
        {STATES_BY_SEVERITY.map((state) => (
          <li key={state}>
            <span className="swatch line" style={{ background: STATE_COLOURS[state] }} />
            {stateText(state)}
          </li>
        ))}
        <li>
          <span className="swatch line" style={{ background: LOOP_COLOUR }} /> loop
        </li>
        <li>
          <span className="swatch box" style={{ borderColor: HEALTH_COLOURS.unreachable }} />
          filer unreachable
        </li>
        <li>
          <span className="swatch box dashed" style={{ borderColor: HEALTH_COLOURS.degraded }} />
          some filers down
        </li>
        <li>
          <span className="swatch box" style={{ borderColor: HEALTH_COLOURS.mismatch }} />
          signature mismatch
        </li>
        <li>
          <span className="swatch box double" /> embedded
        </li>
      </ul>
    </div>
  )
}
