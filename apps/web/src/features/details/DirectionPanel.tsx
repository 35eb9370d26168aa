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
      {d.inFlight.length > 0 && (
        <div className="inflight">
          <h4>Large files in flight</h4>
          <ul aria-label={`Transfers ${title}`}>
            {d.inFlight.map((t) => (
              <li key={`${t.sourceFid}${t.targetPath}`}>
                <span className="mono">{t.targetPath}</span> · {formatBytes(t.size)}
                <progress
                  max={3}
                  value={t.state === 'waiting' ? 0 : t.state === 'downloading' ? 1 : 2}
                  aria-label={`${t.targetPath}: ${t.state}`}
                />
                <span className="muted">{t.state}</span>
              </li>
            ))}
          </ul>
        </div>
      )}
    </div>
  )
}
