/**
 * Command-line flags with the syntax of Go's `flag` package, so that `seasync filer` and (later)
 * `seasync filer.sync` accept exactly what `weed filer` and `weed filer.sync` accept.
 *
 * Syntax, as `flag.FlagSet.Parse` in Go's `src/flag/flag.go`:
 *
 *   -flag          booleans only; a boolean never consumes the next argument
 *   -flag=value    any type (booleans: 1 0 t f T F true false TRUE FALSE True False)
 *   -flag value    non-booleans only; the next argument is taken even if it starts with `-`
 *
 * One or two leading dashes mean the same. Names may contain dots (`-port.grpc`, `-a.path`).
 * Parsing stops at the first non-flag argument (`-` alone is one) or just after `--`; what is
 * left is returned as `args`. A flag given twice keeps the last value. `-h` and `-help`, unless
 * defined, throw a {@link FlagError} with code `CLI_ERR_HELP` (Go's `ErrHelp`).
 *
 * Values: `int` is a safe integer in Go's literal syntax (`8888`, `0x1f`, `0o17`, `017`, `1_000`);
 * `float` a decimal number; `duration` Go's `time.ParseDuration` syntax (`1h2m`, `300ms`, `1.5s`)
 * returned in milliseconds.
 */

/** The kinds of flag values and what each parses to. */
export interface FlagValueTypes {
  string: string
  int: number
  float: number
  bool: boolean
  /** Milliseconds. */
  duration: number
}

export type FlagType = keyof FlagValueTypes

/** One flag: its type, its default and its help text (a `backquoted` word names the value). */
export type FlagSpec = {
  [T in FlagType]: {
    readonly type: T
    readonly default: FlagValueTypes[T]
    readonly usage: string
  }
}[FlagType]

/** Flag definitions keyed by name without the dash (`'port.grpc'`). */
export type FlagSpecs = Readonly<Record<string, FlagSpec>>

/** Parsed values, typed from the definitions. */
export type FlagValues<S extends FlagSpecs> = {
  readonly [K in keyof S]: FlagValueTypes[S[K]['type']]
}

export interface ParsedFlags<S extends FlagSpecs> {
  /** Every defined flag: the value given on the command line, else its default. Frozen. */
  readonly values: FlagValues<S>
  /** Arguments after the flags. */
  readonly args: readonly string[]
  /** Names of the flags given on the command line (Go's `Visit`). */
  readonly set: ReadonlySet<keyof S & string>
}

/** Stable codes of {@link FlagError}; append-only. */
export const FlagErrorCodes = Object.freeze({
  /** `-h` or `-help` was given and is not defined: show the usage, exit 0. */
  HELP: 'CLI_ERR_HELP',
  /** `---x`, `-=x`: not a flag at all. */
  SYNTAX: 'CLI_ERR_FLAG_SYNTAX',
  UNDEFINED: 'CLI_ERR_FLAG_UNDEFINED',
  MISSING_VALUE: 'CLI_ERR_FLAG_MISSING_VALUE',
  INVALID_VALUE: 'CLI_ERR_FLAG_INVALID_VALUE',
  /** A positional argument given to a command that takes none. */
  UNEXPECTED_ARGUMENT: 'CLI_ERR_UNEXPECTED_ARGUMENT',
} as const)

export type FlagErrorCode = (typeof FlagErrorCodes)[keyof typeof FlagErrorCodes]

/** A command-line mistake; `message` reads like Go's (`flag provided but not defined: -x`). */
export class FlagError extends Error {
  override readonly name = 'FlagError'

  constructor(
    readonly code: FlagErrorCode,
    message: string,
    /** The flag concerned, without dash, when there is one. */
    readonly flag?: string,
  ) {
    super(message)
  }
}

/** Identity that keeps the literal types of `specs` (so `values.port` is a `number`). */
export function defineFlags<const S extends FlagSpecs>(specs: S): S {
  return specs
}

/**
 * {@link parseFlags} for a command that takes flags only: a positional argument left over is a
 * usage mistake (`unexpected argument: x`), as every `seasync` subcommand treats it.
 */
export function parseCommandFlags<S extends FlagSpecs>(
  specs: S,
  argv: readonly string[],
): ParsedFlags<S> {
  const parsed = parseFlags(specs, argv)
  const extra = parsed.args[0]
  if (extra !== undefined) {
    throw new FlagError(FlagErrorCodes.UNEXPECTED_ARGUMENT, `unexpected argument: ${extra}`)
  }
  return parsed
}

/** Parses `argv` (without the command name) against `specs`; throws {@link FlagError}. */
export function parseFlags<S extends FlagSpecs>(specs: S, argv: readonly string[]): ParsedFlags<S> {
  const values = new Map<string, FlagValueTypes[FlagType]>()
  const set = new Set<keyof S & string>()
  let i = 0
  while (i < argv.length) {
    const arg = argv[i]!
    if (arg.length < 2 || !arg.startsWith('-')) break
    i++
    let body = arg.slice(1)
    if (body.startsWith('-')) {
      body = body.slice(1)
      if (body === '') break // "--" ends the flags and is dropped
    }
    if (body.startsWith('-') || body.startsWith('=')) {
      throw new FlagError(FlagErrorCodes.SYNTAX, `bad flag syntax: ${arg}`)
    }
    const eq = body.indexOf('=')
    const name = eq === -1 ? body : body.slice(0, eq)
    const inline = eq === -1 ? undefined : body.slice(eq + 1)
    const spec = Object.hasOwn(specs, name) ? specs[name] : undefined
    if (spec === undefined) {
      if (name === 'h' || name === 'help') {
        throw new FlagError(FlagErrorCodes.HELP, 'flag: help requested', name)
      }
      throw new FlagError(FlagErrorCodes.UNDEFINED, `flag provided but not defined: -${name}`, name)
    }
    let text: string
    if (inline !== undefined) {
      text = inline
    } else if (spec.type === 'bool') {
      text = 'true'
    } else {
      const next = argv[i]
      if (next === undefined) {
        throw new FlagError(FlagErrorCodes.MISSING_VALUE, `flag needs an argument: -${name}`, name)
      }
      text = next
      i++
    }
    values.set(name, parseValue(spec.type, name, text))
    set.add(name)
  }

  const all = Object.fromEntries(
    Object.entries(specs).map(([name, spec]) => [name, values.get(name) ?? spec.default]),
  )
  return Object.freeze({
    values: Object.freeze(all) as FlagValues<S>,
    args: Object.freeze(argv.slice(i)),
    set,
  })
}

function parseValue(type: FlagType, name: string, text: string): FlagValueTypes[FlagType] {
  const parsed = PARSERS[type](text)
  if (typeof parsed === 'object') {
    // Go words a bad boolean differently from every other bad value.
    const message =
      type === 'bool'
        ? `invalid boolean value ${goQuote(text)} for -${name}: ${parsed.error}`
        : `invalid value ${goQuote(text)} for flag -${name}: ${parsed.error}`
    throw new FlagError(FlagErrorCodes.INVALID_VALUE, message, name)
  }
  return parsed
}

interface ParseFailure {
  /** Go's strconv wording: `parse error` or `value out of range`. */
  error: 'parse error' | 'value out of range'
}

const PARSE_ERROR: ParseFailure = { error: 'parse error' }
const OUT_OF_RANGE: ParseFailure = { error: 'value out of range' }

const PARSERS: { [T in FlagType]: (text: string) => FlagValueTypes[T] | ParseFailure } = {
  string: (text) => text,
  bool: parseGoBool,
  int: parseGoInt,
  float: parseGoFloat,
  duration: parseGoDuration,
}

/** `strconv.ParseBool`. */
function parseGoBool(text: string): boolean | ParseFailure {
  if (['1', 't', 'T', 'true', 'TRUE', 'True'].includes(text)) return true
  if (['0', 'f', 'F', 'false', 'FALSE', 'False'].includes(text)) return false
  return PARSE_ERROR
}

// `strconv.ParseInt(s, 0, 64)`: Go integer literal syntax, `_` only between digits.
const INT_LITERAL =
  /^[+-]?(?:0[xX](?:_?[0-9a-fA-F])+|0[bB](?:_?[01])+|0[oO](?:_?[0-7])+|0(?:_?[0-7])*|[1-9](?:_?[0-9])*)$/

/** `strconv.ParseInt(s, 0, 64)`, limited to safe integers (larger is "value out of range"). */
function parseGoInt(text: string): number | ParseFailure {
  if (!INT_LITERAL.test(text)) return PARSE_ERROR
  const negative = text.startsWith('-')
  let digits = text.replace(/^[+-]/, '').replaceAll('_', '')
  // BigInt reads 0x/0o/0b itself; a bare leading 0 means octal in Go.
  if (/^0[0-7]+$/.test(digits)) digits = `0o${digits.slice(1)}`
  const big = BigInt(digits)
  const value = Number(negative ? -big : big)
  return Number.isSafeInteger(value) ? value : OUT_OF_RANGE
}

const FLOAT_LITERAL = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/
const FLOAT_SPECIAL = /^[+-]?(?:inf|infinity|nan)$/i

/** `strconv.ParseFloat(s, 64)` for decimal literals, `Inf` and `NaN` (no hex floats). */
function parseGoFloat(text: string): number | ParseFailure {
  if (FLOAT_SPECIAL.test(text)) {
    if (/nan/i.test(text)) return Number.NaN
    return text.startsWith('-') ? -Infinity : Infinity
  }
  if (!FLOAT_LITERAL.test(text)) return PARSE_ERROR
  const value = Number(text)
  return Number.isFinite(value) ? value : OUT_OF_RANGE
}

const DURATION_UNITS_MS: Readonly<Record<string, number>> = {
  ns: 1e-6,
  us: 1e-3,
  µs: 1e-3, // U+00B5 micro sign
  μs: 1e-3, // U+03BC Greek mu
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
}

const DURATION_PART = /^(\d*)(?:\.(\d*))?([^\d.]+)/

/** `time.ParseDuration`, in milliseconds: `[-+]?(N[.N]unit)+` or `0`. */
function parseGoDuration(text: string): number | ParseFailure {
  let rest = text
  let sign = 1
  if (rest.startsWith('-') || rest.startsWith('+')) {
    if (rest.startsWith('-')) sign = -1
    rest = rest.slice(1)
  }
  if (rest === '0') return 0
  if (rest === '') return PARSE_ERROR
  let total = 0
  while (rest !== '') {
    const match = DURATION_PART.exec(rest)
    if (match === null) return PARSE_ERROR
    const [whole, int = '', frac = '', unit = ''] = match
    if (int === '' && frac === '') return PARSE_ERROR
    // The unit runs up to the next digit or dot, so "1sx" is the unknown unit "sx", as in Go.
    const unitMs = Object.hasOwn(DURATION_UNITS_MS, unit) ? DURATION_UNITS_MS[unit] : undefined
    if (unitMs === undefined) return PARSE_ERROR
    total += Number(`${int || '0'}.${frac || '0'}`) * unitMs
    rest = rest.slice(whole.length)
  }
  // time.Duration is an int64 of nanoseconds: about 292 years.
  return total * 1e6 > 2 ** 63 ? OUT_OF_RANGE : sign * total
}

/** Go's `Duration.String()` for a value in milliseconds (`1h0m0s`, `1.5s`, `300ms`, `0s`). */
export function formatGoDuration(ms: number): string {
  const sign = ms < 0 ? '-' : ''
  const abs = Math.abs(ms)
  if (abs === 0) return '0s'
  if (abs < 1e-3) return `${sign}${trimFloat(abs * 1e6)}ns`
  if (abs < 1) return `${sign}${trimFloat(abs * 1e3)}µs`
  if (abs < 1000) return `${sign}${trimFloat(abs)}ms`
  const hours = Math.floor(abs / 3_600_000)
  const minutes = Math.floor((abs % 3_600_000) / 60_000)
  const seconds = `${trimFloat((abs % 60_000) / 1000)}s`
  if (hours > 0) return `${sign}${hours}h${minutes}m${seconds}`
  if (minutes > 0) return `${sign}${minutes}m${seconds}`
  return `${sign}${seconds}`
}

function trimFloat(value: number): string {
  return String(Number(value.toFixed(9)))
}

/** Go's `%q` for the strings we print (JSON escapes are the same for printable text). */
function goQuote(text: string): string {
  return JSON.stringify(text)
}

/**
 * Go's `FlagSet.PrintDefaults`: flags sorted by name, two-space indent, the value name (from a
 * `backquoted` word in the usage, else the type) after the flag, usage on the next line after
 * four spaces and a tab, and the default when it is not the zero value.
 */
export function formatFlagDefaults(specs: FlagSpecs): string {
  return Object.keys(specs)
    .sort()
    .map((name) => {
      const spec = specs[name]!
      const { valueName, usage } = unquoteUsage(spec)
      let line = `  -${name}`
      if (valueName !== '') line += ` ${valueName}`
      // One-letter booleans keep their usage on the same line, as in Go.
      line += line.length <= 4 ? '\t' : '\n    \t'
      line += usage.replaceAll('\n', '\n    \t')
      if (!isZeroValue(spec)) line += ` (default ${formatDefault(spec)})`
      return `${line}\n`
    })
    .join('')
}

function unquoteUsage(spec: FlagSpec): { valueName: string; usage: string } {
  const match = /`([^`]*)`/.exec(spec.usage)
  if (match !== null) {
    return { valueName: match[1]!, usage: spec.usage.replace(/`([^`]*)`/, '$1') }
  }
  return { valueName: spec.type === 'bool' ? '' : spec.type, usage: spec.usage }
}

function isZeroValue(spec: FlagSpec): boolean {
  return spec.default === '' || spec.default === 0 || spec.default === false
}

function formatDefault(spec: FlagSpec): string {
  switch (spec.type) {
    case 'string':
      return goQuote(spec.default)
    case 'duration':
      return formatGoDuration(spec.default)
    case 'int':
    case 'float':
    case 'bool':
      return String(spec.default)
  }
}
