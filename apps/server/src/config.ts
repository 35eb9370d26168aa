/**
 * The server's configuration: every setting read once at start-up from the command line and the
 * environment (flags win over `SEASYNC_*` variables, which win over defaults), validated, and
 * frozen into one typed {@link Config} that the rest of the server receives (STYLE.md §6).
 *
 * Only the process entry (`seasync serve`) reads `process.env`; this module takes `env` and `argv`
 * as arguments, so tests pass their own. An empty environment variable counts as unset, as a
 * container runtime passing `SEASYNC_PORT=` usually means "not given".
 */
import { statSync } from 'node:fs'
import { isIP } from 'node:net'
import { resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { FlagError, FlagErrorCodes, defineFlags, parseFlags } from './cli/go-flags.js'

/** Pino's levels, plus `silent`. */
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const
export type LogLevel = (typeof LOG_LEVELS)[number]

/** The validated, frozen configuration of one server process. */
export interface Config {
  /** Address to listen on. Default `127.0.0.1`; any non-loopback address requires `apiToken`. */
  readonly host: string
  /** TCP port; 0 picks a free one. Default {@link ConfigDefaults.port}. */
  readonly port: number
  /** Absolute directory of the state database (`seasync.db`); created when missing. */
  readonly dataDir: string
  /** Bearer token every API route requires; `undefined`: the API is open (loopback only). */
  readonly apiToken: string | undefined
  readonly logLevel: LogLevel
  /** Start the demo clusters (embedded filers) on a fresh data directory. Default on. */
  readonly demo: boolean
  /** Days of per-edge lag history kept in the database. Default 7. */
  readonly historyRetentionDays: number
  /**
   * Absolute directory of the built dashboard (`index.html` and `assets/`), served at `/`.
   * Default {@link DEFAULT_WEB_DIR}, the web app's Vite output in this repository. It need not
   * exist yet: without `index.html`, `/` says how to build the dashboard.
   */
  readonly webDir: string
}

/**
 * `apps/web/dist`, found from this file: `apps/server/src/config.ts` when run from source and
 * `apps/server/dist/config.js` when built sit at the same depth, so one relative path fits both.
 */
export const DEFAULT_WEB_DIR = fileURLToPath(new URL('../../web/dist', import.meta.url))

/** Defaults of every setting (`dataDir` is resolved against the working directory). */
export const ConfigDefaults = Object.freeze({
  host: '127.0.0.1',
  // Beside the filer's 8888 and SeaweedFS's usual ports (9333 master, 8080 volume), yet free.
  port: 8680,
  dataDir: './seasync-data',
  logLevel: 'info',
  demo: true,
  historyRetentionDays: 7,
} as const satisfies Partial<Config>)

/** The shortest API token accepted: shorter ones are guessable. */
export const MIN_API_TOKEN_LENGTH = 16
const MAX_PORT = 65_535
const MAX_HISTORY_RETENTION_DAYS = 3650

/** A bad setting: `setting` is the {@link Config} key, `source` the flag or variable that set it. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError'

  constructor(
    readonly setting: keyof Config,
    /** `-port`, `SEASYNC_PORT`, or both names when the value is missing. */
    readonly source: string,
    message: string,
  ) {
    super(message)
  }
}

/**
 * The `seasync serve` flags. Their defaults here are the zero value on purpose: a flag that is not
 * given falls back to the environment, then to {@link ConfigDefaults} (see each usage text).
 */
export const serveFlags = defineFlags({
  host: {
    type: 'string',
    default: '',
    usage:
      '`address` to listen on; not loopback requires -token (env SEASYNC_HOST, default 127.0.0.1)',
  },
  port: {
    type: 'string',
    default: '',
    usage: '`port` to listen on, 0 picks a free one (env SEASYNC_PORT, default 8680)',
  },
  dir: {
    type: 'string',
    default: '',
    usage: '`directory` of the state database (env SEASYNC_DATA_DIR, default ./seasync-data)',
  },
  token: {
    type: 'string',
    default: '',
    usage:
      'API bearer `token`, at least 16 characters; prefer the env variable, flags show in ps\n' +
      '(env SEASYNC_API_TOKEN, default none: the API is open, allowed on loopback only)',
  },
  logLevel: {
    type: 'string',
    default: '',
    usage:
      '`level`: fatal, error, warn, info, debug, trace or silent (env SEASYNC_LOG_LEVEL, default info)',
  },
  demo: {
    type: 'bool',
    default: false,
    usage: 'start the demo clusters; -demo=false turns them off (env SEASYNC_DEMO, default true)',
  },
  'no-demo': { type: 'bool', default: false, usage: 'the same as -demo=false' },
  historyRetentionDays: {
    type: 'string',
    default: '',
    usage: '`days` of lag history to keep, 1..3650 (env SEASYNC_HISTORY_RETENTION_DAYS, default 7)',
  },
  webDir: {
    type: 'string',
    default: '',
    usage:
      '`directory` of the built dashboard served at / (env SEASYNC_WEB_DIR,\n' +
      'default apps/web/dist of this checkout)',
  },
})

/** The environment variable of each setting. */
export const ConfigEnv = Object.freeze({
  host: 'SEASYNC_HOST',
  port: 'SEASYNC_PORT',
  dataDir: 'SEASYNC_DATA_DIR',
  apiToken: 'SEASYNC_API_TOKEN',
  logLevel: 'SEASYNC_LOG_LEVEL',
  demo: 'SEASYNC_DEMO',
  historyRetentionDays: 'SEASYNC_HISTORY_RETENTION_DAYS',
  webDir: 'SEASYNC_WEB_DIR',
} as const satisfies Record<keyof Config, string>)

type Env = Readonly<Record<string, string | undefined>>

export interface LoadConfigInput {
  /** The environment (the serve command passes `process.env`). */
  readonly env: Env
  /** The `seasync serve` arguments, without the command name. */
  readonly argv: readonly string[]
  /** Relative `-dir` and `-webDir` values resolve against it. Default `process.cwd()`. */
  readonly cwd?: string
}

/**
 * Reads, validates and freezes the configuration. Throws {@link ConfigError} naming the setting
 * and its bad value (the token is never repeated), and {@link FlagError} for a command-line
 * mistake that is not a value: an unknown flag, `-h`, a positional argument.
 */
export function loadConfig({ env, argv, cwd = process.cwd() }: LoadConfigInput): Readonly<Config> {
  let parsed
  try {
    parsed = parseFlags(serveFlags, argv)
  } catch (error) {
    if (error instanceof FlagError && error.code === FlagErrorCodes.INVALID_VALUE) {
      // Only the boolean flags can fail to parse: every other one is read as a string here.
      throw new ConfigError('demo', `-${error.flag ?? 'demo'}`, error.message)
    }
    throw error
  }
  const extra = parsed.args[0]
  if (extra !== undefined) {
    throw new FlagError(FlagErrorCodes.UNEXPECTED_ARGUMENT, `unexpected argument: ${extra}`)
  }
  const flags = parsed.values
  const given = (flag: keyof typeof serveFlags): boolean => parsed.set.has(flag)

  /** The flag's text if given, else the variable's if set and not empty, else undefined. */
  const raw = (
    setting: keyof Config,
    flag: 'host' | 'port' | 'dir' | 'token' | 'logLevel' | 'historyRetentionDays' | 'webDir',
  ): { text: string; source: string } | undefined => {
    if (given(flag)) return { text: flags[flag], source: `-${flag}` }
    const name = ConfigEnv[setting]
    const text = env[name]
    return text === undefined || text === '' ? undefined : { text, source: name }
  }

  const read = <T>(
    setting: keyof Config,
    flag: Parameters<typeof raw>[1],
    parse: (text: string) => T | Invalid,
    fallback: T,
    { secret = false } = {},
  ): T => {
    const input = raw(setting, flag)
    if (input === undefined) return fallback
    const value = parse(input.text)
    if (value instanceof Invalid) {
      const shown = secret ? '' : ` "${input.text}"`
      throw new ConfigError(
        setting,
        input.source,
        `invalid value${shown} for ${input.source}: ${value.reason}`,
      )
    }
    return value
  }

  const host = read('host', 'host', parseHost, ConfigDefaults.host)
  const port = read('port', 'port', (text) => parseInteger(text, 0, MAX_PORT), ConfigDefaults.port)
  const dataDir = resolve(cwd, read('dataDir', 'dir', parseDirectory, ConfigDefaults.dataDir))
  const apiToken = read('apiToken', 'token', parseToken, undefined, { secret: true })
  const logLevel = read('logLevel', 'logLevel', parseLogLevel, ConfigDefaults.logLevel)
  const historyRetentionDays = read(
    'historyRetentionDays',
    'historyRetentionDays',
    (text) => parseInteger(text, 1, MAX_HISTORY_RETENTION_DAYS),
    ConfigDefaults.historyRetentionDays,
  )
  const webDir = read('webDir', 'webDir', (text) => parseWebDir(cwd, text), DEFAULT_WEB_DIR)
  const demo = readDemo(
    given('demo') ? flags.demo : undefined,
    given('no-demo') ? !flags['no-demo'] : undefined,
    env,
  )

  if (apiToken === undefined && !isLoopback(host)) {
    const hostSource = given('host') ? '-host' : ConfigEnv.host
    throw new ConfigError(
      'apiToken',
      `-token or ${ConfigEnv.apiToken}`,
      `${hostSource} ${host} is not a loopback address: set an API token (${ConfigEnv.apiToken}` +
        ' or -token) so that only its holders can use the API, or listen on 127.0.0.1',
    )
  }

  return Object.freeze({
    host,
    port,
    dataDir,
    apiToken,
    logLevel,
    demo,
    historyRetentionDays,
    webDir,
  })
}

/** The configuration as it may be logged or shown: the token only as whether one is set. */
export function describeConfig(config: Config): Record<string, unknown> {
  const { apiToken, ...rest } = config
  return { ...rest, apiTokenSet: apiToken !== undefined }
}

/** Whether `host` only accepts connections from this machine. */
export function isLoopback(host: string): boolean {
  if (host === 'localhost') return true
  if (isIP(host) === 4) return host.startsWith('127.')
  const lower = host.toLowerCase()
  return lower === '::1' || /^::ffff:127\./.test(lower)
}

/** A parse failure with the reason a person can act on. */
class Invalid {
  constructor(readonly reason: string) {}
}

const HOSTNAME =
  /^(?=.{1,253}$)[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)*$/

function parseHost(text: string): string | Invalid {
  // `[::1]` as in URLs; Node's listen() wants the bare address.
  const host = /^\[(.*)\]$/.exec(text)?.[1] ?? text
  if (isIP(host) !== 0 || HOSTNAME.test(host)) return host
  return new Invalid('must be an IP address or a host name, e.g. 127.0.0.1 or 0.0.0.0')
}

function parseInteger(text: string, min: number, max: number): number | Invalid {
  const value = /^\d+$/.test(text) ? Number(text) : Number.NaN
  if (Number.isSafeInteger(value) && value >= min && value <= max) return value
  return new Invalid(`must be an integer from ${min} to ${max}`)
}

function parseDirectory(text: string): string | Invalid {
  return text.trim() === '' ? new Invalid('must name a directory') : text
}

/**
 * A directory given for the dashboard: may be missing (the server then says it is not built) but
 * not a file, which is always a mistake (e.g. pointing at `index.html` itself).
 */
function parseWebDir(cwd: string, text: string): string | Invalid {
  if (text.trim() === '') return new Invalid('must name a directory')
  const dir = resolve(cwd, text)
  let isFile = false
  try {
    isFile = !statSync(dir).isDirectory()
  } catch {
    // Missing or unreadable: served as "not built", which says how to fix it.
  }
  return isFile ? new Invalid('is a file; name the directory holding index.html') : dir
}

function parseToken(text: string): string | Invalid {
  if (text === '') return new Invalid('the token must not be empty (leave it out for an open API)')
  if (!/^[\x21-\x7e]+$/.test(text)) {
    return new Invalid('the token may only contain printable ASCII without spaces')
  }
  if (text.length < MIN_API_TOKEN_LENGTH) {
    return new Invalid(`the token must be at least ${MIN_API_TOKEN_LENGTH} characters long`)
  }
  return text
}

function parseLogLevel(text: string): LogLevel | Invalid {
  const level = LOG_LEVELS.find((l) => l === text.toLowerCase())
  return level ?? new Invalid(`must be one of ${LOG_LEVELS.join(', ')}`)
}

const TRUE_WORDS = ['1', 't', 'true', 'yes', 'on']
const FALSE_WORDS = ['0', 'f', 'false', 'no', 'off']

function readDemo(
  fromDemo: boolean | undefined,
  fromNoDemo: boolean | undefined,
  env: Env,
): boolean {
  if (fromDemo !== undefined && fromNoDemo !== undefined && fromDemo !== fromNoDemo) {
    throw new ConfigError('demo', '-demo and -no-demo', '-demo and -no-demo contradict each other')
  }
  const fromFlags = fromDemo ?? fromNoDemo
  if (fromFlags !== undefined) return fromFlags
  const text = env[ConfigEnv.demo]
  if (text === undefined || text === '') return ConfigDefaults.demo
  const word = text.toLowerCase()
  if (TRUE_WORDS.includes(word)) return true
  if (FALSE_WORDS.includes(word)) return false
  throw new ConfigError(
    'demo',
    ConfigEnv.demo,
    `invalid value "${text}" for ${ConfigEnv.demo}: must be one of 1, 0, true, false, yes, no, on, off`,
  )
}
