/**
 * `pnpm bench [--quick] [--only <id>[,<id>…]]`: runs the scenarios one after another, each
 * against embedded filers in their own processes on loopback, prints the Markdown table and
 * writes `bench/results/<date>.json` and `.md` (`BENCH_RESULTS_DIR` overrides the folder).
 * Exit 0 whether targets pass or not (the table says); 1 when the bench itself broke.
 */
import { mkdirSync, writeFileSync } from 'node:fs'
import { cpus, loadavg, totalmem } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { renderTable, scenarioPassed, type ScenarioResult } from './report.js'
import { scenarios } from './scenarios/index.js'

const args = process.argv.slice(2)
const quick = args.includes('--quick')
const onlyAt = args.indexOf('--only')
const only = onlyAt >= 0 ? (args[onlyAt + 1] ?? '').split(',').filter(Boolean) : undefined
const unknown = only?.filter((id) => !scenarios.some((s) => s.id === id)) ?? []
if (unknown.length > 0 || (onlyAt >= 0 && !only?.length)) {
  process.stderr.write(
    `unknown scenario ${unknown.join(', ')}; one of: ${scenarios.map((s) => s.id).join(', ')}\n`,
  )
  process.exit(2)
}

const started = new Date()
const log = (line: string): void => {
  const s = ((Date.now() - started.getTime()) / 1000).toFixed(0).padStart(4)
  process.stderr.write(`[bench ${s}s] ${line}\n`)
}
const results: ScenarioResult[] = []
for (const scenario of scenarios) {
  if (only && !only.includes(scenario.id)) continue
  log(`${scenario.id}: start`)
  const t = performance.now()
  // The host is shared: its 1-minute load average before and after says how busy it was.
  const loadBefore = loadavg()[0]!
  try {
    const r = await scenario.run({ quick, log })
    results.push({
      id: scenario.id,
      title: scenario.title,
      seconds: (performance.now() - t) / 1000,
      ...r,
      details: { ...r.details, hostLoadAverage1m: { before: loadBefore, after: loadavg()[0]! } },
    })
  } catch (err) {
    const e = err as Error
    log(`${scenario.id}: failed: ${e.stack ?? e.message}`)
    results.push({
      id: scenario.id,
      title: scenario.title,
      seconds: (performance.now() - t) / 1000,
      checks: [],
      details: {},
      error: e.message,
    })
  }
  const last = results.at(-1)!
  log(`${scenario.id}: ${scenarioPassed(last) ? 'PASS' : 'FAIL'} in ${last.seconds.toFixed(0)} s`)
  for (const c of last.checks) {
    const ratio =
      c.ratio === undefined ? '' : ` (${(c.ratio * 100).toFixed(1)}% of ${c.limit?.toFixed(1)})`
    log(
      `  ${c.info ? 'info' : c.pass ? 'PASS' : 'FAIL'} ${c.name}: ${c.value.toFixed(2)} ${c.unit}${ratio}`,
    )
  }
}

const totalSeconds = (Date.now() - started.getTime()) / 1000
const table = renderTable(results)
const stamp = started
  .toISOString()
  .replace(/:/g, '-')
  .replace(/\.\d+Z$/, 'Z')
const dir = process.env.BENCH_RESULTS_DIR ?? fileURLToPath(new URL('../results', import.meta.url))
mkdirSync(dir, { recursive: true })
const base = join(dir, `${stamp}${quick ? '-quick' : ''}`)
const machine = {
  cpus: cpus().length,
  cpuModel: cpus()[0]?.model,
  memGiB: Math.round(totalmem() / 2 ** 30),
  node: process.version,
}
writeFileSync(
  `${base}.json`,
  `${JSON.stringify({ startedAt: started.toISOString(), quick, totalSeconds: Math.round(totalSeconds), machine, scenarios: results }, null, 2)}\n`,
)
const heading = `# pnpm bench${quick ? ' --quick' : ''}${only ? ` --only ${only.join(',')}` : ''}, ${started.toISOString()}\n\n${machine.cpus} cores, ${machine.memGiB} GiB, Node ${machine.node}; ${Math.round(totalSeconds)} s in all.\n\n`
writeFileSync(`${base}.md`, `${heading}${table}`)
process.stdout.write(
  `\n${table}\nresults: ${base}.json, ${base}.md (${Math.round(totalSeconds)} s)\n`,
)
process.exit(results.some((r) => r.error !== undefined) ? 1 : 0)
