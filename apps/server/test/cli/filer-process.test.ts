/**
 * `bin/seasync filer` as a real process: it serves, reports where, and closes on SIGTERM/SIGINT
 * with exit 0 (the reason bin/seasync execs node instead of going through pnpm).
 */
import { spawn } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterEach, describe, expect, it } from 'vitest'

const BIN = fileURLToPath(new URL('../../../../bin/seasync', import.meta.url))
const READY =
  /^embedded filer ready: http (\S+):(\d+) grpc \S+:(\d+) address \S+ volume \S+:(\d+) signature (-?\d+) dir (.+)$/m

const cleanups: (() => Promise<void>)[] = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
})

function startFiler(args: readonly string[]) {
  const child = spawn(BIN, ['filer', ...args], { cwd: tmpdir(), stdio: ['ignore', 'pipe', 'pipe'] })
  let stdout = ''
  let stderr = ''
  child.stdout.setEncoding('utf8').on('data', (text: string) => (stdout += text))
  child.stderr.setEncoding('utf8').on('data', (text: string) => (stderr += text))
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)))
  cleanups.push(async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
    await exited
  })
  const ready = new Promise<RegExpExecArray>((resolve, reject) => {
    const check = () => {
      const match = READY.exec(stdout)
      if (match !== null) resolve(match)
    }
    child.stdout.on('data', check)
    void exited.then(() => reject(new Error(`exited before ready:\n${stdout}${stderr}`)))
  })
  return { child, ready, exited, output: () => ({ stdout, stderr }) }
}

describe('seasync filer (process)', () => {
  it('serves in memory on free ports and stops on SIGTERM, exit 0', async () => {
    const filer = startFiler(['-port', '0', '-dir', ''])
    const [, host, port, grpcPort, volumePort, signature, dir] = await filer.ready
    expect(host).toBe('127.0.0.1')
    for (const p of [port, grpcPort, volumePort]) expect(Number(p)).toBeGreaterThan(0)
    expect(Number(signature)).not.toBe(0)
    expect(dir).toBe('(memory)')
    const response = await fetch(`http://${host}:${port}/`)
    await response.body?.cancel()
    filer.child.kill('SIGTERM')
    expect(await filer.exited).toBe(0)
    expect(filer.output().stdout).toMatch(/embedded filer stopped \(SIGTERM\)\n$/)
  })

  it('keeps its signature in -dir across restarts and stops on SIGINT', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'seasync-filer-'))
    cleanups.push(() => rm(dir, { recursive: true, force: true }))
    const signatures: string[] = []
    for (let run = 0; run < 2; run++) {
      const filer = startFiler(['-port=0', `-dir=${dir}`])
      const match = await filer.ready
      expect(match[6]).toBe(dir)
      signatures.push(match[5]!)
      filer.child.kill('SIGINT')
      expect(await filer.exited).toBe(0)
    }
    expect(signatures[1]).toBe(signatures[0])
  })
})
