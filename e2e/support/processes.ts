/**
 * The real processes the e2e tests run against: the three filers (`filers-process.ts`) and
 * `seasync serve` through `bin/seasync` (which `exec`s node, so SIGTERM reaches the server and it
 * closes gracefully). Each is started on free loopback ports, its output kept in a log file, and
 * waited for by the one line it prints when it serves.
 */
import { spawn } from 'node:child_process'
import { createWriteStream } from 'node:fs'
import { mkdir, readFile } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import { createInterface } from 'node:readline'
import type { FilersReadyLine } from './filers-process.js'

/** The repository root. */
export const REPO_ROOT = resolve(import.meta.dirname, '../..')

/** How long a process may take to print its ready line (tsx compiles on first start). */
const START_TIMEOUT_MS = 60_000
/** How long a process may take to exit after SIGTERM before it is killed. */
const STOP_TIMEOUT_MS = 15_000

/** A started process: `stop()` sends SIGTERM and resolves once it exited (SIGKILL after 15 s). */
export interface Started {
  readonly pid: number
  readonly logFile: string
  stop(): Promise<void>
}

/**
 * Spawns `command`, appends its stdout and stderr to `logFile`, and resolves with the first
 * stdout line `ready` accepts (and the process). Rejects, with the log's tail, when it exits or
 * prints nothing acceptable within {@link START_TIMEOUT_MS}.
 */
async function startProcess<T>(
  command: string,
  args: readonly string[],
  options: { env: NodeJS.ProcessEnv; logFile: string },
  ready: (line: string) => T | undefined,
): Promise<{ value: T; started: Started }> {
  const child = spawn(command, args, {
    cwd: REPO_ROOT,
    env: options.env,
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  const log = createWriteStream(options.logFile, { flags: 'a' })
  child.stderr.pipe(log, { end: false })
  const exited = new Promise<void>((done) => child.once('exit', () => done()))
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM')
      const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS)
      await exited
      clearTimeout(timer)
    }
    log.end()
  }

  const lines = createInterface({ input: child.stdout })
  let value: T | undefined
  try {
    value = await new Promise<T>((resolveReady, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`${command} printed no ready line in ${START_TIMEOUT_MS} ms`)),
        START_TIMEOUT_MS,
      )
      child.once('error', reject)
      child.once('exit', (code, signal) => {
        clearTimeout(timer)
        reject(new Error(`${command} exited (${signal ?? code}) before it was ready`))
      })
      lines.on('line', (line) => {
        log.write(`${line}\n`)
        if (value !== undefined) return
        const accepted = ready(line)
        if (accepted !== undefined) {
          value = accepted
          clearTimeout(timer)
          resolveReady(accepted)
        }
      })
    })
  } catch (error) {
    await stop()
    const tail = (await readFile(options.logFile, 'utf8').catch(() => '')).slice(-3000)
    throw new Error(`${(error as Error).message}; its log (${options.logFile}):\n${tail}`, {
      cause: error,
    })
  }
  return { value, started: { pid: child.pid!, logFile: options.logFile, stop } }
}

/** The environment of a child: ours without any SEASYNC_* setting, plus `extra`. */
function childEnv(extra: Readonly<Record<string, string>> = {}): NodeJS.ProcessEnv {
  const env = Object.fromEntries(
    Object.entries(process.env).filter(([name]) => !name.startsWith('SEASYNC_')),
  )
  return { ...env, ...extra }
}

/** Starts the three filers with their data under `dir`. */
export async function startFilers(
  dir: string,
): Promise<{ filers: FilersReadyLine['filers']; process: Started }> {
  await mkdir(dir, { recursive: true })
  const { value, started } = await startProcess(
    process.execPath,
    [
      '--conditions=@seasync/source',
      '--import',
      'tsx',
      join(REPO_ROOT, 'e2e/support/filers-process.ts'),
      dir,
    ],
    { env: childEnv(), logFile: join(dir, 'filers.log') },
    (line) => (line.startsWith('{') ? (JSON.parse(line) as FilersReadyLine) : undefined),
  )
  return { filers: value.filers, process: started }
}

export interface ServerOptions {
  /** State directory (created when missing); the log goes beside it, `<dataDir>.log`. */
  readonly dataDir: string
  /** `SEASYNC_API_TOKEN`; none: the API is open (loopback). */
  readonly apiToken?: string
  /** Port to listen on; default 0, a free one. */
  readonly port?: number
}

/** Starts `seasync serve` on a free loopback port without the demo; resolves to its base URL. */
export async function startServer(
  options: ServerOptions,
): Promise<{ url: string; process: Started }> {
  const { value, started } = await startProcess(
    join(REPO_ROOT, 'bin/seasync'),
    [
      'serve',
      '-host',
      '127.0.0.1',
      '-port',
      String(options.port ?? 0),
      '-dir',
      options.dataDir,
      '-no-demo',
    ],
    {
      env: childEnv({
        SEASYNC_LOG_LEVEL: 'info',
        ...(options.apiToken !== undefined && { SEASYNC_API_TOKEN: options.apiToken }),
      }),
      logFile: `${options.dataDir}.log`,
    },
    (line) => /^seasync serving on (http:\/\/\S+) /.exec(line)?.[1],
  )
  return { url: value, process: started }
}
