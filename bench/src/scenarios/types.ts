import type { ScenarioResult } from '../report.js'

/** Run-wide settings every scenario receives. */
export interface BenchContext {
  /** `--quick`: smaller populations and shorter windows (the whole run under 3 minutes). */
  quick: boolean
  /** Progress lines for people (stderr). */
  log: (line: string) => void
}

export interface Scenario {
  id: string
  title: string
  run: (ctx: BenchContext) => Promise<Omit<ScenarioResult, 'id' | 'title' | 'seconds'>>
}
