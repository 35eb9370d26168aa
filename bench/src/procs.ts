/**
 * Child processes of the bench (filers, replicators, the SeaSync server), each measured from
 * /proc: CPU seconds and RSS, so every scenario can say which process used the machine.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface, type Interface } from 'node:readline'
import { fileURLToPath } from 'node:url'

const CLK_TCK = 100
/** Where `--cpu-prof` writes, when `BENCH_CPU_PROF` names a directory. */
const profDir = process.env.BENCH_CPU_PROF

/** Node flags of every TypeScript child: run from source, and profile when asked. */
export function nodeArgs(script: string): string[] {
  return [
    ...(profDir ? ['--cpu-prof', `--cpu-prof-dir=${profDir}`] : []),
    '--conditions=@seasync/source',
    '--import',
    'tsx',
    script,
  ]
}

/** CPU seconds (user + system) of a process so far; 0 once it is gone. */
export function cpuSeconds(pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ')
    // utime and stime are fields 14 and 15 of stat; after "pid (comm) " they are at 11 and 12.
    return (Number(fields[11]) + Number(fields[12])) / CLK_TCK
  } catch {
    return 0
  }
}

/** `VmRSS` or `VmHWM` (peak RSS) of a process, bytes. */
export function memoryBytes(pid: number, field: 'VmRSS' | 'VmHWM' = 'VmRSS'): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8')
  const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)
  return m ? Number(m[1]) * 1024 : 0
}

/** Resets a process's peak RSS (`VmHWM`) to its current RSS; false where the kernel refuses. */
export function resetPeakRss(pid: number): boolean {
  try {
    writeFileSync(`/proc/${pid}/clear_refs`, '5')
    return true
  } catch {
    return false
  }
}

/** A child process with a line reader on its stdout. */
export class Child {
  readonly lines: Interface
  private exited = false
  readonly exit: Promise<number | null>

  constructor(
    readonly name: string,
    readonly proc: ChildProcess,
  ) {
    this.lines = createInterface({ input: proc.stdout! })
    this.exit = new Promise((resolve) =>
      proc.once('exit', (code) => {
        this.exited = true
        resolve(code)
      }),
    )
  }

  get pid(): number {
    return this.proc.pid!
  }

  cpu(): number {
    return cpuSeconds(this.pid)
  }

  rss(): number {
    return this.exited ? 0 : memoryBytes(this.pid)
  }

  /** Resolves with the first stdout line `match` accepts; rejects if the child exits first. */
  waitLine<T>(match: (line: string) => T | undefined, timeoutMs = 60_000): Promise<T> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => done(new Error(`${this.name}: no ready line`)), timeoutMs)
      const onLine = (line: string): void => {
        const got = match(line)
        if (got !== undefined) done(undefined, got)
      }
      const onExit = (code: number | null): void =>
        done(new Error(`${this.name} exited with ${code}`))
      const done = (err?: Error, value?: T): void => {
        clearTimeout(timer)
        this.lines.off('line', onLine)
        this.proc.off('exit', onExit)
        if (err) reject(err)
        else resolve(value!)
      }
      this.lines.on('line', onLine)
      this.proc.once('exit', onExit)
    })
  }

  /** Closes stdin (the children's "stop" signal), then SIGTERM, then SIGKILL. */
  async stop(timeoutMs = 20_000, { sigterm = false } = {}): Promise<void> {
    if (this.exited) return
    this.proc.stdin?.end()
    if (sigterm) this.proc.kill('SIGTERM')
    const t1 = setTimeout(() => this.proc.kill('SIGTERM'), timeoutMs)
    const t2 = setTimeout(() => this.proc.kill('SIGKILL'), timeoutMs * 2)
    await this.exit
    clearTimeout(t1)
    clearTimeout(t2)
  }
}

export function spawnTs(name: string, script: string, args: string[]): Child {
  const proc = spawn(process.execPath, [...nodeArgs(script), ...args], {
    stdio: ['pipe', 'pipe', 'inherit'],
  })
  return new Child(name, proc)
}

/** One embedded filer in its own process, data in a temp dir removed on stop. */
export interface FilerInfo {
  grpc: string
  http: string
  volume: string
  /** `host:port.grpcPort`, as replicators and the server take it. */
  address: string
  signature: number
}

export class FilerProcess {
  private constructor(
    readonly child: Child,
    readonly info: FilerInfo,
    private readonly dir: string,
  ) {}

  static async start(name: string): Promise<FilerProcess> {
    const dir = mkdtempSync(join(tmpdir(), `seasync-bench-${name}-`))
    const child = spawnTs(name, fileURLToPath(new URL('filer-process.ts', import.meta.url)), [dir])
    const info = await child.waitLine((line) =>
      line.startsWith('{') ? (JSON.parse(line) as FilerInfo) : undefined,
    )
    return new FilerProcess(child, info, dir)
  }

  async stop(): Promise<void> {
    await this.child.stop()
    rmSync(this.dir, { recursive: true, force: true })
  }
}

/** Starts several filers at once. */
export function startFilers(names: readonly string[]): Promise<FilerProcess[]> {
  return Promise.all(names.map((n) => FilerProcess.start(n)))
}

/** CPU use of several processes over a window, as shares of one core. */
export class CpuWindow {
  private readonly start: Map<string, number>
  private readonly startMs = performance.now()

  constructor(private readonly children: ReadonlyMap<string, number>) {
    this.start = new Map([...children].map(([name, pid]) => [name, cpuSeconds(pid)]))
  }

  /** `{ name: share of one core }` since construction, 2 decimals. */
  shares(): Record<string, number> {
    const seconds = (performance.now() - this.startMs) / 1000
    const out: Record<string, number> = {}
    for (const [name, pid] of this.children) {
      out[name] = round2((cpuSeconds(pid) - this.start.get(name)!) / seconds)
    }
    return out
  }
}

export function round2(n: number): number {
  return Math.round(n * 100) / 100
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms))
