/**
 * The three SeaweedFS-compatible filers (A, B and C) the e2e tests replicate between, in a process
 * of their own so the browser tests' process stays light:
 *
 *   node --conditions=@seasync/source --import tsx e2e/support/filers-process.ts <dir>
 *
 * Each filer keeps its data in `<dir>/<name>` on free loopback ports. Once all three serve, it
 * prints one JSON line, `{"filers":{"A":{address,httpAddress,signature},…}}`, and runs until
 * SIGTERM or SIGINT, then closes them and exits 0.
 */
import { mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import { startEmbeddedFiler, type EmbeddedFiler } from '@seasync/embedded-filer'

/** The filers' names, as the tests and the dashboard's clusters call them. */
export const FILER_NAMES = ['A', 'B', 'C'] as const
export type FilerName = (typeof FILER_NAMES)[number]

/** What the process prints for each filer. */
export interface FilerInfo {
  /** `host:httpPort.grpcPort`, the cluster address SeaSync stores. */
  readonly address: string
  /** `host:httpPort`, where files are written and read over HTTP. */
  readonly httpAddress: string
  readonly signature: number
}

/** The process's one line of output. */
export interface FilersReadyLine {
  readonly filers: Record<FilerName, FilerInfo>
}

async function main(dir: string | undefined): Promise<void> {
  if (dir === undefined) throw new Error('usage: filers-process.ts <dir>')
  const started: EmbeddedFiler[] = []
  const close = async (): Promise<void> => {
    await Promise.allSettled(started.map((filer) => filer.close()))
  }
  const stop = new Promise<void>((resolve) => {
    process.once('SIGTERM', () => resolve())
    process.once('SIGINT', () => resolve())
  })
  try {
    const filers = {} as Record<FilerName, FilerInfo>
    for (const name of FILER_NAMES) {
      const filerDir = join(dir, name)
      await mkdir(filerDir, { recursive: true })
      // 1 MiB chunks, as the server's demo filers: a few-MiB file is several chunks.
      const filer = await startEmbeddedFiler({ dir: filerDir, port: 0, maxMB: 1 })
      started.push(filer)
      filers[name] = {
        address: filer.address,
        httpAddress: filer.httpAddress,
        signature: filer.signature,
      }
    }
    process.stdout.write(`${JSON.stringify({ filers } satisfies FilersReadyLine)}\n`)
    await stop
  } finally {
    await close()
  }
}

// Only when run as a script: the spec files import the types above.
if (process.argv[1] !== undefined && import.meta.filename === process.argv[1]) {
  main(process.argv[2]).then(
    () => process.exit(0),
    (error: unknown) => {
      process.stderr.write(`filers: ${String(error)}\n`)
      process.exit(1)
    },
  )
}
