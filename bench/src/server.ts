/**
 * The SeaSync server (`seasync serve`) in its own process on a free port with a temp data dir and
 * no demo, and a small client of its REST API.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { spawnTs, type Child } from './procs.js'

export class ServerProcess {
  private constructor(
    readonly child: Child,
    readonly url: string,
    private readonly dir: string,
  ) {}

  static async start(): Promise<ServerProcess> {
    const dir = mkdtempSync(join(tmpdir(), 'seasync-bench-server-'))
    const cli = fileURLToPath(new URL('../../apps/server/src/cli.ts', import.meta.url))
    const child = spawnTs('server', cli, [
      'serve',
      '-port',
      '0',
      '-dir',
      dir,
      '-demo=false',
      '-logLevel',
      'warn',
    ])
    const url = await child.waitLine((line) => /seasync serving on (http:\/\/\S+)/.exec(line)?.[1])
    return new ServerProcess(child, url, dir)
  }

  async api<T>(method: string, path: string, body?: unknown): Promise<T> {
    const res = await fetch(`${this.url}/api/v1${path}`, {
      method,
      ...(body === undefined
        ? {}
        : { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }),
    })
    const text = await res.text()
    if (res.status >= 300) throw new Error(`${method} ${path}: HTTP ${res.status} ${text}`)
    return (text ? JSON.parse(text) : undefined) as T
  }

  async addCluster(id: string, address: string): Promise<void> {
    await this.api('POST', '/clusters', { id, name: id, addresses: [address] })
  }

  async addEdge(
    id: string,
    a: { cluster: string; path: string },
    b: { cluster: string; path: string },
    mode: 'one-way' | 'active-active' = 'one-way',
  ): Promise<void> {
    await this.api('POST', '/edges', { id, a, b, mode })
  }

  async stop(): Promise<void> {
    await this.child.stop(15_000, { sigterm: true })
    rmSync(this.dir, { recursive: true, force: true })
  }
}

/** The parts of `GET /api/v1/status` the bench reads. */
export interface StatusList {
  edges: {
    edgeId: string
    state: string
    lagSeconds: number
    directions: {
      direction: string
      state: string
      lagSeconds: number
      backlog: number
      eventsApplied: number
    }[]
  }[]
}
