/**
 * Before any test: the dashboard built (when missing or older than its sources), three filers and
 * `seasync serve -no-demo` on a fresh data directory, all on free loopback ports in one temporary
 * directory. Returns the teardown, which stops both processes (SIGTERM, graceful) and removes the
 * directory, or keeps it with `SEASYNC_E2E_KEEP=1` (logs: `server.log`, `filers/filers.log`).
 */
import { spawnSync } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { publishE2eEnv } from './support/e2e-env.js'
import { REPO_ROOT, startFilers, startServer, type Started } from './support/processes.js'

export default async function globalSetup(): Promise<() => Promise<void>> {
  const build = spawnSync(
    process.execPath,
    ['--import', 'tsx', join(REPO_ROOT, 'scripts/build-web-if-stale.ts')],
    { cwd: REPO_ROOT, stdio: 'inherit' },
  )
  if (build.status !== 0) throw new Error('building the dashboard failed (see above)')

  const dir = await mkdtemp(join(tmpdir(), 'seasync-e2e-'))
  const started: Started[] = []
  const teardown = async (): Promise<void> => {
    // The server first: its edges drain and save checkpoints in the filers before they close.
    for (const child of started.reverse()) await child.stop()
    if (process.env.SEASYNC_E2E_KEEP === '1') {
      console.log(`e2e: kept ${dir}`)
    } else {
      await rm(dir, { recursive: true, force: true })
    }
  }
  try {
    const filers = await startFilers(join(dir, 'filers'))
    started.push(filers.process)
    const server = await startServer({ dataDir: join(dir, 'server') })
    started.push(server.process)
    publishE2eEnv({ baseUrl: server.url, filers: filers.filers, dir })
  } catch (error) {
    await teardown()
    throw error
  }
  return teardown
}
