import type { DirectionStatus } from '@seasync/server/api-types'
import {
  formatAgo,
  formatByteRate,
  formatBytes,
  formatDateTime,
  formatEventRate,
  formatSeconds,
  nsToMs,
  stateText,
} from '../../lib/format'

interface Props {
  readonly status: DirectionStatus
  /** `demo-a → demo-b`, by cluster names. */
  readonly title: string
  readonly nowMs: number
}

/** One direction's live figures: state, lag, backlog, rates, checkpoint, head, in-flight files. */
export function DirectionPanel({ status: d, title, nowMs }: Props) {
  const headMs = nsToMs(d.sourceHeadNs)
  const appliedMs = nsToMs(d.appliedNs)
  const savedMs = nsToMs(d.savedNs)
  return (
    <div className="direction" role="group" aria-label={title}>
      <div className="direction-head">
        <h3>{title}</h3>
        <span className={`badge state-${d.state}`} data-testid="direction-state">
          {stateText(d.state)}
        </span>
      </div>
      <p className="reason">{d.reason}</p>
      <dl className="figures">
        <div>
          <dt>Lag</dt>
          <dd className="big" data-testid="direction-lag">
            {formatSeconds(d.lagSeconds)}
          </dd>
        </div>
        <div>
          <dt>Backlog</dt>
          <dd className="big">{d.backlog.toLocaleString('en-US')}</dd>
        </div>
        <div>
          <dt>Rate</dt>
          <dd>
            {formatEventRate(d.eventsPerSecond)} · {formatByteRate(d.bytesPerSecond)}
          </dd>
        </div>
        <div>
          <dt>Failed events</dt>
          <dd className={d.failures > 0 ? 'bad' : undefined}>{d.failures}</dd>
        </div>
        <div className="wide">
          <dt>Checkpoint</dt>
          <dd>
            {savedMs === null ? 'none saved yet' : formatDateTime(savedMs)}
            {d.checkpointAgeSeconds !== null && (
              <span className="muted"> · saved {formatSeconds(d.checkpointAgeSeconds)} ago</span>
            )}
          </dd>
        </div>
        <div className="wide">
          <dt>Applied up to</dt>
          <dd>
            {appliedMs === null
              ? '–'
              : `${formatDateTime(appliedMs)} (${formatAgo(appliedMs, nowMs)})`}
          </dd>
        </div>
        <div className="wide">
          <dt>Source head</dt>
          <dd>
            {headMs === null ? '–' : `${formatDateTime(headMs)} (${formatAgo(headMs, nowMs)})`}
          </dd>
        </div>
        <div className="wide">
          <dt>Filers</dt>
          <dd className="mono">
            {d.sourceFiler}
            {d.sourcePath} → {d.targetFiler}
            {d.targetPath}
          </dd>
        </div>
        <div className="wide">
          <dt>Totals</dt>
          <dd>
            {d.eventsApplied.toLocaleString('en-US')} events, {formatBytes(d.bytesCopied)} copied
            since the server started
          </dd>
        </div>
      </dl>
      {d.lastError !== null && (
        <p className="last-error">
          <strong>Last error:</strong> <span className="mono">{d.lastError}</span>
        </p>
      )}
      {d.largeFiles.length > 0 && (
        <div className="inflight">
          <h4>Large files in flight</h4>
          <ul aria-label={`Large files ${title}`}>
            {d.largeFiles.map((f) => {
              const share = f.bytes > 0 ? f.bytesCopied / f.bytes : 0
              const elapsedS = Math.max(0, nowMs - Date.parse(f.startedAt)) / 1000
              return (
                <li key={`${f.targetPath}${f.startedAt}`}>
                  <span className="mono">{f.targetPath}</span>
                  <progress
                    max={f.bytes}
                    value={f.bytesCopied}
                    aria-label={`${f.targetPath}: ${Math.floor(share * 100)}% copied`}
                  />
                  <span className="muted">
                    {formatBytes(f.bytesCopied)} of {formatBytes(f.bytes)} (
                    {Math.floor(share * 100)}%)
                    {elapsedS >= 1 && f.bytesCopied > 0
                      ? ` · ${formatByteRate(f.bytesCopied / elapsedS)}`
                      : ''}
                  </span>
                </li>
              )
            })}
          </ul>
        </div>
      )}
      {d.inFlight.length > 0 && <ChunkCopies transfers={d.inFlight} />}
    </div>
  )
}

/** `32 chunk copies in flight, 734 waiting`: copying (downloading or uploading) and queued. */
function ChunkCopies({ transfers }: { readonly transfers: DirectionStatus['inFlight'] }) {
  const waiting = transfers.filter((t) => t.state === 'waiting').length
  const active = transfers.length - waiting
  return (
    <p className="muted" data-testid="chunks-in-flight">
      {active} chunk {active === 1 ? 'copy' : 'copies'} in flight
      {waiting > 0 ? `, ${waiting} waiting` : ''}
    </p>
  )
}
