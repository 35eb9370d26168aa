/**
 * SeaweedFS `security.toml`, as far as `weed filer.sync` reads it (spec §1, field notes §3 items
 * 35 and 56): `[grpc] ca` with `[grpc.client] cert`/`key` for mutual TLS on gRPC, and
 * `[https.client]` (`enabled`, `cert`, `key`, `ca`, `insecure_skip_verify`) for HTTPS to the
 * cluster's volume servers and filers.
 *
 * The reader is a strict subset of TOML, enough for every security.toml `weed scaffold` writes:
 * comments, `[dotted.table]` headers, and `key = value` with a basic or literal string, a
 * boolean or an integer. Anything else (arrays, inline tables, multi-line strings, dotted or
 * quoted keys, dates, floats) is refused with its line number rather than guessed at, and so is a
 * key or table given twice. Keys outside the ones above are read and ignored, as Go does.
 */
import { readFile } from 'node:fs/promises'
import { homedir } from 'node:os'
import { dirname, isAbsolute, join, resolve } from 'node:path'
import type { ClusterTls } from '@seasync/sync-core'
import { FlagError, FlagErrorCodes } from './go-flags.js'

/** A value of the subset. */
export type TomlValue = string | boolean | number

/** A problem with a security file: its text names the file and, when parsing, the line. */
export class SecurityConfigError extends Error {
  override readonly name = 'SecurityConfigError'
}

/** Parses the subset into `table.key` → value (`[grpc.client]` + `cert` → `grpc.client.cert`). */
export function parseSecurityToml(text: string, file: string): Map<string, TomlValue> {
  const values = new Map<string, TomlValue>()
  const tables = new Set<string>()
  let table = ''
  const lines = text.split(/\r?\n/)
  for (const [index, raw] of lines.entries()) {
    const fail = (why: string): never => {
      throw new SecurityConfigError(`${file}:${index + 1}: ${why}`)
    }
    const line = raw.trim()
    if (line === '' || line.startsWith('#')) continue
    if (line.startsWith('[')) {
      const header = /^\[\s*([A-Za-z0-9_-]+(?:\s*\.\s*[A-Za-z0-9_-]+)*)\s*\]\s*(?:#.*)?$/.exec(line)
      if (!header) fail(`unsupported table header ${JSON.stringify(line)} (only [name.name])`)
      table = header![1]!.replace(/\s+/g, '')
      if (tables.has(table)) fail(`table [${table}] defined twice`)
      tables.add(table)
      continue
    }
    const assignment = /^([A-Za-z0-9_-]+)\s*=\s*(.*)$/.exec(line)
    if (!assignment) {
      fail(`unsupported line ${JSON.stringify(line)} (only bare keys: key = value)`)
    }
    const key = table === '' ? assignment![1]! : `${table}.${assignment![1]!}`
    if (values.has(key)) fail(`key ${key} defined twice`)
    values.set(key, parseValue(assignment![2]!, fail))
  }
  return values
}

function parseValue(text: string, fail: (why: string) => never): TomlValue {
  let rest: string
  let value: TomlValue
  if (text.startsWith('"""') || text.startsWith("'''")) fail('multi-line strings are not supported')
  if (text.startsWith('"')) {
    let out = ''
    let i = 1
    for (; i < text.length && text[i] !== '"'; i++) {
      const c = text[i]!
      if (c !== '\\') {
        out += c
        continue
      }
      const e = text[++i]
      const simple: Record<string, string> = {
        '"': '"',
        '\\': '\\',
        n: '\n',
        t: '\t',
        r: '\r',
        b: '\b',
        f: '\f',
      }
      if (e !== undefined && e in simple) out += simple[e]
      else if (e === 'u' && /^[0-9A-Fa-f]{4}$/.test(text.slice(i + 1, i + 5))) {
        out += String.fromCharCode(parseInt(text.slice(i + 1, i + 5), 16))
        i += 4
      } else fail(`unsupported escape \\${e ?? ''} in a string`)
    }
    if (i >= text.length) fail('unterminated string')
    value = out
    rest = text.slice(i + 1)
  } else if (text.startsWith("'")) {
    const end = text.indexOf("'", 1)
    if (end < 0) fail('unterminated string')
    value = text.slice(1, end)
    rest = text.slice(end + 1)
  } else {
    const token = /^[^\s#]+/.exec(text)?.[0] ?? ''
    rest = text.slice(token.length)
    if (token === 'true' || token === 'false') value = token === 'true'
    else if (/^[+-]?(?:0|[1-9](?:_?\d)*)$/.test(token)) value = Number(token.replace(/_/g, ''))
    else {
      return fail(
        `unsupported value ${JSON.stringify(text)} (only "strings", 'strings', true/false, integers)`,
      )
    }
  }
  if (!/^\s*(?:#.*)?$/.test(rest)) fail(`unexpected text after the value: ${JSON.stringify(rest)}`)
  return value
}

/** Where `weed` looks for security.toml when no file is named, in order (the scaffold's list). */
export function securityTomlSearchPath(cwd: string, home: string): string[] {
  return [
    join(cwd, 'security.toml'),
    join(home, '.seaweedfs', 'security.toml'),
    '/etc/seaweedfs/security.toml',
  ]
}

/** What reading a security configuration needs from the outside. */
export interface SecurityIo {
  readonly readFile: (path: string) => Promise<string>
  readonly cwd: string
  readonly home: string
}

export const defaultSecurityIo: SecurityIo = {
  readFile: (path) => readFile(path, 'utf8'),
  cwd: process.cwd(),
  home: homedir(),
}

/** A side's TLS and where it came from (for the start log line). */
export interface LoadedSecurity {
  readonly file: string
  readonly tls: ClusterTls | undefined
}

/**
 * The TLS of one side. With `explicitFile` (`-a.security`): that file, where relative PEM paths
 * are taken from the file's directory (HEAD 4.18) and any failure is fatal (4.19: never silently
 * insecure). Without: the first security.toml of the search path, paths as written (relative to
 * the working directory, as Go's global configuration), or plaintext when there is none.
 * gRPC TLS needs all of `[grpc] ca`, `[grpc.client] cert` and `key` (Go falls back to plaintext
 * otherwise); HTTPS needs `[https.client] enabled = true`.
 */
export async function loadSecurity(
  explicitFile: string,
  io: SecurityIo = defaultSecurityIo,
): Promise<LoadedSecurity | undefined> {
  if (explicitFile !== '') {
    const file = resolve(io.cwd, explicitFile)
    let text: string
    try {
      text = await io.readFile(file)
    } catch (error) {
      throw new SecurityConfigError(`cannot read ${file}: ${(error as Error).message}`)
    }
    return { file, tls: await tlsFromValues(parseSecurityToml(text, file), dirname(file), io) }
  }
  for (const file of securityTomlSearchPath(io.cwd, io.home)) {
    let text: string
    try {
      text = await io.readFile(file)
    } catch {
      continue
    }
    return { file, tls: await tlsFromValues(parseSecurityToml(text, file), io.cwd, io) }
  }
  return undefined
}

async function tlsFromValues(
  values: Map<string, TomlValue>,
  baseDir: string,
  io: SecurityIo,
): Promise<ClusterTls | undefined> {
  const text = (key: string): string => {
    const value = values.get(key)
    if (value === undefined) return ''
    if (typeof value !== 'string') {
      throw new SecurityConfigError(`${key} must be a string (a PEM file path)`)
    }
    return value
  }
  const pem = async (key: string): Promise<string | undefined> => {
    const path = text(key)
    if (path === '') return undefined
    const full = isAbsolute(path) ? path : join(baseDir, path)
    try {
      return await io.readFile(full)
    } catch (error) {
      throw new SecurityConfigError(
        `${key} = ${path}: cannot read ${full}: ${(error as Error).message}`,
      )
    }
  }
  const tls: ClusterTls = {}
  const [ca, cert, key] = await Promise.all([
    pem('grpc.ca'),
    pem('grpc.client.cert'),
    pem('grpc.client.key'),
  ])
  if (ca !== undefined && cert !== undefined && key !== undefined) tls.grpc = { ca, cert, key }
  const enabled = values.get('https.client.enabled')
  if (enabled !== undefined && typeof enabled !== 'boolean') {
    throw new SecurityConfigError('https.client.enabled must be true or false')
  }
  if (enabled === true) {
    const skip = values.get('https.client.insecure_skip_verify') ?? false
    if (typeof skip !== 'boolean') {
      throw new SecurityConfigError('https.client.insecure_skip_verify must be true or false')
    }
    const [httpsCa, httpsCert, httpsKey] = await Promise.all([
      pem('https.client.ca'),
      pem('https.client.cert'),
      pem('https.client.key'),
    ])
    tls.https = {
      ...(httpsCa === undefined ? {} : { ca: httpsCa }),
      ...(httpsCert === undefined ? {} : { cert: httpsCert }),
      ...(httpsKey === undefined ? {} : { key: httpsKey }),
      insecureSkipVerify: skip,
    }
  }
  return tls.grpc === undefined && tls.https === undefined ? undefined : tls
}

/**
 * Both sides' security, as `weed filer.sync` loads it: each side's `-x.security` file, or else
 * the one security.toml of the search path for both. A file that cannot be read or parsed is a
 * {@link FlagError} naming the flag (exit 2), never a silent fallback to plaintext.
 */
export async function loadSidesSecurity(
  files: { readonly a: string; readonly b: string },
  io: SecurityIo = defaultSecurityIo,
): Promise<Record<'a' | 'b', LoadedSecurity | undefined>> {
  const load = async (side: 'a' | 'b'): Promise<LoadedSecurity | undefined> => {
    try {
      return await loadSecurity(files[side], io)
    } catch (error) {
      if (!(error instanceof SecurityConfigError)) throw error
      const flag = `${side}.security`
      throw new FlagError(
        FlagErrorCodes.INVALID_VALUE,
        files[side] === '' ? `security.toml: ${error.message}` : `-${flag}: ${error.message}`,
        files[side] === '' ? undefined : flag,
      )
    }
  }
  return { a: await load('a'), b: await load('b') }
}

/** `filer A: TLS from /etc/a.toml: gRPC mutual TLS, HTTPS` (never any key material). */
export function describeSecurity(side: 'a' | 'b', loaded: LoadedSecurity | undefined): string {
  const name = `filer ${side.toUpperCase()}`
  if (loaded?.tls === undefined) {
    return loaded === undefined
      ? `${name}: no security.toml: plaintext gRPC and HTTP`
      : `${name}: ${loaded.file} configures no TLS: plaintext gRPC and HTTP`
  }
  const parts = [
    loaded.tls.grpc ? 'gRPC mutual TLS' : 'plaintext gRPC',
    loaded.tls.https
      ? `HTTPS${loaded.tls.https.insecureSkipVerify ? ' (insecure_skip_verify)' : ''}`
      : 'plain HTTP',
  ]
  return `${name}: TLS from ${loaded.file}: ${parts.join(', ')}`
}
