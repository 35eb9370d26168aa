import type { HistorySample } from '@seasync/server/api-types'
import { formatClock, formatDateTime, formatSeconds } from '../../lib/format'
import { buildLagChart, type ChartBox } from './lag-chart-model'

const BOX: ChartBox = { width: 360, height: 150, left: 44, right: 8, top: 8, bottom: 20 }
const COLOURS = { 'a-b': '#0969da', 'b-a': '#bf3989' } as const

interface Props {
  readonly samples: readonly HistorySample[]
  readonly fromMs: number
  readonly toMs: number
  /** Legend text per direction (`demo-a → demo-b`). */
  readonly labels: Readonly<Record<string, string>>
}

/** Lag over time, hand-written SVG: a line per direction, pauses shaded, restarts marked. */
export function LagChart({ samples, fromMs, toMs, labels }: Props) {
  const model = buildLagChart(samples, fromMs, toMs, BOX)
  const plotBottom = BOX.height - BOX.bottom
  const summary = model.empty
    ? 'No samples in this range.'
    : `Lag over time, up to ${formatSeconds(model.yMaxSeconds)}; ${model.pauses.length} paused period(s), ${model.restarts.length} restart(s) or gap(s).`
  return (
    <figure className="chart">
      <svg
        viewBox={`0 0 ${BOX.width} ${BOX.height}`}
        role="img"
        aria-label={summary}
        preserveAspectRatio="none"
      >
        <defs>
          <pattern
            id="gap-hatch"
            width="6"
            height="6"
            patternUnits="userSpaceOnUse"
            patternTransform="rotate(45)"
          >
            <line x1="0" y1="0" x2="0" y2="6" stroke="#afb8c1" strokeWidth="2" />
          </pattern>
        </defs>
        {model.pauses.map((p) => (
          <rect
            key={`p${p.x1}`}
            className="chart-pause"
            x={p.x1}
            y={BOX.top}
            width={Math.max(1, p.x2 - p.x1)}
            height={plotBottom - BOX.top}
          >
            <title>paused</title>
          </rect>
        ))}
        {model.gaps.map((g) => (
          <rect
            key={`g${g.x1}`}
            className="chart-gap"
            x={g.x1}
            y={BOX.top}
            width={Math.max(1, g.x2 - g.x1)}
            height={plotBottom - BOX.top}
            fill="url(#gap-hatch)"
          >
            <title>no samples (server or edge not running)</title>
          </rect>
        ))}
        {model.yTicks.map((t) => (
          <g key={`y${t.seconds}`}>
            <line
              x1={BOX.left}
              x2={BOX.width - BOX.right}
              y1={t.y}
              y2={t.y}
              className="chart-grid"
            />
            <text x={BOX.left - 4} y={t.y + 3} textAnchor="end" className="chart-label">
              {formatSeconds(t.seconds)}
            </text>
          </g>
        ))}
        {model.xTicks.map((t) => (
          <text
            key={`x${t.atMs}`}
            x={t.x}
            y={BOX.height - 5}
            textAnchor="middle"
            className="chart-label"
          >
            {formatClock(t.atMs)}
          </text>
        ))}
        {model.lines.map((line) =>
          line.paths.map((d, i) => (
            <path
              key={`${line.direction}${i}`}
              d={d}
              fill="none"
              stroke={COLOURS[line.direction]}
              strokeWidth={1.6}
              vectorEffect="non-scaling-stroke"
            />
          )),
        )}
        {model.restarts.map((r) => (
          <g key={`r${r.x}`} className="chart-restart">
            <line x1={r.x} x2={r.x} y1={BOX.top} y2={plotBottom} />
            <path d={`M${r.x - 4},${BOX.top} L${r.x + 4},${BOX.top} L${r.x},${BOX.top + 6} Z`} />
            <title>restart at {formatDateTime(r.atMs)}</title>
          </g>
        ))}
      </svg>
      <figcaption className="chart-legend">
        {model.lines.map((l) => (
          <span key={l.direction}>
            <span className="swatch line" style={{ background: COLOURS[l.direction] }} />
            {labels[l.direction] ?? l.direction}
          </span>
        ))}
        <span>
          <span className="swatch box pause" /> paused
        </span>
        <span>
          <span className="swatch restart" /> restart / gap
        </span>
      </figcaption>
    </figure>
  )
}
