import { useQueryClient } from '@tanstack/react-query'
import { useCallback, useEffect, useRef, useState, useSyncExternalStore } from 'react'
import { ServerUnreachableError, errorMessage } from './api/http'
import { getToken, isTokenRequired, subscribeToken } from './api/token'
import { ClusterDetails } from './features/details/ClusterDetails'
import { EdgeDetails } from './features/details/EdgeDetails'
import { ClusterForm } from './features/editing/ClusterForm'
import { EdgeForm } from './features/editing/EdgeForm'
import { ExportDialog } from './features/editing/ExportDialog'
import { ImportDialog } from './features/editing/ImportDialog'
import { GraphController, type GraphSelection } from './features/graph/graph-controller'
import type { LoopHighlight } from './features/graph/graph-model'
import { GraphView } from './features/graph/GraphView'
import { TokenDialog } from './features/shell/TokenDialog'
import { TopologyLists } from './features/shell/TopologyLists'
import { computeSummary } from './features/summary/summary'
import { SummaryBar } from './features/summary/SummaryBar'
import { queryKeys } from './queries/keys'
import { useLiveEvents } from './queries/useLiveEvents'
import { useStatus } from './queries/useStatus'
import { useTopology } from './queries/useTopology'

/** Which dialog is open. */
export type DialogState =
  | { readonly kind: 'add-cluster' }
  | { readonly kind: 'edit-cluster'; readonly id: string }
  | { readonly kind: 'add-edge'; readonly a?: string; readonly b?: string }
  | { readonly kind: 'edit-edge'; readonly id: string }
  | { readonly kind: 'import' }
  | { readonly kind: 'export' }

/** The dashboard: header and toolbar, summary, graph with lists and details, dialogs. */
export function App() {
  const client = useQueryClient()
  const stream = useLiveEvents()
  const live = stream.kind === 'open'
  const topology = useTopology()
  const status = useStatus(live)
  const tokenRequired = useSyncExternalStore(subscribeToken, isTokenRequired)
  const [selection, setSelection] = useState<GraphSelection | null>(null)
  const [loop, setLoop] = useState<LoopHighlight | undefined>()
  const [dialog, setDialog] = useState<DialogState | null>(null)
  const [connectMode, setConnectMode] = useState(false)
  const [search, setSearch] = useState('')

  // The controller lives as long as the page; its callbacks reach the latest state setters.
  const onConnect = useRef((a: string, b: string) => {
    setConnectMode(false)
    setDialog({ kind: 'add-edge', a, b })
  })
  const [controller] = useState(
    () =>
      new GraphController({
        onSelect: (s) => setSelection(s),
        onConnect: (a, b) => onConnect.current(a, b),
      }),
  )

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape' && connectMode) setConnectMode(false)
    }
    window.addEventListener('keydown', onKey)
    return () => window.removeEventListener('keydown', onKey)
  }, [connectMode])

  // Marks matches in the graph; again when clusters come or go.
  useEffect(() => void controller.search(search), [controller, search, topology.data])

  // A selection whose element was removed (by anyone) goes away.
  const data = topology.data
  useEffect(() => {
    if (data === undefined || selection === null) return
    const exists =
      selection.kind === 'edge'
        ? data.edges.some((e) => e.id === selection.id)
        : data.clusters.some((c) => c.id === selection.id)
    if (!exists) setSelection(null)
  }, [data, selection])

  // A refused loop stays marked after its dialog closes, until cleared or the next check.
  // The tab title says whether all is well, for an operator with the dashboard in a background tab.
  const notInSync = data === undefined ? undefined : computeSummary(data, status.data).notInSync
  useEffect(() => {
    document.title =
      notInSync === undefined || notInSync === 0 ? 'SeaSync' : `SeaSync · ${notInSync} not in sync`
  }, [notInSync])

  const closeDialog = useCallback(() => setDialog(null), [])

  const unreachable =
    topology.error instanceof ServerUnreachableError ||
    status.error instanceof ServerUnreachableError ||
    (stream.kind === 'waiting' && stream.failures >= 2)

  const focusCluster = () => {
    const q = search.trim().toLowerCase()
    const match = data?.clusters.find((c) => c.name.toLowerCase().includes(q))
    if (match === undefined || q === '') return
    setSelection({ kind: 'cluster', id: match.id })
    controller.focus(match.id)
  }

  return (
    <div className="app">
      <header className="header" role="banner">
        <div className="brand">
          <h1>SeaSync</h1>
          <LiveBadge state={stream.kind} />
        </div>
        <div className="toolbar" role="toolbar" aria-label="Topology">
          <input
            type="search"
            aria-label="Search clusters"
            placeholder="Search clusters"
            value={search}
            onChange={(e) => setSearch(e.target.value)}
            onKeyDown={(e) => {
              if (e.key === 'Enter') focusCluster()
            }}
          />
          <button type="button" onClick={() => setDialog({ kind: 'add-cluster' })}>
            Add cluster
          </button>
          <button type="button" onClick={() => setDialog({ kind: 'add-edge' })}>
            Add edge
          </button>
          <button type="button" onClick={() => setDialog({ kind: 'import' })}>
            Import topology
          </button>
          <button type="button" onClick={() => setDialog({ kind: 'export' })}>
            Export topology
          </button>
        </div>
      </header>

      {unreachable && (
        <div className="banner-alert" role="alert">
          <strong>Server unreachable.</strong> The SeaSync server does not answer; retrying. What
          you see may be out of date.
        </div>
      )}
      {topology.error !== null && !unreachable && !tokenRequired && (
        <div className="banner-alert" role="alert">
          Could not load the topology: {errorMessage(topology.error)}
        </div>
      )}

      {data !== undefined && (
        <SummaryBar
          topology={data}
          status={status.data}
          onShowEdge={(id) => setSelection({ kind: 'edge', id })}
        />
      )}

      <main className="workspace">
        {data === undefined ? (
          <div className="loading" aria-busy="true">
            {topology.isPending && !unreachable ? 'Loading the topology…' : 'No topology loaded.'}
          </div>
        ) : (
          <>
            <GraphView
              controller={controller}
              topology={data}
              status={status.data}
              loop={loop}
              selection={selection}
              connectMode={connectMode}
              onToggleConnect={() => setConnectMode((on) => !on)}
              onClearLoop={() => setLoop(undefined)}
              emptyAction={
                <button
                  type="button"
                  className="primary"
                  onClick={() => setDialog({ kind: 'add-cluster' })}
                >
                  Add your first cluster
                </button>
              }
            />
            <aside className="sidebar">
              {selection?.kind === 'edge' && (
                <EdgeDetails
                  key={selection.id}
                  edgeId={selection.id}
                  topology={data}
                  status={status.data}
                  onClose={() => setSelection(null)}
                  onEdit={() => setDialog({ kind: 'edit-edge', id: selection.id })}
                />
              )}
              {selection?.kind === 'cluster' && (
                <ClusterDetails
                  key={selection.id}
                  clusterId={selection.id}
                  topology={data}
                  status={status.data}
                  onClose={() => setSelection(null)}
                  onEdit={() => setDialog({ kind: 'edit-cluster', id: selection.id })}
                  onSelectEdge={(id) => setSelection({ kind: 'edge', id })}
                  onAddEdge={() => setDialog({ kind: 'add-edge', a: selection.id })}
                />
              )}
              <TopologyLists
                topology={data}
                status={status.data}
                selection={selection}
                search={search}
                onSelect={(s) => {
                  setSelection(s)
                  controller.focus(s.id)
                }}
              />
            </aside>
          </>
        )}
      </main>

      {data !== undefined && dialog?.kind === 'add-cluster' && (
        <ClusterForm
          topology={data}
          onClose={closeDialog}
          onSaved={(id) => setSelection({ kind: 'cluster', id })}
        />
      )}
      {data !== undefined && dialog?.kind === 'edit-cluster' && (
        <ClusterForm
          topology={data}
          clusterId={dialog.id}
          onClose={closeDialog}
          onSaved={() => undefined}
        />
      )}
      {data !== undefined && (dialog?.kind === 'add-edge' || dialog?.kind === 'edit-edge') && (
        <EdgeForm
          topology={data}
          edgeId={dialog.kind === 'edit-edge' ? dialog.id : undefined}
          initialA={dialog.kind === 'add-edge' ? dialog.a : undefined}
          initialB={dialog.kind === 'add-edge' ? dialog.b : undefined}
          onLoop={setLoop}
          onClose={closeDialog}
          onSaved={(id) => setSelection({ kind: 'edge', id })}
        />
      )}
      {dialog?.kind === 'import' && <ImportDialog onClose={closeDialog} />}
      {dialog?.kind === 'export' && <ExportDialog onClose={closeDialog} />}
      {tokenRequired && (
        <TokenDialog
          hadToken={getToken() !== undefined}
          onConnected={() => void client.invalidateQueries({ queryKey: queryKeys.all })}
        />
      )}
    </div>
  )
}

function LiveBadge({ state }: { readonly state: string }) {
  const text =
    state === 'open' ? 'live' : state === 'unauthorized' ? 'token needed' : 'reconnecting…'
  return (
    <span className={`live live-${state}`} title="Live updates from the server's event stream">
      <span className="live-dot" aria-hidden="true" />
      {text}
    </span>
  )
}
