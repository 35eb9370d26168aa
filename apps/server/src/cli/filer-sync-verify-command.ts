/**
 * `seasync filer.sync.verify`: a drop-in for `weed filer.sync.verify` (spec §10). Same flags, same
 * text lines and Summary block, same NDJSON records, same exit codes: 0 when A and B agree, 2 on
 * differences or errors. SeaSync adds `-compareContent` (read both files' bytes when the metadata
 * agrees) and reports listing / read failures as `LIST_ERROR` / `READ_ERROR` records instead of
 * aborting the whole run.
 */
import type { VerifyOptions, VerifyRecord, VerifySummary } from '@seasync/sync-core'
import type { CliIo, Command } from './command.js'
import {
  FlagError,
  FlagErrorCodes,
  defineFlags,
  formatFlagDefaults,
  formatGoDuration,
  parseCommandFlags,
  type FlagValues,
} from './go-flags.js'
import { loadSidesSecurity, type SecurityIo } from './security-toml.js'

/** The flags of `weed filer.sync.verify` (Go's usage texts), plus SeaSync's `-compareContent`. */
export const filerSyncVerifyFlags = defineFlags({
  a: { type: 'string', default: '', usage: 'filer A in one SeaweedFS cluster' },
  b: { type: 'string', default: '', usage: 'filer B in the other SeaweedFS cluster' },
  'a.path': { type: 'string', default: '/', usage: 'directory to verify on filer A' },
  'b.path': { type: 'string', default: '/', usage: 'directory to verify on filer B' },
  'a.security': {
    type: 'string',
    default: '',
    usage: 'security.toml file for filer A when clusters use different certificates',
  },
  'b.security': {
    type: 'string',
    default: '',
    usage: 'security.toml file for filer B when clusters use different certificates',
  },
  isActivePassive: {
    type: 'bool',
    default: false,
    usage: 'one directional comparison from A to B; entries only in B are not reported',
  },
  modifiedTimeAgo: {
    type: 'duration',
    default: 0,
    usage: 'only verify files modified before this duration ago (e.g. 1h) for sync-lag tolerance',
  },
  jsonOutput: {
    type: 'bool',
    default: false,
    usage: 'emit NDJSON output (one JSON object per line) for external tooling',
  },
  compareContent: {
    type: 'bool',
    default: false,
    usage:
      'also read files whose metadata agrees through both filers and report CONTENT_MISMATCH when the bytes differ',
  },
  v: {
    type: 'int',
    default: 0,
    usage: 'verbosity; 1 also lists CHUNK_REORDER files in text output (JSON always has them)',
  },
})

type VerifyFlagValues = FlagValues<typeof filerSyncVerifyFlags>

/** The library call the command makes (sync-core's `verifySync`). */
export type VerifyRunner = (options: VerifyOptions) => Promise<VerifySummary>

/** What the command needs from outside: the walk and the clock. */
export interface FilerSyncVerifyDeps {
  verify: VerifyRunner
  /** ms since the epoch; the cutoff is computed from it once. */
  now?: () => number
  /** Where security files are read (`-a.security`, or the security.toml search path). */
  security?: SecurityIo
}

/** Library options from the flags (frozen); throws {@link FlagError} for a missing filer. */
export function verifyOptionsFromFlags(values: VerifyFlagValues, nowMs: number): VerifyOptions {
  for (const name of ['a', 'b'] as const) {
    if (values[name] === '') {
      throw new FlagError(FlagErrorCodes.MISSING_VALUE, `flag -${name} is required`, name)
    }
  }
  return Object.freeze({
    a: values.a,
    b: values.b,
    aPath: values['a.path'],
    bPath: values['b.path'],
    isActivePassive: values.isActivePassive,
    // Go: a cutoff only when modifiedTimeAgo > 0.
    modifiedTimeAgoMs: Math.max(0, values.modifiedTimeAgo),
    compareContent: values.compareContent,
    nowMs,
  })
}

/** `seasync filer.sync.verify` with an injectable walk, so tests can run it without filers. */
export function createFilerSyncVerifyCommand(deps: FilerSyncVerifyDeps): Command {
  const now = deps.now ?? Date.now
  return {
    name: 'filer.sync.verify',
    summary: 'compare entries between two filers and report differences',
    usage: () =>
      'Usage: seasync filer.sync.verify -a=<oneFilerHost>:<oneFilerPort> -b=<otherFilerHost>:<otherFilerPort>\n\n' +
      'Compares entries between two filers, reports differences, then exits: MISSING (in A but\n' +
      'not in B), ONLY_IN_B (in B but not in A; suppressed with -isActivePassive), SIZE_MISMATCH\n' +
      'and ETAG_MISMATCH, plus CONTENT_MISMATCH with -compareContent. -modifiedTimeAgo skips\n' +
      'recently modified files (sync-lag tolerance). Files whose chunk-derived ETags differ only\n' +
      'because of chunk order are CHUNK_REORDER: counted, not errors. A directory that cannot be\n' +
      'listed is a LIST_ERROR and nothing below it is compared.\n\n' +
      'Exits with 0 on agreement, 2 on differences or errors.\n\n' +
      `Flags:\n${formatFlagDefaults(filerSyncVerifyFlags)}`,
    async run(args: readonly string[], io: CliIo): Promise<number> {
      const parsed = parseCommandFlags(filerSyncVerifyFlags, args)
      const { values } = parsed
      const nowMs = now()
      const security = await loadSidesSecurity(
        { a: values['a.security'], b: values['b.security'] },
        deps.security,
      )
      const options: VerifyOptions = {
        ...verifyOptionsFromFlags(values, nowMs),
        ...(security.a?.tls === undefined ? {} : { aTls: security.a.tls }),
        ...(security.b?.tls === undefined ? {} : { bTls: security.b.tls }),
      }
      const json = values.jsonOutput
      if (!json) {
        if (options.modifiedTimeAgoMs) {
          io.stdout(
            `Verifying files modified before ${formatRfc3339(nowMs - options.modifiedTimeAgoMs)}` +
              ` (modifiedTimeAgo=${formatGoDuration(options.modifiedTimeAgoMs)})\n`,
          )
        }
        io.stdout(
          `Comparing ${values.a}${values['a.path']} => ${values.b}${values['b.path']}` +
            ` (isActivePassive=${values.isActivePassive})\n\n`,
        )
      }
      const onRecord = (record: VerifyRecord): void => {
        if (json) io.stdout(`${JSON.stringify(record)}\n`)
        else {
          const line = formatVerifyRecord(record, values.v)
          if (line !== undefined) io.stdout(`${line}\n`)
        }
      }
      let summary: VerifySummary
      try {
        // Stopped while the security files were read: the walk never starts.
        io.shutdown.throwIfAborted()
        summary = await deps.verify({ ...options, onRecord, signal: io.shutdown })
      } catch (error) {
        if (io.shutdown.aborted) {
          // A partial walk prints no summary: it would look complete (field notes §3 item 63).
          io.stderr(
            `filer.sync.verify: stopped (${String(io.shutdown.reason)}); the walk is incomplete\n`,
          )
          return 2
        }
        if (isOptionsError(error)) {
          throw new FlagError(FlagErrorCodes.INVALID_VALUE, error.message)
        }
        throw error
      }
      if (json) {
        io.stdout(`${JSON.stringify(summaryRecord(summary, options))}\n`)
      } else {
        io.stdout(formatVerifySummary(summary, options))
      }
      if (summary.totalErrors > 0) {
        io.stderr(`filer.sync.verify: found ${summary.totalErrors} differences\n`)
        return 2
      }
      return 0
    },
  }
}

/**
 * One text line per record, as Go's `writeTextDiff` (spec §10); `undefined` for a
 * `CHUNK_REORDER` below verbosity 1, which Go lists only at `-v=1`.
 */
export function formatVerifyRecord(record: VerifyRecord, verbosity = 0): string | undefined {
  switch (record.type) {
    case 'MISSING':
      return record.isDirectory
        ? `[MISSING]       ${record.path}/ (directory)`
        : `[MISSING]       ${record.path} (size=${record.a?.size ?? 0}, etag=${record.a?.etag ?? ''})`
    case 'ONLY_IN_B':
      return `[ONLY_IN_B]     ${record.path}`
    case 'SIZE_MISMATCH':
      return `[SIZE_MISMATCH] ${record.path} (a=${record.a?.size ?? 0}, b=${record.b?.size ?? 0}${annotation(record)})`
    case 'ETAG_MISMATCH':
      return `[ETAG_MISMATCH] ${record.path} (a=${record.a?.etag ?? ''}, b=${record.b?.etag ?? ''}${annotation(record)})`
    case 'CHUNK_REORDER':
      if (verbosity < 1) return undefined
      return (
        `[CHUNK_REORDER] ${record.path} (a=${record.a?.etag ?? ''}, b=${record.b?.etag ?? ''},` +
        ' content-equal: chunks differ only in slice order)'
      )
    case 'CONTENT_MISMATCH':
      return `[CONTENT_MISMATCH] ${record.path} (a=${record.a?.contentMd5 ?? ''}, b=${record.b?.contentMd5 ?? ''}${annotation(record)})`
    case 'LIST_ERROR':
      return `[LIST_ERROR]    ${record.path} (filer ${record.side.toUpperCase()}: ${record.message})`
    case 'READ_ERROR':
      return `[READ_ERROR]    ${record.path} (filer ${record.side.toUpperCase()}: ${record.message})`
  }
}

/** Go `annotation`: the mtime relation of a pair and what it suggests. */
function annotation(record: { mtimeRelation?: string; mtimeDelta?: string }): string {
  switch (record.mtimeRelation) {
    case 'EQUAL':
      return ', mtime equal [chunk-level issue]'
    case 'B_NEWER':
      return `, B newer +${record.mtimeDelta ?? ''} [late-updates skip likely]`
    case 'A_NEWER':
      return `, A newer +${record.mtimeDelta ?? ''} [sync lag or event miss]`
    default:
      return ''
  }
}

/**
 * The text Summary block as Go prints it (spec §10), with SeaSync's lines (content mismatch and
 * read errors with -compareContent, listing errors when any) just before the total.
 */
export function formatVerifySummary(
  summary: VerifySummary,
  options: Pick<VerifyOptions, 'isActivePassive' | 'compareContent'>,
): string {
  const lines = [
    '',
    'Summary:',
    `  Directories compared: ${summary.directories}`,
    `  Files verified:       ${summary.files}`,
  ]
  if (summary.skippedRecent > 0) lines.push(`  Skipped (too recent): ${summary.skippedRecent}`)
  lines.push(
    `  Missing in B:         ${summary.missing}`,
    `  Size mismatch:        ${summary.sizeMismatch}`,
    `  ETag mismatch:        ${summary.etagMismatch}`,
  )
  if (summary.chunkReorder > 0) {
    lines.push(
      `  Chunk reorder (equal): ${summary.chunkReorder}  (content-equal, not an error; use -v=1 to list)`,
    )
  }
  if (!options.isActivePassive) lines.push(`  Only in B:            ${summary.onlyInB}`)
  if (options.compareContent) {
    lines.push(`  Content mismatch:     ${summary.contentMismatch}`)
    lines.push(`  Read errors:          ${summary.readErrors}`)
  }
  if (summary.listErrors > 0) {
    lines.push(`  Listing errors:       ${summary.listErrors}  (walk incomplete)`)
  }
  lines.push(`  Total errors:         ${summary.totalErrors}`)
  return `${lines.join('\n')}\n`
}

/**
 * The NDJSON `SUMMARY` record: Go's `summaryRecord` fields in Go's order, then SeaSync's
 * (`contentMismatch`, `readErrors` with -compareContent; `listErrors` when there were any), so a
 * clean metadata-only run prints exactly what `weed` prints.
 */
export function summaryRecord(
  summary: VerifySummary,
  options: Pick<VerifyOptions, 'compareContent'>,
): Record<string, string | number> {
  const record: Record<string, string | number> = {
    type: 'SUMMARY',
    directories: summary.directories,
    files: summary.files,
    skippedRecent: summary.skippedRecent,
    missing: summary.missing,
    sizeMismatch: summary.sizeMismatch,
    etagMismatch: summary.etagMismatch,
    chunkReorder: summary.chunkReorder,
    onlyInB: summary.onlyInB,
    totalErrors: summary.totalErrors,
  }
  if (options.compareContent) {
    record.contentMismatch = summary.contentMismatch
    record.readErrors = summary.readErrors
  }
  if (summary.listErrors > 0) record.listErrors = summary.listErrors
  return record
}

/** Go's `time.RFC3339` of a local time: `2006-01-02T15:04:05-07:00`, `Z` at UTC. */
export function formatRfc3339(ms: number): string {
  const date = new Date(ms)
  const pad = (n: number): string => String(n).padStart(2, '0')
  const offsetMin = -date.getTimezoneOffset()
  const zone =
    offsetMin === 0
      ? 'Z'
      : `${offsetMin > 0 ? '+' : '-'}${pad(Math.floor(Math.abs(offsetMin) / 60))}:${pad(Math.abs(offsetMin) % 60)}`
  return (
    `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}` +
    `T${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}${zone}`
  )
}

function isOptionsError(error: unknown): error is Error {
  return error instanceof Error && (error as { code?: unknown }).code === 'SYNC_ERR_OPTIONS'
}

/**
 * The real command. sync-core loads on first use, so `seasync help` and other commands do not
 * pay for gRPC.
 */
export const filerSyncVerifyCommand: Command = createFilerSyncVerifyCommand({
  verify: async (options) => {
    const { verifySync } = await import('@seasync/sync-core')
    return verifySync(options)
  },
})
