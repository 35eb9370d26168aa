/**
 * `bin/seasync` end to end: a real process, started the way operators and scripts start it, from a
 * directory that is not the repository (the script must find its repository by itself).
 */
import { spawn } from 'node:child_process'
import { tmpdir } from 'node:os'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'

const BIN = fileURLToPath(new URL('../../../../bin/seasync', import.meta.url))

interface Exit {
  code: number | null
  stdout: string
  stderr: string
}

function run(args: readonly string[]): Promise<Exit> {
  return new Promise((resolve, reject) => {
    const child = spawn(BIN, args, { cwd: tmpdir(), stdio: ['ignore', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    child.stdout.setEncoding('utf8').on('data', (text: string) => (stdout += text))
    child.stderr.setEncoding('utf8').on('data', (text: string) => (stderr += text))
    child.on('error', reject)
    child.on('close', (code) => resolve({ code, stdout, stderr }))
  })
}

describe('bin/seasync', () => {
  it('exits 2 with the usage on stderr for an unknown command', async () => {
    const { code, stdout, stderr } = await run(['bogus'])
    expect(code).toBe(2)
    expect(stdout).toBe('')
    expect(stderr).toMatch(/^seasync: unknown command "bogus"\n/)
    expect(stderr).toContain('Commands:')
  })

  it('prints the command list for `help`, exit 0', async () => {
    const { code, stdout } = await run(['help'])
    expect(code).toBe(0)
    expect(stdout).toMatch(/^\s+filer\s/m)
  })

  it('exits 2 with the message and the filer usage for a bad flag', async () => {
    const { code, stderr } = await run(['filer', '-port', 'x'])
    expect(code).toBe(2)
    expect(stderr).toMatch(/^invalid value "x" for flag -port: parse error\nUsage: seasync filer/)
  })
})
