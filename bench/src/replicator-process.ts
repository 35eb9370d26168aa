/**
 * Replicator directions in their own process, as a `filer.sync` would run them:
 * `replicator-process.ts '<json>'` with `{ directions: ReplicatorOptions[], intervalMs }`.
 * Prints one JSON status line per interval (`{ t, dirs: [...] }`, 64-bit values as strings), and
 * on stdin's end stops every direction (drain + checkpoint) and exits.
 */
import { Replicator, type ReplicatorOptions } from '@seasync/sync-core'

/** The fields of a direction's status the bench reads. */
export interface DirectionSample {
  state: string
  received: number
  applied: number
  backlog: number
  failures: number
  bytesCopied: number
  appliedNs: string
  sourceHeadNs: string
  lastError?: string
}

export interface StatusLine {
  t: number
  dirs: DirectionSample[]
}

const config = JSON.parse(process.argv[2]!) as {
  directions: ReplicatorOptions[]
  intervalMs: number
}
const replicators = config.directions.map((o) => new Replicator(o))
for (const r of replicators) {
  r.on((n) => {
    if (n.type === 'log' && n.level !== 'info') process.stderr.write(`replicator: ${n.message}\n`)
  })
  r.start()
}
const sample = (): void => {
  const line: StatusLine = {
    t: Date.now(),
    dirs: replicators.map((r) => {
      const s = r.status()
      return {
        state: s.state,
        received: s.eventsApplied + s.backlog,
        applied: s.eventsApplied,
        backlog: s.backlog,
        failures: s.failures,
        bytesCopied: s.bytesCopied,
        appliedNs: s.appliedNs.toString(),
        sourceHeadNs: s.sourceHeadNs.toString(),
        ...(s.lastError ? { lastError: s.lastError } : {}),
      }
    }),
  }
  process.stdout.write(`${JSON.stringify(line)}\n`)
}
const timer = setInterval(sample, config.intervalMs)
sample()
let stopping = false
const stop = async (): Promise<void> => {
  if (stopping) return
  stopping = true
  clearInterval(timer)
  await Promise.all(replicators.map((r) => r.stop({ drainTimeoutMs: 5000 })))
  process.exit(0)
}
process.stdin.on('end', () => void stop())
process.stdin.resume()
process.on('SIGTERM', () => void stop())
