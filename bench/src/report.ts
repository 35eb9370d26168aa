/**
 * The pure half of the bench: percentiles, the PASS/FAIL of each target and the Markdown table.
 * Every figure a scenario measures is a {@link Check}: the value, the target it must meet and,
 * when the target is relative, the limit it was measured against in the same run.
 */

/** The `p`-th percentile (0–100) by nearest rank; NaN for no samples. */
export function percentile(samples: readonly number[], p: number): number {
  if (samples.length === 0) return Number.NaN
  const sorted = [...samples].sort((a, b) => a - b)
  const rank = Math.ceil((p / 100) * sorted.length)
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))]!
}

/** One figure and what it is compared with. */
export interface Check {
  /** What is measured, for people: `events/s`, `p99 lag`. */
  name: string
  value: number
  unit: string
  /** `>=`: the value must reach the threshold; `<=` / `<`: it must stay at or under / under it. */
  op: '>=' | '<=' | '<'
  /** The absolute threshold, in `unit`; or, with `ratioOf`, a ratio of the limit. */
  threshold: number
  /**
   * The limit measured in the same run (same unit as `value`). With it the check is relative:
   * `value / limit` must meet `threshold`.
   */
  limit?: number
  /** How the limit was measured. */
  limitName?: string
  /** Informational figures have no target: never FAIL. */
  info?: boolean
}

export interface CheckResult extends Check {
  /** `value / limit` when there is a limit. */
  ratio?: number
  pass: boolean
}

/** Evaluates one check: relative checks compare `value / limit`, absolute ones the value. */
export function evaluate(check: Check): CheckResult {
  const ratio = check.limit === undefined ? undefined : check.value / check.limit
  const compared = ratio ?? check.value
  const pass =
    check.info === true ||
    (Number.isFinite(compared) &&
      (check.op === '>='
        ? compared >= check.threshold
        : check.op === '<='
          ? compared <= check.threshold
          : compared < check.threshold))
  return ratio === undefined ? { ...check, pass } : { ...check, ratio, pass }
}

/** A count that must be zero (differences, lost writes, echoes). */
export function mustBeZero(name: string, value: number): CheckResult {
  return evaluate({ name, value, unit: '', op: '<=', threshold: 0 })
}

/** One scenario's outcome: its checks plus free-form details (CPU per process, counts…). */
export interface ScenarioResult {
  id: string
  title: string
  seconds: number
  checks: CheckResult[]
  details: Record<string, unknown>
  error?: string
}

export function scenarioPassed(s: ScenarioResult): boolean {
  return s.error === undefined && s.checks.every((c) => c.pass)
}

/** A number for a table cell: 3 significant digits, thousands separated. */
export function formatNumber(n: number): string {
  if (!Number.isFinite(n)) return String(n)
  const abs = Math.abs(n)
  const digits = abs >= 100 ? 0 : abs >= 10 ? 1 : abs >= 1 ? 2 : 3
  return n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: 0 })
}

function targetText(c: CheckResult): string {
  if (c.info) return 'info'
  return c.limit === undefined
    ? `${c.op} ${formatNumber(c.threshold)} ${c.unit}`
    : `${c.op} ${formatNumber(c.threshold * 100)}% of limit`
}

/** The Markdown table of a run: one row per check, then one row per failed scenario. */
export function renderTable(scenarios: readonly ScenarioResult[]): string {
  const rows = [
    '| scenario | figure | value | limit (same run) | ratio | target | result |',
    '| --- | --- | ---: | ---: | ---: | --- | --- |',
  ]
  for (const s of scenarios) {
    if (s.error !== undefined) {
      rows.push(`| ${s.title} | (did not complete) | | | | | FAIL: ${escapeCell(s.error)} |`)
    }
    for (const c of s.checks) {
      const limit =
        c.limit === undefined
          ? ''
          : `${formatNumber(c.limit)} ${c.unit}${c.limitName ? ` (${c.limitName})` : ''}`
      rows.push(
        `| ${s.title} | ${c.name} | ${formatNumber(c.value)} ${c.unit} | ${limit} | ${
          c.ratio === undefined ? '' : `${formatNumber(c.ratio * 100)}%`
        } | ${targetText(c)} | ${c.info ? '' : c.pass ? 'PASS' : 'FAIL'} |`,
      )
    }
  }
  return `${rows.join('\n')}\n`
}

function escapeCell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ')
}
