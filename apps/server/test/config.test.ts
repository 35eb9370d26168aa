import { mkdtemp, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { describe, expect, it } from 'vitest'
import { FlagError } from '../src/cli/go-flags.js'
import {
  ConfigDefaults,
  ConfigError,
  DEFAULT_WEB_DIR,
  describeConfig,
  isLoopback,
  loadConfig,
  type Config,
} from '../src/config.js'

const CWD = '/srv/seasync'
const TOKEN = 'correct-horse-battery-staple'

function load(argv: readonly string[] = [], env: Record<string, string> = {}) {
  return loadConfig({ env, argv, cwd: CWD })
}

/** The ConfigError that loading throws. */
function configError(argv: readonly string[], env: Record<string, string> = {}): ConfigError {
  try {
    load(argv, env)
  } catch (error) {
    if (error instanceof ConfigError) return error
    throw error
  }
  throw new Error('expected a ConfigError')
}

describe('loadConfig', () => {
  it('has documented defaults and returns a frozen config', () => {
    const config = load()
    expect(config).toEqual({
      host: '127.0.0.1',
      port: 8680,
      dataDir: resolve(CWD, 'seasync-data'),
      apiToken: undefined,
      logLevel: 'info',
      demo: true,
      historyRetentionDays: 7,
      webDir: DEFAULT_WEB_DIR,
    } satisfies Config)
    // apps/web/dist of this checkout, wherever the server runs from.
    expect(DEFAULT_WEB_DIR).toBe(resolve(import.meta.dirname, '../../web/dist'))
    expect(ConfigDefaults.port).toBe(8680)
    expect(Object.isFrozen(config)).toBe(true)
  })

  it('reads every setting from SEASYNC_* variables', () => {
    const config = load([], {
      SEASYNC_HOST: '0.0.0.0',
      SEASYNC_PORT: '9000',
      SEASYNC_DATA_DIR: 'state',
      SEASYNC_API_TOKEN: TOKEN,
      SEASYNC_LOG_LEVEL: 'DEBUG',
      SEASYNC_DEMO: 'off',
      SEASYNC_HISTORY_RETENTION_DAYS: '30',
      SEASYNC_WEB_DIR: 'web',
    })
    expect(config).toEqual({
      host: '0.0.0.0',
      port: 9000,
      dataDir: '/srv/seasync/state',
      apiToken: TOKEN,
      logLevel: 'debug',
      demo: false,
      historyRetentionDays: 30,
      webDir: '/srv/seasync/web',
    })
  })

  it('lets flags win over variables, in any flag syntax', () => {
    const env = {
      SEASYNC_HOST: '0.0.0.0',
      SEASYNC_PORT: '9000',
      SEASYNC_DATA_DIR: '/env/dir',
      SEASYNC_API_TOKEN: 'env-token-0123456789',
      SEASYNC_LOG_LEVEL: 'warn',
      SEASYNC_DEMO: '0',
      SEASYNC_HISTORY_RETENTION_DAYS: '30',
      SEASYNC_WEB_DIR: '/env/web',
    }
    const config = load(
      [
        '-host=::1',
        '--port',
        '0',
        '-dir',
        '/flag/dir',
        '-token',
        TOKEN,
        '-logLevel=trace',
        '-demo',
        '-historyRetentionDays=1',
        '-webDir',
        '/flag/web',
      ],
      env,
    )
    expect(config).toEqual({
      host: '::1',
      port: 0,
      dataDir: '/flag/dir',
      apiToken: TOKEN,
      logLevel: 'trace',
      demo: true,
      historyRetentionDays: 1,
      webDir: '/flag/web',
    })
  })

  it('treats an empty variable as unset', () => {
    expect(load([], { SEASYNC_PORT: '', SEASYNC_API_TOKEN: '', SEASYNC_DEMO: '' })).toMatchObject({
      port: 8680,
      apiToken: undefined,
      demo: true,
    })
  })

  it.each([
    [['-demo=false'], {}, false],
    [['--no-demo'], {}, false],
    [['-no-demo=false'], { SEASYNC_DEMO: '0' }, true],
    [[], { SEASYNC_DEMO: '0' }, false],
    [[], { SEASYNC_DEMO: 'yes' }, true],
    [['-demo'], { SEASYNC_DEMO: 'false' }, true],
  ])('demo: %j with %j is %s', (argv, env, demo) => {
    expect(load(argv, env).demo).toBe(demo)
  })

  it('accepts a bracketed IPv6 host and host names', () => {
    expect(load(['-host', '[::1]']).host).toBe('::1')
    expect(load(['-host', 'localhost']).host).toBe('localhost')
    expect(load(['-host', 'seasync.example.com', '-token', TOKEN]).host).toBe('seasync.example.com')
  })

  it.each<[string, readonly string[], Record<string, string>, keyof Config, RegExp]>([
    [
      'port not a number (flag)',
      ['-port', 'abc'],
      {},
      'port',
      /"abc" for -port: must be an integer from 0 to 65535/,
    ],
    [
      'port out of range (env)',
      [],
      { SEASYNC_PORT: '70000' },
      'port',
      /"70000" for SEASYNC_PORT: .*0 to 65535/,
    ],
    ['port negative', ['-port=-1'], {}, 'port', /"-1" for -port/],
    ['port with a fraction', [], { SEASYNC_PORT: '80.5' }, 'port', /"80.5" for SEASYNC_PORT/],
    [
      'host with a space',
      ['-host', 'my host'],
      {},
      'host',
      /"my host" for -host: must be an IP address or a host name/,
    ],
    ['host empty', ['-host='], {}, 'host', /"" for -host/],
    ['empty dir', ['-dir='], {}, 'dataDir', /"" for -dir: must name a directory/],
    [
      'log level',
      [],
      { SEASYNC_LOG_LEVEL: 'loud' },
      'logLevel',
      /"loud" for SEASYNC_LOG_LEVEL: must be one of fatal, error, warn, info, debug, trace, silent/,
    ],
    ['demo (env)', [], { SEASYNC_DEMO: 'maybe' }, 'demo', /"maybe" for SEASYNC_DEMO/],
    ['demo (flag)', ['-demo=maybe'], {}, 'demo', /"maybe" for -demo/],
    ['demo contradiction', ['-demo', '-no-demo'], {}, 'demo', /-demo and -no-demo contradict/],
    [
      'retention zero',
      ['-historyRetentionDays', '0'],
      {},
      'historyRetentionDays',
      /"0" for -historyRetentionDays: must be an integer from 1 to 3650/,
    ],
    [
      'retention (env)',
      [],
      { SEASYNC_HISTORY_RETENTION_DAYS: 'week' },
      'historyRetentionDays',
      /"week" for SEASYNC_HISTORY_RETENTION_DAYS/,
    ],
    [
      'token too short',
      ['-token', 'short'],
      {},
      'apiToken',
      /for -token: the token must be at least 16 characters/,
    ],
    [
      'token with a space',
      [],
      { SEASYNC_API_TOKEN: 'has a space in it, long enough' },
      'apiToken',
      /for SEASYNC_API_TOKEN: .*without spaces/,
    ],
    ['token empty (flag)', ['-token='], {}, 'apiToken', /for -token: the token must not be empty/],
  ])('refuses %s, naming the setting', (_name, argv, env, setting, message) => {
    const error = configError(argv, env)
    expect(error.setting).toBe(setting)
    expect(error.message).toMatch(message)
  })

  it('takes a missing dashboard directory (served as not built) but refuses a file', async () => {
    expect(load(['-webDir', '/no/such/dir']).webDir).toBe('/no/such/dir')
    const dir = await mkdtemp(join(tmpdir(), 'seasync-config-'))
    const file = join(dir, 'index.html')
    await writeFile(file, '<!doctype html>')
    expect(load([], { SEASYNC_WEB_DIR: dir }).webDir).toBe(dir)
    const error = configError([], { SEASYNC_WEB_DIR: file })
    expect(error.setting).toBe('webDir')
    expect(error.message).toMatch(/for SEASYNC_WEB_DIR: is a file; name the directory/)
    expect(configError(['-webDir='], {}).message).toMatch(/"" for -webDir: must name a directory/)
  })

  it('never repeats a bad token in its message', () => {
    expect(configError(['-token', 'secret-short']).message).not.toContain('secret-short')
    const spaced = 'a secret with spaces in it'
    expect(configError([], { SEASYNC_API_TOKEN: spaced }).message).not.toContain(spaced)
  })

  it.each([['0.0.0.0'], ['::'], ['10.1.2.3'], ['seasync.example.com']])(
    'refuses to listen on %s without a token',
    (host) => {
      const error = configError(['-host', host])
      expect(error.setting).toBe('apiToken')
      expect(error.message).toContain(`-host ${host} is not a loopback address`)
      expect(error.message).toContain('SEASYNC_API_TOKEN')
      expect(load(['-host', host, '-token', TOKEN]).host).toBe(host)
    },
  )

  it('names the variable when the host comes from the environment', () => {
    expect(configError([], { SEASYNC_HOST: '0.0.0.0' }).message).toMatch(/^SEASYNC_HOST 0\.0\.0\.0/)
  })

  it('leaves command-line syntax mistakes to FlagError (usage, exit 2)', () => {
    expect(() => load(['-bogus'])).toThrow(FlagError)
    expect(() => load(['extra'])).toThrow(/unexpected argument: extra/)
    expect(() => load(['-port'])).toThrow(/flag needs an argument: -port/)
  })
})

describe('isLoopback', () => {
  it.each([
    ['127.0.0.1', true],
    ['127.8.9.10', true],
    ['::1', true],
    ['::ffff:127.0.0.1', true],
    ['localhost', true],
    ['0.0.0.0', false],
    ['::', false],
    ['192.168.1.2', false],
    ['127.example.com', false],
  ])('%s → %s', (host, expected) => {
    expect(isLoopback(host)).toBe(expected)
  })
})

describe('describeConfig', () => {
  it('shows whether a token is set, never the token', () => {
    const described = describeConfig(load(['-token', TOKEN]))
    expect(JSON.stringify(described)).not.toContain(TOKEN)
    expect(described.apiTokenSet).toBe(true)
  })
})
