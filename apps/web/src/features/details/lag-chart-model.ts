/**
 * Pure: lag samples → the geometry of the lag-over-time chart. One line per direction, broken
 * where data is missing; shaded bands where the edge was paused; markers where a direction
 * restarted (a `starting` sample after others) or where samples stop for longer than the server's
 * sampling interval allows (the server was down, or the edge did not exist).
 */
import type { HistorySample } from '@seasync/server/api-types'

type Direction = HistorySample['direction']

export interface ChartBox {
  readonly width: number
  readonly height: number
  /** Space for the axis labels. */
  readonly left: number
  readonly right: number
  readonly top: number
  readonly bottom: number
}

export interface ChartModel {
  readonly yMaxSeconds: number
  readonly lines: readonly { readonly direction: Direction; readonly paths: readonly string[] }[]
  readonly pauses: readonly { readonly x1: number; readonly x2: number }[]
  readonly gaps: readonly { readonly x1: number; readonly x2: number }[]
  readonly restarts: readonly { readonly x: number; readonly atMs: number }[]
  readonly yTicks: readonly { readonly y: number; readonly seconds: number }[]
  readonly xTicks: readonly { readonly x: number; readonly atMs: number }[]
  readonly empty: boolean
}

/**
 * How often the server keeps a sample of that age (README "history"): every 5 s, one a minute
 * after an hour, one every 10 minutes after a day.
 */
export function sampleIntervalMs(ageMs: number): number {
  if (ageMs <= 3_600_000) return 5_000
  if (ageMs <= 86_400_000) return 60_000
  return 600_000
}

/** Two samples of one direction further apart than this many intervals mean missing data. */
const GAP_INTERVALS = 3

/** A round axis maximum at or above `value` seconds (1, 2, 5 × 10^n; at least 1 s). */
export function niceCeiling(value: number): number {
  if (!(value > 1)) return 1
  const power = 10 ** Math.floor(Math.log10(value))
  for (const step of [1, 2, 5, 10]) if (value <= step * power) return step * power
  return 10 * power
}

export function buildLagChart(
  samples: readonly HistorySample[],
  fromMs: number,
  toMs: number,
  box: ChartBox,
): ChartModel {
  const span = Math.max(1, toMs - fromMs)
  const plotW = box.width - box.left - box.right
  const plotH = box.height - box.top - box.bottom
  const maxLag = samples.reduce((m, s) => Math.max(m, s.lagSeconds ?? 0), 0)
  const yMax = niceCeiling(maxLag)
  const x = (ms: number) =>
    box.left + ((Math.min(Math.max(ms, fromMs), toMs) - fromMs) / span) * plotW
  const y = (seconds: number) => box.top + plotH - (Math.min(seconds, yMax) / yMax) * plotH
  const round = (n: number) => Math.round(n * 10) / 10

  const byDirection = new Map<Direction, HistorySample[]>()
  for (const s of samples) {
    const list = byDirection.get(s.direction) ?? []
    list.push(s)
    byDirection.set(s.direction, list)
  }

  const lines: { direction: Direction; paths: string[] }[] = []
  const gaps: { x1: number; x2: number }[] = []
  const restarts: { x: number; atMs: number }[] = []
  for (const [direction, list] of [...byDirection.entries()].sort(([a], [b]) =>
    a.localeCompare(b),
  )) {
    list.sort((a, b) => a.atMs - b.atMs)
    const paths: string[] = []
    let current = ''
    let previous: HistorySample | undefined
    for (const sample of list) {
      const gap =
        previous !== undefined &&
        sample.atMs - previous.atMs > GAP_INTERVALS * sampleIntervalMs(toMs - previous.atMs)
      if (gap && previous !== undefined) {
        gaps.push({ x1: round(x(previous.atMs)), x2: round(x(sample.atMs)) })
        restarts.push({ x: round(x(sample.atMs)), atMs: sample.atMs })
      } else if (
        sample.state === 'starting' &&
        previous !== undefined &&
        previous.state !== 'starting'
      ) {
        restarts.push({ x: round(x(sample.atMs)), atMs: sample.atMs })
      }
      if (gap || sample.lagSeconds === null) {
        if (current !== '') paths.push(current)
        current = ''
      }
      if (sample.lagSeconds !== null) {
        const point = `${round(x(sample.atMs))},${round(y(sample.lagSeconds))}`
        current += current === '' ? `M${point}` : ` L${point}`
      }
      previous = sample
    }
    if (current !== '') paths.push(current)
    lines.push({ direction, paths })
  }

  const pauses = mergeIntervals(
    pausedIntervals(samples, toMs).map(([a, b]) => ({ x1: round(x(a)), x2: round(x(b)) })),
  )
  const yTicks = [0, 0.25, 0.5, 0.75, 1].map((f) => ({ seconds: yMax * f, y: round(y(yMax * f)) }))
  const xTicks = timeTicks(fromMs, toMs).map((atMs) => ({ atMs, x: round(x(atMs)) }))
  return {
    yMaxSeconds: yMax,
    lines,
    pauses,
    gaps: mergeIntervals(gaps),
    restarts: dedupe(restarts),
    yTicks,
    xTicks,
    empty: samples.length === 0,
  }
}

/** Time intervals covered by `paused` samples (each lasting until the direction's next sample). */
function pausedIntervals(samples: readonly HistorySample[], toMs: number): [number, number][] {
  const out: [number, number][] = []
  const byDirection = new Map<Direction, HistorySample[]>()
  for (const s of samples)
    byDirection.set(s.direction, [...(byDirection.get(s.direction) ?? []), s])
  for (const list of byDirection.values()) {
    list.sort((a, b) => a.atMs - b.atMs)
    list.forEach((s, i) => {
      if (s.state !== 'paused') return
      const next = list[i + 1]
      const end = next?.atMs ?? Math.min(toMs, s.atMs + sampleIntervalMs(toMs - s.atMs))
      out.push([s.atMs, end])
    })
  }
  return out
}

function mergeIntervals(list: { x1: number; x2: number }[]): { x1: number; x2: number }[] {
  const sorted = [...list].sort((a, b) => a.x1 - b.x1)
  const out: { x1: number; x2: number }[] = []
  for (const item of sorted) {
    const last = out[out.length - 1]
    if (last !== undefined && item.x1 <= last.x2 + 0.5) last.x2 = Math.max(last.x2, item.x2)
    else out.push({ ...item })
  }
  return out
}

function dedupe(list: { x: number; atMs: number }[]): { x: number; atMs: number }[] {
  const seen = new Set<number>()
  return list
    .sort((a, b) => a.x - b.x)
    .filter((m) => {
      const key = Math.round(m.x)
      if (seen.has(key)) return false
      seen.add(key)
      return true
    })
}

/** About five round times across the range (every 1, 5, 10, 15, 30 min, 1, 2, 3, 6, 12 h). */
export function timeTicks(fromMs: number, toMs: number): number[] {
  const span = toMs - fromMs
  const steps = [
    60_000, 300_000, 600_000, 900_000, 1_800_000, 3_600_000, 7_200_000, 10_800_000, 21_600_000,
    43_200_000,
  ]
  const step = steps.find((s) => span / s <= 6) ?? 86_400_000
  const out: number[] = []
  for (let t = Math.ceil(fromMs / step) * step; t <= toMs; t += step) out.push(t)
  return out
}
