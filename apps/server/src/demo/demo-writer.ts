/**
 * The demo writer: a gentle, endless stream of changes on the demo clusters A and B, so that the
 * dashboard shows live replication and lag. Every `intervalMs` it makes ONE change, mostly on A:
 * it creates a small text file (sometimes a 3 MiB one, several chunks on the 1 MiB-chunk demo
 * filers), overwrites one, renames one or deletes one, under `/demo/notes` (A↔B) and
 * `/buckets/photos` (A↔B, then B→C).
 *
 * It writes as a user would: files through the filer HTTP API (`PUT`, `DELETE`), renames through
 * gRPC `AtomicRenameEntry`. It keeps at most `maxFiles` files (re-reading what an earlier run left
 * on A when it starts), never throws out of its timer (a failed change is logged and the next one
 * comes on schedule), and `stop()` cancels the change in flight.
 */
import { FilerClient, SyncError } from '@seasync/sync-core'
import type { FastifyBaseLogger } from 'fastify'

/** A filer the writer changes files on. */
export interface DemoWriterTarget {
  /** The cluster id, for logs. */
  readonly clusterId: string
  /** `host:port.grpcPort` (renames go through gRPC). */
  readonly address: string
  /** `host:port` of the filer HTTP API. */
  readonly httpAddress: string
}

export interface DemoWriterOptions {
  /** Where most changes go. */
  readonly a: DemoWriterTarget
  /** Where about a quarter of them go. */
  readonly b: DemoWriterTarget
  readonly log: FastifyBaseLogger
  /** Time between two changes, milliseconds. Default {@link DemoWriterDefaults.intervalMs}. */
  readonly intervalMs?: number
  /** Most files kept at once. Default {@link DemoWriterDefaults.maxFiles}. */
  readonly maxFiles?: number
  /** Random numbers in [0, 1). Default `Math.random` (tests pass their own). */
  readonly random?: () => number
}

export const DemoWriterDefaults = Object.freeze({
  intervalMs: 2000,
  maxFiles: 50,
  /** Share of the changes made on B. */
  shareOfB: 0.25,
  /** Share of the created files that are big. */
  bigFileShare: 0.05,
  /** Size of a big file: 3 MiB, three chunks at the demo filers' 1 MiB. */
  bigFileBytes: 3 * 1024 * 1024,
  /** B only changes files older than this, so that A's create has reached B. */
  settleOnBMs: 10_000,
  /** Deadline of one change, milliseconds. */
  timeoutMs: 30_000,
})

/** The directories the writer works in: all of it A↔B, the photos also B→C. */
export const DEMO_WRITER_DIRS = Object.freeze(['/demo/notes', '/buckets/photos'] as const)

/** One change, as logged. */
export type DemoOperation = 'create' | 'overwrite' | 'rename' | 'delete'

interface DemoFile {
  readonly directory: string
  readonly name: string
  /** When the writer created it (0: found at start), ms since the epoch. */
  readonly createdAtMs: number
}

const FILLER =
  'Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor incididunt ut ' +
  'labore et dolore magna aliqua. '

export class DemoWriter {
  private readonly intervalMs: number
  private readonly maxFiles: number
  private readonly random: () => number
  private readonly log: FastifyBaseLogger
  private readonly clients = new Map<string, FilerClient>()
  private readonly stopping = new AbortController()
  private files: DemoFile[] | undefined
  private timer: NodeJS.Timeout | undefined
  private inFlight: Promise<void> | undefined
  private counter = 0
  private failuresInARow = 0
  private started = false

  constructor(private readonly options: DemoWriterOptions) {
    this.intervalMs = options.intervalMs ?? DemoWriterDefaults.intervalMs
    this.maxFiles = options.maxFiles ?? DemoWriterDefaults.maxFiles
    this.random = options.random ?? Math.random
    this.log = options.log
    if (!(this.intervalMs > 0))
      throw new RangeError(`intervalMs must be > 0, got ${this.intervalMs}`)
    if (!(this.maxFiles >= 1)) throw new RangeError(`maxFiles must be >= 1, got ${this.maxFiles}`)
  }

  /** Starts the timer (once); the first change comes after one interval. */
  start(): void {
    if (this.started || this.stopping.signal.aborted) return
    this.started = true
    this.schedule()
  }

  /** Stops the timer and cancels the change in flight; resolves once it has ended. */
  async stop(): Promise<void> {
    this.stopping.abort()
    clearTimeout(this.timer)
    await this.inFlight
    for (const client of this.clients.values()) client.close()
    this.clients.clear()
  }

  /**
   * Makes one change now and resolves to it; rejects when it fails. The timer calls it and logs
   * the failure instead.
   */
  async step(): Promise<{ operation: DemoOperation; cluster: string; path: string }> {
    const signal = AbortSignal.any([
      this.stopping.signal,
      AbortSignal.timeout(DemoWriterDefaults.timeoutMs),
    ])
    this.files ??= await this.existingFiles(signal)
    const files = this.files
    const operation = this.pickOperation(files.length)
    if (operation === 'create') {
      const target = this.random() < DemoWriterDefaults.shareOfB ? this.options.b : this.options.a
      const file = this.newFile(this.pick(DEMO_WRITER_DIRS))
      const big = this.random() < DemoWriterDefaults.bigFileShare
      await this.put(target, file, big, signal)
      files.push(file)
      return { operation, cluster: target.clusterId, path: pathOf(file) }
    }

    const index = Math.floor(this.random() * files.length)
    const file = files[index]!
    const target = this.targetFor(file)
    const path = pathOf(file)
    try {
      if (operation === 'overwrite') {
        await this.put(target, file, false, signal)
      } else if (operation === 'delete') {
        await this.delete(target, file, signal)
        files.splice(index, 1)
      } else {
        const renamed = this.newFile(file.directory, file.createdAtMs)
        await this.client(target).atomicRenameEntry(
          {
            old_directory: file.directory,
            old_name: file.name,
            new_directory: renamed.directory,
            new_name: renamed.name,
          },
          { signal },
        )
        files[index] = renamed
        return { operation, cluster: target.clusterId, path: `${path} -> ${pathOf(renamed)}` }
      }
    } catch (error) {
      // Gone already (deleted on the other side, or never arrived): forget it.
      if (isNotFound(error)) files.splice(index, 1)
      throw error
    }
    return { operation, cluster: target.clusterId, path }
  }

  private schedule(): void {
    if (this.stopping.signal.aborted) return
    this.timer = setTimeout(() => {
      this.inFlight = this.tick().finally(() => {
        this.inFlight = undefined
        this.schedule()
      })
    }, this.intervalMs)
    // The server's listener keeps the process alive, not the demo.
    this.timer.unref()
  }

  /** One change, never rejecting: failures are logged (the first of a run at warn level). */
  private async tick(): Promise<void> {
    try {
      const done = await this.step()
      this.failuresInARow = 0
      this.log.debug(done, 'demo change')
    } catch (error) {
      if (this.stopping.signal.aborted) return
      this.failuresInARow++
      const level = this.failuresInARow === 1 || this.failuresInARow % 30 === 0 ? 'warn' : 'debug'
      this.log[level]({ err: error, failuresInARow: this.failuresInARow }, 'demo change failed')
    }
  }

  /** Grows to `maxFiles`, then only deletes, overwrites and renames until there is room. */
  private pickOperation(count: number): DemoOperation {
    if (count === 0) return 'create'
    const r = this.random()
    if (count >= this.maxFiles) return r < 0.5 ? 'delete' : r < 0.8 ? 'overwrite' : 'rename'
    return r < 0.4 ? 'create' : r < 0.65 ? 'overwrite' : r < 0.8 ? 'rename' : 'delete'
  }

  /** Mostly A; B only for files that have had time to reach it. */
  private targetFor(file: DemoFile): DemoWriterTarget {
    const settled = Date.now() - file.createdAtMs >= DemoWriterDefaults.settleOnBMs
    return settled && this.random() < DemoWriterDefaults.shareOfB ? this.options.b : this.options.a
  }

  private newFile(directory: string, createdAtMs = Date.now()): DemoFile {
    const prefix = directory === '/buckets/photos' ? 'photo' : 'note'
    const name = `${prefix}-${Date.now().toString(36)}-${++this.counter}.txt`
    return { directory, name, createdAtMs }
  }

  private async put(
    target: DemoWriterTarget,
    file: DemoFile,
    big: boolean,
    signal: AbortSignal,
  ): Promise<void> {
    const path = pathOf(file)
    const head = `${path}\nwritten on ${target.clusterId} at ${new Date().toISOString()}\n`
    const body = big
      ? Buffer.alloc(DemoWriterDefaults.bigFileBytes, head)
      : head + FILLER.repeat(1 + Math.floor(this.random() * 4))
    const response = await fetch(`http://${target.httpAddress}${encodePath(path)}`, {
      method: 'PUT',
      body,
      signal,
    })
    await expectOk(response, `PUT ${path} on ${target.clusterId}`)
  }

  private async delete(target: DemoWriterTarget, file: DemoFile, signal: AbortSignal) {
    const path = pathOf(file)
    const response = await fetch(`http://${target.httpAddress}${encodePath(path)}`, {
      method: 'DELETE',
      signal,
    })
    // Already gone is what a delete wants.
    if (response.status === 404) return void (await response.body?.cancel())
    await expectOk(response, `DELETE ${path} on ${target.clusterId}`)
  }

  /** The files an earlier run left on A, so that the count stays bounded across restarts. */
  private async existingFiles(signal: AbortSignal): Promise<DemoFile[]> {
    const files: DemoFile[] = []
    for (const directory of DEMO_WRITER_DIRS) {
      try {
        for await (const entry of this.client(this.options.a).listEntries(directory, {
          limit: 4 * this.maxFiles,
          signal,
        })) {
          if (entry.is_directory === true || entry.name === undefined) continue
          files.push({ directory, name: entry.name, createdAtMs: 0 })
        }
      } catch (error) {
        if (!isNotFound(error)) throw error
      }
    }
    return files
  }

  private client(target: DemoWriterTarget): FilerClient {
    let client = this.clients.get(target.address)
    if (client === undefined) {
      client = new FilerClient(target.address, { unaryTimeoutMs: DemoWriterDefaults.timeoutMs })
      this.clients.set(target.address, client)
    }
    return client
  }

  private pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.random() * items.length)]!
  }
}

function pathOf(file: DemoFile): string {
  return `${file.directory}/${file.name}`
}

function encodePath(path: string): string {
  return path.split('/').map(encodeURIComponent).join('/')
}

/** An HTTP failure as an error carrying the status (404 means the file is gone). */
class DemoHttpError extends Error {
  override readonly name = 'DemoHttpError'
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message)
  }
}

async function expectOk(response: Response, what: string): Promise<void> {
  const text = await response.text()
  if (!response.ok) {
    throw new DemoHttpError(
      response.status,
      `${what}: HTTP ${response.status} ${text.slice(0, 200)}`,
    )
  }
}

function isNotFound(error: unknown): boolean {
  return (
    (error instanceof SyncError && error.code === 'SYNC_ERR_NOT_FOUND') ||
    (error instanceof DemoHttpError && error.status === 404)
  )
}
