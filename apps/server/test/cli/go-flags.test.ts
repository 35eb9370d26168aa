import { describe, expect, expectTypeOf, it } from 'vitest'
import {
  FlagError,
  FlagErrorCodes,
  defineFlags,
  formatFlagDefaults,
  formatGoDuration,
  parseFlags,
  type FlagErrorCode,
} from '../../src/cli/go-flags.js'

const specs = defineFlags({
  port: { type: 'int', default: 8888, usage: 'filer HTTP port' },
  'port.grpc': { type: 'int', default: 0, usage: 'filer gRPC port' },
  'a.path': { type: 'string', default: '/', usage: 'directory to sync on filer A' },
  dir: { type: 'string', default: './data', usage: 'data `directory`' },
  isActivePassive: { type: 'bool', default: false, usage: 'one-way sync' },
  debug: { type: 'bool', default: true, usage: 'verbose' },
  v: { type: 'bool', default: false, usage: 'short' },
  ratio: { type: 'float', default: 0.5, usage: 'a ratio' },
  timeout: { type: 'duration', default: 60_000, usage: 'how long' },
})

describe('parseFlags: accepted syntax', () => {
  it.each<[string, string[], Record<string, unknown>, string[]]>([
    ['nothing gives the defaults', [], { port: 8888, dir: './data', isActivePassive: false }, []],
    ['-name value', ['-port', '9000'], { port: 9000 }, []],
    ['-name=value', ['-port=9000'], { port: 9000 }, []],
    ['--name value', ['--port', '9000'], { port: 9000 }, []],
    ['--name=value', ['--port=9000'], { port: 9000 }, []],
    [
      'dotted names',
      ['-port.grpc', '19000', '-a.path=/x'],
      { 'port.grpc': 19000, 'a.path': '/x' },
      [],
    ],
    ['bare boolean', ['-isActivePassive'], { isActivePassive: true }, []],
    [
      'bare boolean never eats the next arg',
      ['-isActivePassive', 'false'],
      { isActivePassive: true },
      ['false'],
    ],
    ['-bool=false', ['-debug=false'], { debug: false }, []],
    ['-bool=0 and -bool=T', ['-debug=0', '-v=T'], { debug: false, v: true }, []],
    ['-bool=TRUE', ['--isActivePassive=TRUE'], { isActivePassive: true }, []],
    ['empty string with =', ['-dir='], { dir: '' }, []],
    ['empty string as next arg', ['-dir', ''], { dir: '' }, []],
    ['value after = keeps later =', ['-a.path=a=b'], { 'a.path': 'a=b' }, []],
    ['value may start with a dash', ['-a.path', '-x'], { 'a.path': '-x' }, []],
    ['last one wins', ['-port', '1', '-port', '2'], { port: 2 }, []],
    [
      'stops at first non-flag',
      ['-port', '1', 'rest', '-v'],
      { port: 1, v: false },
      ['rest', '-v'],
    ],
    ['"-" is a non-flag', ['-', '-v'], { v: false }, ['-', '-v']],
    [
      '"--" ends flags and is dropped',
      ['-v', '--', '-port', '1'],
      { v: true, port: 8888 },
      ['-port', '1'],
    ],
    [
      'hex, octal, binary, underscores',
      ['-port=0x1f', '-port.grpc=017'],
      { port: 31, 'port.grpc': 15 },
      [],
    ],
    [
      '0o and 0b and 1_000',
      ['-port=0o17', '-port.grpc=1_000'],
      { port: 15, 'port.grpc': 1000 },
      [],
    ],
    ['negative int', ['-port', '-5'], { port: -5 }, []],
    ['float', ['-ratio', '1e3'], { ratio: 1000 }, []],
    ['float .5', ['-ratio=.5'], { ratio: 0.5 }, []],
    ['duration 1h2m3.5s', ['-timeout', '1h2m3.5s'], { timeout: 3_723_500 }, []],
    ['duration 300ms', ['-timeout=300ms'], { timeout: 300 }, []],
    ['duration 0', ['-timeout=0'], { timeout: 0 }, []],
    ['duration -1.5m', ['-timeout=-1.5m'], { timeout: -90_000 }, []],
    ['duration 1500us', ['-timeout=1500us'], { timeout: 1.5 }, []],
  ])('%s', (_name, argv, expected, args) => {
    const parsed = parseFlags(specs, argv)
    expect(parsed.values).toMatchObject(expected)
    expect(parsed.args).toEqual(args)
  })

  it('reports which flags were given', () => {
    const parsed = parseFlags(specs, ['-port', '1', '-v', '-port.grpc=2'])
    expect([...parsed.set].sort()).toEqual(['port', 'port.grpc', 'v'])
  })

  it('returns every flag, frozen, typed from the definitions', () => {
    const { values } = parseFlags(specs, [])
    expect(Object.keys(values).sort()).toEqual(Object.keys(specs).sort())
    expect(Object.isFrozen(values)).toBe(true)
    expectTypeOf(values.port).toEqualTypeOf<number>()
    expectTypeOf(values['a.path']).toEqualTypeOf<string>()
    expectTypeOf(values.isActivePassive).toEqualTypeOf<boolean>()
  })
})

describe('parseFlags: errors read like Go', () => {
  it.each<[string[], FlagErrorCode, string]>([
    [['-x'], FlagErrorCodes.UNDEFINED, 'flag provided but not defined: -x'],
    [['--nope=1'], FlagErrorCodes.UNDEFINED, 'flag provided but not defined: -nope'],
    [['-toString'], FlagErrorCodes.UNDEFINED, 'flag provided but not defined: -toString'],
    [['-port'], FlagErrorCodes.MISSING_VALUE, 'flag needs an argument: -port'],
    [
      ['-port', 'abc'],
      FlagErrorCodes.INVALID_VALUE,
      'invalid value "abc" for flag -port: parse error',
    ],
    [['-port=08'], FlagErrorCodes.INVALID_VALUE, 'invalid value "08" for flag -port: parse error'],
    [
      ['-port=1__0'],
      FlagErrorCodes.INVALID_VALUE,
      'invalid value "1__0" for flag -port: parse error',
    ],
    [
      ['-port=1.5'],
      FlagErrorCodes.INVALID_VALUE,
      'invalid value "1.5" for flag -port: parse error',
    ],
    [['-port='], FlagErrorCodes.INVALID_VALUE, 'invalid value "" for flag -port: parse error'],
    [
      ['-port=99999999999999999999'],
      FlagErrorCodes.INVALID_VALUE,
      'invalid value "99999999999999999999" for flag -port: value out of range',
    ],
    [
      ['-ratio=1e400'],
      FlagErrorCodes.INVALID_VALUE,
      'invalid value "1e400" for flag -ratio: value out of range',
    ],
    [['-ratio=x'], FlagErrorCodes.INVALID_VALUE, 'invalid value "x" for flag -ratio: parse error'],
    [
      ['-timeout=5'],
      FlagErrorCodes.INVALID_VALUE,
      'invalid value "5" for flag -timeout: parse error',
    ],
    [
      ['-timeout=1x'],
      FlagErrorCodes.INVALID_VALUE,
      'invalid value "1x" for flag -timeout: parse error',
    ],
    [
      ['-timeout=.s'],
      FlagErrorCodes.INVALID_VALUE,
      'invalid value ".s" for flag -timeout: parse error',
    ],
    [['-v=yes'], FlagErrorCodes.INVALID_VALUE, 'invalid boolean value "yes" for -v: parse error'],
    [['-v='], FlagErrorCodes.INVALID_VALUE, 'invalid boolean value "" for -v: parse error'],
    [['---port'], FlagErrorCodes.SYNTAX, 'bad flag syntax: ---port'],
    [['-=1'], FlagErrorCodes.SYNTAX, 'bad flag syntax: -=1'],
    [['-h'], FlagErrorCodes.HELP, 'flag: help requested'],
    [['--help'], FlagErrorCodes.HELP, 'flag: help requested'],
  ])('%j', (argv, code, message) => {
    const error = catchFlagError(() => parseFlags(specs, argv))
    expect(error).toMatchObject({ code, message })
  })

  it('lets a command define -h itself', () => {
    const own = defineFlags({ h: { type: 'bool', default: false, usage: 'host mode' } })
    expect(parseFlags(own, ['-h']).values.h).toBe(true)
  })
})

describe('formatFlagDefaults', () => {
  it('prints like Go PrintDefaults: sorted, typed, defaults unless zero', () => {
    expect(formatFlagDefaults(specs)).toBe(
      [
        '  -a.path string',
        '    \tdirectory to sync on filer A (default "/")',
        '  -debug',
        '    \tverbose (default true)',
        '  -dir directory',
        '    \tdata directory (default "./data")',
        '  -isActivePassive',
        '    \tone-way sync',
        '  -port int',
        '    \tfiler HTTP port (default 8888)',
        '  -port.grpc int',
        '    \tfiler gRPC port',
        '  -ratio float',
        '    \ta ratio (default 0.5)',
        '  -timeout duration',
        '    \thow long (default 1m0s)',
        '  -v\tshort',
        '',
      ].join('\n'),
    )
  })
})

describe('formatGoDuration', () => {
  it.each([
    [0, '0s'],
    [300, '300ms'],
    [1.5, '1.5ms'],
    [0.001, '1µs'],
    [1500, '1.5s'],
    [60_000, '1m0s'],
    [3_723_500, '1h2m3.5s'],
    [-90_000, '-1m30s'],
  ])('%d ms is %s', (ms, text) => {
    expect(formatGoDuration(ms)).toBe(text)
  })
})

function catchFlagError(fn: () => unknown): FlagError {
  try {
    fn()
  } catch (error) {
    if (error instanceof FlagError) return error
    throw error
  }
  throw new Error('expected a FlagError')
}
