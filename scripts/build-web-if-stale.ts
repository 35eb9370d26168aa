/**
 * Builds the dashboard (`pnpm --filter @seasync/web build`: apps/web → apps/web/dist) when its
 * build is missing or older than any of its inputs, and otherwise does nothing. `pnpm start` runs
 * it before the server, so the README's `pnpm install && pnpm start` ends with the dashboard at
 * http://127.0.0.1:8680 on a fresh clone and after a `git pull`; the e2e setup runs it too.
 *
 *   node --import tsx scripts/build-web-if-stale.ts [--check]
 *
 * `--check` only reports: exit 0 when up to date, 1 when a build is due. Inputs are every file of
 * apps/web but `node_modules/`, `dist/` and tests, compared by modification time with
 * `dist/index.html` (git sets a checked-out file's mtime to the checkout time, so a pull that
 * changes the sources makes the build stale).
 */
import { spawnSync } from 'node:child_process'
import { readdirSync, statSync } from 'node:fs'
import { join, relative, resolve } from 'node:path'

const ROOT = resolve(import.meta.dirname, '..')
const WEB = join(ROOT, 'apps/web')
const INDEX = join(WEB, 'dist/index.html')

/** Folders and files of apps/web that do not go into the bundle. */
const NOT_INPUTS = new Set(['node_modules', 'dist', 'coverage', 'test', 'README.md', 'SPEC.md'])
const TEST_FILE = /\.test\.[cm]?[jt]sx?$/

/** The newest input of apps/web: its path and mtime (ms). */
function newestInput(dir: string): { file: string; mtimeMs: number } | undefined {
  let newest: { file: string; mtimeMs: number } | undefined
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (NOT_INPUTS.has(entry.name) || TEST_FILE.test(entry.name)) continue
    if (entry.name.startsWith('.') || entry.name.endsWith('.tsbuildinfo')) continue
    const path = join(dir, entry.name)
    const candidate = entry.isDirectory()
      ? newestInput(path)
      : entry.isFile()
        ? { file: path, mtimeMs: statSync(path).mtimeMs }
        : undefined
    if (candidate !== undefined && (newest === undefined || candidate.mtimeMs > newest.mtimeMs)) {
      newest = candidate
    }
  }
  return newest
}

/** Why the dashboard needs building, or undefined when `dist/` is up to date. */
export function staleReason(): string | undefined {
  let builtMs: number
  try {
    builtMs = statSync(INDEX).mtimeMs
  } catch {
    return `${relative(ROOT, INDEX)} is missing`
  }
  const newest = newestInput(WEB)
  if (newest !== undefined && newest.mtimeMs > builtMs) {
    return `${relative(ROOT, newest.file)} changed since the last build`
  }
  return undefined
}

function main(args: readonly string[]): number {
  const reason = staleReason()
  if (reason === undefined) {
    if (args.includes('--check')) process.stdout.write('dashboard: apps/web/dist is up to date\n')
    return 0
  }
  if (args.includes('--check')) {
    process.stdout.write(`dashboard: a build is due (${reason})\n`)
    return 1
  }
  process.stdout.write(`dashboard: building apps/web (${reason}) …\n`)
  const result = spawnSync('pnpm', ['--filter', '@seasync/web', 'build'], {
    cwd: ROOT,
    stdio: 'inherit',
  })
  if (result.error !== undefined) {
    process.stderr.write(`dashboard: could not run pnpm: ${result.error.message}\n`)
    return 1
  }
  return result.status ?? 1
}

if (import.meta.filename === process.argv[1]) process.exit(main(process.argv.slice(2)))
