/**
 * `seasync serve`: configuration mistakes in-process, then the real thing as a process through
 * `bin/seasync` (ready line, health, SIGTERM → exit 0).
 */
import { spawn } from 'node:child_process'
import { mkdtemp, rm, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterEach, describe, expect, it } from 'vitest'
import { createServeCommand } from '../../src/cli/serve-command.js'
import { main } from '../../src/cli/main.js'
import type { Config } from '../../src/config.js'
import { recordingIo } from '../support/cli-io.js'

const BIN = fileURLToPath(new URL('../../../../bin/seasync', import.meta.url))
const READY = /^seasync serving on (http:\/\/127\.0\.0\.1:(\d+)) \(data (.+)\)$/m
const TOKEN = 'process-test-token-0123456789'

const cleanups: (() => Promise<void>)[] = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
})

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'seasync-serve-'))
  cleanups.push(() => rm(dir, { recursive: true, force: true }))
  return dir
}

/** The serve command with a fake server that records the config it got. */
function fakeServe(env: Record<string, string> = {}) {
  const configs: Readonly<Config>[] = []
  const command = createServeCommand({
    env: () => env,
    cwd: () => '/work',
    run: async (config) => {
      configs.push(config)
      return 0
    },
  })
  return { command, configs }
}

describe('seasync serve (in-process)', () => {
  it('is listed by `seasync help`', async () => {
    const io = recordingIo()
    expect(await main(['help'], io)).toBe(0)
    expect(io.out.join('')).toMatch(/\n\s+serve\s+run the SeaSync server/)
  })

  it('passes the validated config to the server, flags over environment', async () => {
    const { command, configs } = fakeServe({ SEASYNC_PORT: '9000', SEASYNC_LOG_LEVEL: 'warn' })
    const io = recordingIo()
    expect(await main(['serve', '-port', '0', '-dir', 'state'], io, [command])).toBe(0)
    expect(configs).toEqual([
      expect.objectContaining({ port: 0, logLevel: 'warn', dataDir: '/work/state' }),
    ])
  })

  it.each([
    [['-port', 'abc'], {}, 'invalid value "abc" for -port: must be an integer from 0 to 65535'],
    [[], { SEASYNC_PORT: 'abc' }, 'invalid value "abc" for SEASYNC_PORT'],
    [['-host', '0.0.0.0'], {}, '-host 0.0.0.0 is not a loopback address'],
  ])('exits 2 for %j %j, naming the setting', async (argv, env, message) => {
    const { command, configs } = fakeServe(env)
    const io = recordingIo()
    expect(await main(['serve', ...argv], io, [command])).toBe(2)
    expect(io.err.join('')).toContain(`seasync serve: ${message}`)
    expect(configs).toEqual([])
  })

  it('exits 2 with the usage for an unknown flag, 0 with it for -h', async () => {
    const { command } = fakeServe()
    const bad = recordingIo()
    expect(await main(['serve', '-bogus'], bad, [command])).toBe(2)
    expect(bad.err.join('')).toMatch(/flag provided but not defined: -bogus\nUsage: seasync serve/)
    const help = recordingIo()
    expect(await main(['serve', '-h'], help, [command])).toBe(0)
    const usage = help.out.join('')
    for (const flag of [
      '-host',
      '-port',
      '-dir',
      '-token',
      '-logLevel',
      '-demo',
      '-historyRetentionDays',
      '-webDir',
    ]) {
      expect(usage).toContain(`  ${flag}`)
    }
    expect(usage).toContain('SEASYNC_API_TOKEN')
  })
})

function startServe(args: readonly string[], env: Record<string, string> = {}) {
  const child = spawn(BIN, ['serve', ...args], {
    cwd: tmpdir(),
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
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
  // Tests that expect an early exit never await `ready`.
  ready.catch(() => undefined)
  return { child, ready, exited, output: () => ({ stdout, stderr }) }
}

describe('seasync serve (process)', () => {
  it('serves on a free port with its state in -dir, and stops on SIGTERM with exit 0', async () => {
    const dir = join(await tempDir(), 'data')
    const server = startServe(['-port', '0', '-dir', dir])
    const [, url, port, dataDir] = await server.ready
    expect(Number(port)).toBeGreaterThan(0)
    expect(dataDir).toBe(dir)
    const health = await fetch(`${url}/api/v1/health`)
    expect(health.status).toBe(200)
    expect(await health.json()).toEqual({ status: 'ok', checks: { db: 'ok' } })
    expect((await stat(join(dir, 'seasync.db'))).isFile()).toBe(true)
    server.child.kill('SIGTERM')
    expect(await server.exited).toBe(0)
    const { stdout } = server.output()
    expect(stdout).toMatch(/seasync stopped \(SIGTERM\)\n/)
    // Logs are JSON lines.
    const logLines = stdout.split('\n').filter((line) => line.startsWith('{'))
    expect(logLines.length).toBeGreaterThan(0)
    for (const line of logLines) expect(() => JSON.parse(line) as unknown).not.toThrow()
  })

  it('requires the token from SEASYNC_API_TOKEN and never logs it', async () => {
    const server = startServe(['-port=0', `-dir=${await tempDir()}`, '-logLevel=trace'], {
      SEASYNC_API_TOKEN: TOKEN,
    })
    const [, url] = await server.ready
    expect((await fetch(`${url}/api/v1/health`)).status).toBe(401)
    const authorized = await fetch(`${url}/api/v1/health`, {
      headers: { authorization: `Bearer ${TOKEN}` },
    })
    expect(authorized.status).toBe(200)
    server.child.kill('SIGINT')
    expect(await server.exited).toBe(0)
    const { stdout, stderr } = server.output()
    expect(stdout).toContain('"apiTokenSet":true')
    expect(stdout + stderr).not.toContain(TOKEN)
  })

  it('exits 2 naming the flag for -port abc', async () => {
    const server = startServe(['-port', 'abc'])
    expect(await server.exited).toBe(2)
    expect(server.output().stderr).toBe(
      'seasync serve: invalid value "abc" for -port: must be an integer from 0 to 65535\n',
    )
  })

  it('exits 1 with the reason when the port is taken', async () => {
    const first = startServe(['-port', '0', '-dir', await tempDir()])
    const [, , port] = await first.ready
    const second = startServe(['-port', port!, '-dir', await tempDir()])
    expect(await second.exited).toBe(1)
    expect(second.output().stderr).toMatch(/^seasync serve: listen EADDRINUSE/m)
    first.child.kill('SIGTERM')
    expect(await first.exited).toBe(0)
  })
})
