import { describe, expect, it, vi } from 'vitest'
import type { EmbeddedFiler, EmbeddedFilerOptions } from '@seasync/embedded-filer'
import {
  createFilerCommand,
  filerOptionsFromFlags,
  filerFlags,
} from '../../src/cli/filer-command.js'
import { parseFlags } from '../../src/cli/go-flags.js'
import { main } from '../../src/cli/main.js'
import { recordingIo } from '../support/cli-io.js'

/** Stands in for startEmbeddedFiler: records the options, serves nothing. */
function fakeStarter() {
  const close = vi.fn(() => Promise.resolve())
  const start = vi.fn((options: EmbeddedFilerOptions): Promise<EmbeddedFiler> => {
    const host = options.host ?? '127.0.0.1'
    const port = options.port ?? 0
    const grpcPort = options.grpcPort ?? port + 10_000
    return Promise.resolve({
      signature: -12345,
      httpAddress: `${host}:${port}`,
      grpcAddress: `${host}:${grpcPort}`,
      address: `${host}:${port}.${grpcPort}`,
      scheme: 'http',
      volumeUrl: `${host}:${options.volumePort ?? 0}`,
      dir: options.dir,
      close,
    })
  })
  return { start, close, command: createFilerCommand(start, () => '/work') }
}

describe('main', () => {
  it('lists the commands for `help`, exit 0', async () => {
    const io = recordingIo()
    expect(await main(['help'], io)).toBe(0)
    expect(io.out.join('')).toMatch(/Commands:\n\s+filer\s+run an embedded/)
  })

  it('prints the usage on stderr without a command, exit 2', async () => {
    const io = recordingIo()
    expect(await main([], io)).toBe(2)
    expect(io.err.join('')).toContain('Usage:\n  seasync <command> [flags]')
  })

  it('refuses an unknown command with the usage on stderr, exit 2', async () => {
    const io = recordingIo()
    expect(await main(['bogus'], io)).toBe(2)
    expect(io.err.join('')).toMatch(/^seasync: unknown command "bogus"\n\n.*Commands:/s)
    expect(io.out).toEqual([])
  })

  it('shows a command’s flags for `help filer` and `filer -h`, exit 0', async () => {
    for (const argv of [
      ['help', 'filer'],
      ['filer', '-h'],
      ['filer', '--help'],
    ]) {
      const io = recordingIo()
      expect(await main(argv, io)).toBe(0)
      expect(io.out.join('')).toContain('  -port int\n    \tfiler HTTP port')
    }
  })

  it('prints a bad flag with the command usage on stderr, exit 2, before starting anything', async () => {
    const { start, command } = fakeStarter()
    const io = recordingIo()
    expect(await main(['filer', '-nope'], io, [command])).toBe(2)
    expect(io.err.join('')).toMatch(/^flag provided but not defined: -nope\nUsage: seasync filer/)
    expect(start).not.toHaveBeenCalled()
  })

  it.each([
    [['-port', '70000'], 'invalid value "70000" for flag -port: must be 0..65535'],
    [
      ['-port', '60000'],
      'invalid value "60000" for flag -port: port+10000 is no port: set -port.grpc',
    ],
    [['-maxMB=0'], 'invalid value "0" for flag -maxMB: must be at least 1'],
    [['extra'], 'unexpected argument: extra'],
  ])('refuses filer %j, exit 2', async (argv, message) => {
    const { start, command } = fakeStarter()
    const io = recordingIo()
    expect(await main(['filer', ...argv], io, [command])).toBe(2)
    expect(io.err.join('')).toContain(`${message}\n`)
    expect(start).not.toHaveBeenCalled()
  })

  it('reports a failing command on stderr with its causes, exit 1', async () => {
    const command = createFilerCommand(() =>
      Promise.reject(new Error('cannot start', { cause: new Error('listen EADDRINUSE') })),
    )
    const io = recordingIo()
    expect(await main(['filer'], io, [command])).toBe(1)
    expect(io.err.join('')).toBe('seasync filer: cannot start: listen EADDRINUSE\n')
  })
})

describe('seasync filer', () => {
  it('starts, prints where it serves, and closes on shutdown, exit 0', async () => {
    const { start, close, command } = fakeStarter()
    const io = recordingIo()
    const exit = main(['filer', '-port', '8888', '-volume.port=8080', '-dir', 'd'], io, [command])
    await vi.waitFor(() => expect(io.out.join('')).toContain('ready'))
    expect(io.out.join('')).toBe(
      'embedded filer ready: http 127.0.0.1:8888 grpc 127.0.0.1:18888 address 127.0.0.1:8888.18888' +
        ' volume 127.0.0.1:8080 signature -12345 dir /work/d\n',
    )
    expect(close).not.toHaveBeenCalled()
    io.stop('SIGINT')
    expect(await exit).toBe(0)
    expect(close).toHaveBeenCalledOnce()
    expect(io.out.at(-1)).toBe('embedded filer stopped (SIGINT)\n')
    expect(start).toHaveBeenCalledOnce()
  })

  it('closes at once when shutdown came during startup', async () => {
    const { close, command } = fakeStarter()
    const io = recordingIo()
    io.stop()
    expect(await main(['filer', '-port=0'], io, [command])).toBe(0)
    expect(close).toHaveBeenCalledOnce()
  })
})

describe('filerOptionsFromFlags', () => {
  const options = (...argv: string[]) =>
    filerOptionsFromFlags(parseFlags(filerFlags, argv).values, '/srv')

  it('maps the defaults: port 8888, gRPC and volume ports left to the library, ./data', () => {
    expect(options()).toEqual({
      host: '127.0.0.1',
      port: 8888,
      volumePort: 0,
      dir: '/srv/data',
      maxMB: 4,
      saveToFilerLimit: 0,
    })
    expect(Object.isFrozen(options())).toBe(true)
  })

  it('maps every flag', () => {
    expect(
      options(
        '-ip=0.0.0.0',
        '-port=0',
        '-port.grpc=19999',
        '-volume.port',
        '8081',
        '-dir=/abs',
        '-maxMB=8',
        '-saveToFilerLimit=1024',
        '-jwt.key',
        'secret',
      ),
    ).toEqual({
      host: '0.0.0.0',
      port: 0,
      grpcPort: 19999,
      volumePort: 8081,
      dir: '/abs',
      maxMB: 8,
      saveToFilerLimit: 1024,
      jwtSigningKey: 'secret',
    })
  })

  it('keeps everything in memory for an empty -dir', () => {
    expect(options('-dir=')).not.toHaveProperty('dir')
    expect(options('-dir', '')).not.toHaveProperty('dir')
  })
})
