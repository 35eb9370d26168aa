/**
 * `seasync filer`: run the embedded SeaweedFS-compatible filer + volume server until SIGINT or
 * SIGTERM. Flag names follow `weed filer` (`-ip`, `-port`, `-port.grpc`, `-maxMB`,
 * `-saveToFilerLimit`), plus `-volume.port` and `-dir` of `weed server`, and `-jwt.key` for
 * security.toml's `jwt.signing.key`.
 */
import { resolve } from 'node:path'
import type { EmbeddedFiler, EmbeddedFilerOptions } from '@seasync/embedded-filer'
import type { CliIo, Command } from './command.js'
import {
  FlagError,
  FlagErrorCodes,
  defineFlags,
  formatFlagDefaults,
  parseCommandFlags,
  type FlagValues,
} from './go-flags.js'

export const filerFlags = defineFlags({
  ip: {
    type: 'string',
    default: '127.0.0.1',
    usage: '`address` the filer and volume server bind to and advertise',
  },
  port: { type: 'int', default: 8888, usage: 'filer HTTP port; 0 picks a free port' },
  'port.grpc': {
    type: 'int',
    default: 0,
    usage: 'filer gRPC port; 0 means port+10000 (a free port when -port is 0)',
  },
  'volume.port': {
    type: 'int',
    default: 0,
    usage: 'volume server HTTP port; 0 picks a free port (clients find it via LookupVolume)',
  },
  dir: {
    type: 'string',
    default: './data',
    usage: '`directory` for the SQLite store and volume data; -dir= keeps everything in memory',
  },
  maxMB: { type: 'int', default: 4, usage: 'split HTTP uploads into chunks of this many MiB' },
  saveToFilerLimit: {
    type: 'int',
    default: 0,
    usage: 'store files smaller than this many bytes inline in their entry (0: never)',
  },
  'jwt.key': {
    type: 'string',
    default: '',
    usage: '`key` that signs volume write tokens (security.toml jwt.signing.key); empty: no JWT',
  },
})

type FilerFlagValues = FlagValues<typeof filerFlags>

const MAX_PORT = 65_535

/**
 * Validates the flags into the library's options (frozen). Relative `-dir` resolves against
 * `cwd`; an empty one means in memory. Throws {@link FlagError} for out-of-range values.
 */
export function filerOptionsFromFlags(values: FilerFlagValues, cwd: string): EmbeddedFilerOptions {
  for (const name of ['port', 'port.grpc', 'volume.port'] as const) {
    if (values[name] < 0 || values[name] > MAX_PORT) {
      throw invalid(name, values[name], `must be 0..${MAX_PORT}`)
    }
  }
  if (values['port.grpc'] === 0 && values.port + 10_000 > MAX_PORT) {
    throw invalid('port', values.port, 'port+10000 is no port: set -port.grpc')
  }
  if (values.maxMB < 1) throw invalid('maxMB', values.maxMB, 'must be at least 1')
  if (values.saveToFilerLimit < 0) {
    throw invalid('saveToFilerLimit', values.saveToFilerLimit, 'must not be negative')
  }
  const options: EmbeddedFilerOptions = {
    host: values.ip,
    port: values.port,
    // 0 defers to the library: port+10000, or ephemeral when the HTTP port is.
    ...(values['port.grpc'] !== 0 && { grpcPort: values['port.grpc'] }),
    volumePort: values['volume.port'],
    ...(values.dir !== '' && { dir: resolve(cwd, values.dir) }),
    maxMB: values.maxMB,
    saveToFilerLimit: values.saveToFilerLimit,
    ...(values['jwt.key'] !== '' && { jwtSigningKey: values['jwt.key'] }),
  }
  return Object.freeze(options)
}

function invalid(flag: string, value: number, why: string): FlagError {
  return new FlagError(
    FlagErrorCodes.INVALID_VALUE,
    `invalid value "${value}" for flag -${flag}: ${why}`,
    flag,
  )
}

/** The line scripts wait for: every address and the signature, `key value` pairs on one line. */
export function readyLine(filer: EmbeddedFiler): string {
  return (
    `embedded filer ready: http ${filer.httpAddress} grpc ${filer.grpcAddress}` +
    ` address ${filer.address} volume ${filer.volumeUrl} signature ${filer.signature}` +
    ` dir ${filer.dir ?? '(memory)'}\n`
  )
}

/** `seasync filer` with an injectable starter, so tests can run it without servers. */
export function createFilerCommand(
  start: (options: EmbeddedFilerOptions) => Promise<EmbeddedFiler>,
  cwd: () => string = () => process.cwd(),
): Command {
  return {
    name: 'filer',
    summary: 'run an embedded SeaweedFS-compatible filer + volume server',
    usage: () =>
      'Usage: seasync filer [flags]\n\n' +
      'Runs a SeaweedFS-compatible filer (HTTP + gRPC) and volume server in one process until\n' +
      'SIGINT or SIGTERM, then closes it. Prints one "embedded filer ready:" line when serving.\n\n' +
      `Flags:\n${formatFlagDefaults(filerFlags)}`,
    async run(args: readonly string[], io: CliIo): Promise<number> {
      const parsed = parseCommandFlags(filerFlags, args)
      const options = filerOptionsFromFlags(parsed.values, cwd())
      const filer = await start({ ...options, logger: (line) => io.stdout(`${line}\n`) })
      try {
        io.stdout(readyLine(filer))
        await aborted(io.shutdown)
      } finally {
        await filer.close()
      }
      io.stdout(`embedded filer stopped (${String(io.shutdown.reason)})\n`)
      return 0
    },
  }
}

/**
 * The real command. The library loads on first use, so `seasync help` and other commands do not
 * pay for SQLite, gRPC and the servers.
 */
export const filerCommand: Command = createFilerCommand(async (options) => {
  const { startEmbeddedFiler } = await import('@seasync/embedded-filer')
  return startEmbeddedFiler(options)
})

/** Resolves once `signal` aborts (at once if it already has). */
function aborted(signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve()
  return new Promise((done) => signal.addEventListener('abort', () => done(), { once: true }))
}
