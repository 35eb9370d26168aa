import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it, onTestFinished } from 'vitest'
import { readyLine, runServer } from '../src/server.js'
import { testConfig } from './support/app.js'
import { recordingIo } from './support/cli-io.js'

const EVENTS = ['SIGINT', 'SIGTERM', 'uncaughtException', 'unhandledRejection', 'beforeExit']

describe('runServer (in-process)', () => {
  it('serves until the shutdown signal, then closes and leaves no process handlers', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'seasync-server-'))
    onTestFinished(() => rm(dataDir, { recursive: true, force: true }))
    const before = EVENTS.map((event) => process.listenerCount(event))
    const io = recordingIo()
    const running = runServer(testConfig({ port: 0, dataDir, logLevel: 'silent' }), io)
    await expect.poll(() => io.out.join('')).toMatch(/seasync serving on/)
    const url = /seasync serving on (\S+) \(data (.+)\)/.exec(io.out.join(''))!
    expect(url[2]).toBe(dataDir)
    expect((await fetch(`${url[1]}/api/v1/health/live`)).status).toBe(200)
    io.stop('SIGTERM')
    expect(await running).toBe(0)
    expect(io.out.at(-1)).toBe('seasync stopped (SIGTERM)\n')
    expect(EVENTS.map((event) => process.listenerCount(event))).toEqual(before)
    await expect(fetch(`${url[1]}/api/v1/health/live`)).rejects.toThrow()
  })

  it('rejects when it cannot listen, leaving no process handlers', async () => {
    const before = EVENTS.map((event) => process.listenerCount(event))
    const io = recordingIo()
    await expect(
      runServer(
        testConfig({ host: '192.0.2.1', port: 0, apiToken: 'x'.repeat(16), logLevel: 'silent' }),
        io,
      ),
    ).rejects.toThrow(/EADDRNOTAVAIL/)
    expect(EVENTS.map((event) => process.listenerCount(event))).toEqual(before)
  })
})

describe('readyLine', () => {
  it('brackets IPv6 addresses', () => {
    expect(readyLine({ address: '::1', family: 'IPv6', port: 8680 }, '/d')).toBe(
      'seasync serving on http://[::1]:8680 (data /d)\n',
    )
  })
})
