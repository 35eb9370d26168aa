import { describe, expect, it } from 'vitest'
import {
  evaluate,
  percentile,
  renderTable,
  scenarioPassed,
  type ScenarioResult,
  mustBeZero,
} from '../src/report.js'

describe('percentile', () => {
  it('takes the nearest rank', () => {
    const xs = Array.from({ length: 100 }, (_, i) => 100 - i) // 100..1, unsorted
    expect(percentile(xs, 50)).toBe(50)
    expect(percentile(xs, 99)).toBe(99)
    expect(percentile(xs, 100)).toBe(100)
    expect(percentile(xs, 0)).toBe(1)
    expect(percentile([7], 99)).toBe(7)
  })
  it('is NaN without samples', () => {
    expect(percentile([], 50)).toBeNaN()
  })
})

describe('evaluate', () => {
  it('compares a relative check through the ratio', () => {
    const r = evaluate({
      name: 'MB/s',
      value: 90,
      unit: 'MB/s',
      op: '>=',
      threshold: 0.8,
      limit: 100,
    })
    expect(r.ratio).toBeCloseTo(0.9)
    expect(r.pass).toBe(true)
    expect(
      evaluate({ name: 'x', value: 70, unit: 'u', op: '>=', threshold: 0.8, limit: 100 }).pass,
    ).toBe(false)
  })
  it('compares an absolute check with the threshold, both ways', () => {
    expect(evaluate({ name: 'p99', value: 499, unit: 'ms', op: '<=', threshold: 500 }).pass).toBe(
      true,
    )
    expect(evaluate({ name: 'p99', value: 501, unit: 'ms', op: '<=', threshold: 500 }).pass).toBe(
      false,
    )
    expect(
      evaluate({ name: 'ev', value: 5000, unit: 'ev/s', op: '>=', threshold: 5000 }).pass,
    ).toBe(true)
  })
  it('fails NaN and never fails an informational figure', () => {
    expect(
      evaluate({ name: 'p99', value: Number.NaN, unit: 'ms', op: '<=', threshold: 500 }).pass,
    ).toBe(false)
    expect(
      evaluate({ name: 'cpu', value: 9, unit: 'x', op: '<=', threshold: 1, info: true }).pass,
    ).toBe(true)
  })
})

describe('renderTable', () => {
  it('renders one row per check with ratio, target and result, and failed scenarios', () => {
    const ok: ScenarioResult = {
      id: 'data',
      title: 'catch-up data',
      seconds: 1,
      details: {},
      checks: [
        evaluate({
          name: 'MB/s',
          value: 123.456,
          unit: 'MB/s',
          op: '>=',
          threshold: 0.8,
          limit: 150,
          limitName: 'raw copy',
        }),
      ],
    }
    const broken: ScenarioResult = {
      id: 'x',
      title: 'many edges',
      seconds: 0,
      details: {},
      checks: [],
      error: 'a|b',
    }
    const table = renderTable([ok, broken])
    expect(table).toContain(
      '| catch-up data | MB/s | 123 MB/s | 150 MB/s (raw copy) | 82.3% | >= 80% of limit | PASS |',
    )
    expect(table).toContain('| many edges | (did not complete) | | | | | FAIL: a\\|b |')
    expect(scenarioPassed(ok)).toBe(true)
    expect(scenarioPassed(broken)).toBe(false)
  })
})

describe('mustBeZero', () => {
  it('passes only at zero', () => {
    expect(mustBeZero('verify differences', 0)).toMatchObject({
      pass: true,
      op: '<=',
      threshold: 0,
    })
    expect(mustBeZero('verify differences', 2).pass).toBe(false)
  })
})
