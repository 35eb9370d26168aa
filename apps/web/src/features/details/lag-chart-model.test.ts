import type { HistorySample } from '@seasync/server/api-types'
import { describe, expect, it } from 'vitest'
import { buildLagChart, niceCeiling, sampleIntervalMs, timeTicks } from './lag-chart-model'

const BOX = { width: 300, height: 120, left: 40, right: 0, top: 0, bottom: 20 }
const T0 = Date.UTC(2026, 10, 24, 23, 0, 0)

function sample(
  atS: number,
  lag: number | null,
  overrides: Partial<HistorySample> = {},
): HistorySample {
  const atMs = T0 + atS * 1000
  return {
    direction: 'a-b',
    at: new Date(atMs).toISOString(),
    atMs,
    state: 'in-sync',
    lagSeconds: lag,
    appliedNs: null,
    sourceHeadNs: null,
    backlog: 0,
    eventsPerSecond: 0,
    bytesPerSecond: 0,
    ...overrides,
  }
}

describe('buildLagChart', () => {
  it('draws one line per direction across the range, scaled to a round maximum', () => {
    const samples = [
      sample(0, 0),
      sample(5, 4),
      sample(10, 8),
      sample(0, 1, { direction: 'b-a' }),
      sample(5, 2, { direction: 'b-a' }),
    ]
    const model = buildLagChart(samples, T0, T0 + 10_000, BOX)
    expect(model.yMaxSeconds).toBe(10)
    expect(model.lines.map((l) => l.direction)).toEqual(['a-b', 'b-a'])
    // x: 40 + t/10s·260; y: 100 − lag/10·100
    expect(model.lines[0]?.paths).toEqual(['M40,100 L170,60 L300,20'])
    expect(model.gaps).toEqual([])
    expect(model.restarts).toEqual([])
    expect(model.empty).toBe(false)
  })

  it('breaks the line and marks a restart where samples stop for longer than the interval', () => {
    const samples = [sample(0, 0), sample(5, 0), sample(60, 0), sample(65, 0)]
    const model = buildLagChart(samples, T0, T0 + 65_000, BOX)
    expect(model.lines[0]?.paths).toHaveLength(2)
    expect(model.gaps).toHaveLength(1)
    expect(model.restarts).toHaveLength(1)
    expect(model.restarts[0]?.atMs).toBe(T0 + 60_000)
  })

  it('marks a starting sample after running ones as a restart', () => {
    const samples = [sample(0, 0), sample(5, 0, { state: 'starting' }), sample(10, 0)]
    const model = buildLagChart(samples, T0, T0 + 10_000, BOX)
    expect(model.restarts.map((r) => r.atMs)).toEqual([T0 + 5000])
    expect(model.lines[0]?.paths).toHaveLength(1)
  })

  it('shades paused samples until the next sample, merging neighbours', () => {
    const samples = [
      sample(0, 0),
      sample(5, 3, { state: 'paused' }),
      sample(10, 6, { state: 'paused' }),
      sample(15, 0),
    ]
    const model = buildLagChart(samples, T0, T0 + 15_000, BOX)
    expect(model.pauses).toHaveLength(1)
    const pause = model.pauses[0]!
    expect(pause.x1).toBeCloseTo(40 + (5 / 15) * 260, 0)
    expect(pause.x2).toBeCloseTo(40 + (15 / 15) * 260, 0)
  })

  it('an empty range is empty, with a 1 s axis', () => {
    const model = buildLagChart([], T0, T0 + 60_000, BOX)
    expect(model.empty).toBe(true)
    expect(model.yMaxSeconds).toBe(1)
  })
})

it('niceCeiling rounds up to 1, 2 or 5 × 10^n', () => {
  expect([0, 0.5, 1, 1.2, 3, 7, 12, 99, 101].map(niceCeiling)).toEqual([
    1, 1, 1, 2, 5, 10, 20, 100, 200,
  ])
})

it('sampleIntervalMs follows the server’s thinning', () => {
  expect(sampleIntervalMs(10_000)).toBe(5_000)
  expect(sampleIntervalMs(2 * 3_600_000)).toBe(60_000)
  expect(sampleIntervalMs(2 * 86_400_000)).toBe(600_000)
})

it('timeTicks gives a handful of round times', () => {
  const ticks = timeTicks(T0 + 1, T0 + 3_600_000)
  expect(ticks.length).toBeGreaterThanOrEqual(2)
  expect(ticks.length).toBeLessThanOrEqual(7)
  for (const t of ticks) expect(t % 60_000).toBe(0)
})
