/**
 * `seasync filer.sync`: a drop-in for `weed filer.sync`. Same flags, same checkpoints (a Go
 * filer.sync and this one take over from each other), same Prometheus offset gauge and the same
 * key log lines; one {@link Replicator} per direction (A→B always, B→A unless
 * `-isActivePassive`), sharing one client id (spec §5.1).
 *
 * Every log line goes to stderr, as glog's do, prefixed with an ISO timestamp and a level.
 * SIGINT/SIGTERM stop both directions, each saving its checkpoint (spec §4.5), then exit 0. A
 * direction that fails for good (equal signatures, spec §12.17) stops both and exits 1.
 */
import { randomInt } from 'node:crypto'
import type * as SyncCore from '@seasync/sync-core'
import type {
  ClusterTls,
  FilerAddress,
  Replicator,
  ReplicatorNotification,
  ReplicatorOptions,
  TargetPlacement,
} from '@seasync/sync-core'
import type { CliIo, Command } from './command.js'
import { describeSecurity, loadSidesSecurity } from './security-toml.js'
import {
  renderSyncMetrics,
  startMetricsServer,
  type MetricsServer,
  type SyncMetricLabels,
} from './filer-sync-metrics.js'
import {
  FlagError,
  FlagErrorCodes,
  defineFlags,
  formatFlagDefaults,
  parseCommandFlags,
  type FlagValues,
} from './go-flags.js'

/** The flags of `weed filer.sync`, plus `-chunkConcurrency` defaults as at HEAD (spec §8.2). */
export const filerSyncFlags = defineFlags({
  a: { type: 'string', default: '', usage: '`host:port[.grpcPort]` of filer A (required)' },
  b: { type: 'string', default: '', usage: '`host:port[.grpcPort]` of filer B (required)' },
  'a.path': { type: 'string', default: '/', usage: 'directory to sync on filer A' },
  'b.path': { type: 'string', default: '/', usage: 'directory to sync on filer B' },
  'a.excludePaths': {
    type: 'string',
    default: '',
    usage: 'comma-separated directories on filer A not to sync (spaces are kept)',
  },
  'b.excludePaths': {
    type: 'string',
    default: '',
    usage: 'comma-separated directories on filer B not to sync (spaces are kept)',
  },
  'a.replication': {
    type: 'string',
    default: '',
    usage: 'replication of chunks written to filer A, e.g. 001 (empty: the filer decides)',
  },
  'b.replication': {
    type: 'string',
    default: '',
    usage: 'replication of chunks written to filer B, e.g. 001 (empty: the filer decides)',
  },
  'a.collection': { type: 'string', default: '', usage: 'collection of chunks written to filer A' },
  'b.collection': { type: 'string', default: '', usage: 'collection of chunks written to filer B' },
  'a.ttlSec': { type: 'int', default: 0, usage: 'ttl in seconds of chunks written to filer A' },
  'b.ttlSec': { type: 'int', default: 0, usage: 'ttl in seconds of chunks written to filer B' },
  'a.disk': { type: 'string', default: '', usage: '[hdd|ssd|<tag>] disk of chunks written to A' },
  'b.disk': { type: 'string', default: '', usage: '[hdd|ssd|<tag>] disk of chunks written to B' },
  'a.debug': {
    type: 'bool',
    default: false,
    usage: 'log every event replicated into filer A (not implemented yet: ignored, with a warning)',
  },
  'b.debug': {
    type: 'bool',
    default: false,
    usage: 'log every event replicated into filer B (not implemented yet: ignored, with a warning)',
  },
  'a.filerProxy': {
    type: 'bool',
    default: false,
    usage: 'read and write file chunks through filer A instead of its volume servers',
  },
  'b.filerProxy': {
    type: 'bool',
    default: false,
    usage: 'read and write file chunks through filer B instead of its volume servers',
  },
  'a.doDeleteFiles': {
    type: 'bool',
    default: true,
    usage: 'apply deletes (and the delete half of renames) to filer A',
  },
  'b.doDeleteFiles': {
    type: 'bool',
    default: true,
    usage: 'apply deletes (and the delete half of renames) to filer B',
  },
  'a.fromTsMs': {
    type: 'int',
    default: 0,
    usage: 'if > 0, start A→B from this time in ms since the epoch (overwrites the checkpoint)',
  },
  'b.fromTsMs': {
    type: 'int',
    default: 0,
    usage: 'if > 0, start B→A from this time in ms since the epoch (overwrites the checkpoint)',
  },
  'a.security': {
    type: 'string',
    default: '',
    usage:
      'security.toml `file` for filer A ([grpc] ca, [grpc.client] cert/key, [https.client]); default: ./security.toml, ~/.seaweedfs/, /etc/seaweedfs/',
  },
  'b.security': {
    type: 'string',
    default: '',
    usage: 'security.toml `file` for filer B, likewise',
  },
  isActivePassive: { type: 'bool', default: false, usage: 'one-directional: only sync A to B' },
  concurrency: {
    type: 'int',
    default: 32,
    usage: 'events applied in parallel per direction, 1..1024 (outside: 32, as weed)',
  },
  chunkConcurrency: {
    type: 'int',
    default: 32,
    usage: 'chunks copied in parallel per direction (<= 0: 32, as weed; at most 1024)',
  },
  metricsPort: { type: 'int', default: 0, usage: 'Prometheus /metrics `port` (0: off)' },
  metricsIp: { type: 'string', default: '127.0.0.1', usage: 'metrics listen `ip`' },
})

export type FilerSyncFlagValues = FlagValues<typeof filerSyncFlags>

/** The parts of `@seasync/sync-core` the flags are checked with (it is loaded on first use). */
export type SyncCoreApi = Pick<typeof SyncCore, 'parseFilerAddress' | 'validateOptions'>

/** One direction X→Y, ready for `new Replicator({ ...options, clientId })`. */
export interface SyncDirection {
  /** `A->B` or `B->A`, as the shutdown log lines name it. */
  readonly name: 'A->B' | 'B->A'
  readonly source: FilerAddress
  readonly target: FilerAddress
  readonly options: Readonly<ReplicatorOptions>
  /** Its series in `/metrics` (spec §9.1). */
  readonly labels: SyncMetricLabels
}

/** What the command line asks for, checked and frozen. */
export interface FilerSyncConfig {
  /** A→B, then B→A unless `-isActivePassive`. */
  readonly directions: readonly SyncDirection[]
  /** The `/metrics` endpoint, when `-metricsPort` is not 0. */
  readonly metrics: { readonly ip: string; readonly port: number } | undefined
  /** Flags accepted but not (fully) honoured, one log line each. */
  readonly warnings: readonly string[]
}

type Side = 'a' | 'b'

const flagOf = <N extends string>(side: Side, name: N): `${Side}.${N}` => `${side}.${name}`

const MAX_PORT = 65_535
const MAX_CONCURRENCY = 1024
const DEFAULT_CONCURRENCY = 32

/**
 * Checks the flags and maps them to one set of replicator options per direction. A→B reads
 * A-side flags for the source (`-a.path`, `-a.excludePaths`, `-a.filerProxy`, `-a.fromTsMs`) and
 * B-side flags for the target (`-b.path`, `-b.doDeleteFiles`, `-b.filerProxy`, `-b.replication`…),
 * as `weed filer.sync` does (spec §6.2, §8.4); B→A is the mirror image. Throws {@link FlagError}.
 */
export function filerSyncConfigFromFlags(
  values: FilerSyncFlagValues,
  core: SyncCoreApi,
  /** Each side's TLS from its security file (`loadSidesSecurity`); absent: plaintext. */
  tls: Partial<Record<Side, ClusterTls | undefined>> = {},
): FilerSyncConfig {
  const warnings: string[] = []
  const addresses = {} as Record<Side, FilerAddress>
  for (const side of ['a', 'b'] as const) {
    if (values[side] === '') {
      throw new FlagError(
        FlagErrorCodes.INVALID_VALUE,
        `-${side} is required: filer ${side.toUpperCase()} as host:port[.grpcPort]`,
        side,
      )
    }
    try {
      addresses[side] = core.parseFilerAddress(values[side])
    } catch (error) {
      throw invalid(side, values[side], error instanceof Error ? error.message : String(error))
    }
    const path = flagOf(side, 'path')
    if (!values[path].startsWith('/')) throw invalid(path, values[path], 'must be absolute')
    const ttl = flagOf(side, 'ttlSec')
    if (values[ttl] < 0) throw invalid(ttl, values[ttl], 'must not be negative')
  }
  const concurrency = clampConcurrency('concurrency', values.concurrency, warnings)
  const chunkConcurrency = clampConcurrency('chunkConcurrency', values.chunkConcurrency, warnings)
  if (values.metricsPort < 0 || values.metricsPort > MAX_PORT) {
    throw invalid('metricsPort', values.metricsPort, `must be 0..${MAX_PORT}`)
  }

  const direction = (from: Side, to: Side): SyncDirection => {
    const source = addresses[from]
    const target = addresses[to]
    const options: ReplicatorOptions = {
      sourceAddress: source.raw,
      targetAddress: target.raw,
      sourcePath: values[flagOf(from, 'path')],
      targetPath: values[flagOf(to, 'path')],
      excludePaths: splitExcludes(values[flagOf(from, 'excludePaths')]),
      doDeleteFiles: values[flagOf(to, 'doDeleteFiles')],
      sourceFilerProxy: values[flagOf(from, 'filerProxy')],
      targetFilerProxy: values[flagOf(to, 'filerProxy')],
      placement: placement(values, to),
      concurrency,
      chunkConcurrency,
      // Go only acts on a value > 0 (spec §4.2); a negative one is ignored there too.
      fromTsMs: Math.max(0, values[flagOf(from, 'fromTsMs')]),
      // `-a.debug` prints what filer A sends, i.e. the A→B direction's received events.
      logReceivedEvents: values[flagOf(from, 'debug')],
      // Each direction uses each side's own TLS, gRPC and HTTP (field notes §3 item 56).
      ...(tls[from] === undefined ? {} : { sourceTls: tls[from] }),
      ...(tls[to] === undefined ? {} : { targetTls: tls[to] }),
    }
    try {
      core.validateOptions(options) // a safety net: the checks above should catch everything
    } catch (error) {
      throw new FlagError(
        FlagErrorCodes.INVALID_VALUE,
        error instanceof Error ? error.message : String(error),
      )
    }
    return Object.freeze({
      name: from === 'a' ? 'A->B' : 'B->A',
      source,
      target,
      options: Object.freeze(options),
      labels: Object.freeze({
        sourceFiler: source.httpAddress,
        targetFiler: target.httpAddress,
        clientName: `syncFrom_${source.raw}_To_${target.raw}`,
        path: options.sourcePath ?? '/',
      }),
    })
  }

  return Object.freeze({
    directions: Object.freeze(
      values.isActivePassive ? [direction('a', 'b')] : [direction('a', 'b'), direction('b', 'a')],
    ),
    metrics:
      values.metricsPort === 0
        ? undefined
        : Object.freeze({ ip: values.metricsIp, port: values.metricsPort }),
    warnings: Object.freeze(warnings),
  })
}

/** `util.StringSplit`: empty → none, else split on `,` without trimming (spec §6.2). */
function splitExcludes(text: string): string[] {
  return text === '' ? [] : text.split(',')
}

/** AssignVolume placement for chunks written INTO `side` (`-b.*` for A→B, spec §8.4). */
function placement(values: FilerSyncFlagValues, side: Side): TargetPlacement {
  const result: TargetPlacement = {}
  const replication = values[flagOf(side, 'replication')]
  const collection = values[flagOf(side, 'collection')]
  const ttlSec = values[flagOf(side, 'ttlSec')]
  const diskType = values[flagOf(side, 'disk')]
  if (replication !== '') result.replication = replication
  if (collection !== '') result.collection = collection
  if (ttlSec !== 0) result.ttlSec = ttlSec
  if (diskType !== '') result.diskType = diskType
  return Object.freeze(result)
}

/**
 * weed replaces an out-of-range `-concurrency` (< 0 or > 1024) and a `-chunkConcurrency` <= 0 by
 * 32 (spec §4.4, §8.2), so a service file that works with weed works here; we say so. `-concurrency
 * 0` deadlocks weed and is refused. A `-chunkConcurrency` above 1024 is capped (the library's limit).
 */
function clampConcurrency(
  flag: 'concurrency' | 'chunkConcurrency',
  value: number,
  warnings: string[],
): number {
  if (flag === 'concurrency' && value === 0) {
    throw invalid(flag, value, 'must be 1..1024 (0 would never apply anything)')
  }
  let used = value
  if (value <= 0 || (flag === 'concurrency' && value > MAX_CONCURRENCY)) {
    used = DEFAULT_CONCURRENCY
  } else if (value > MAX_CONCURRENCY) {
    used = MAX_CONCURRENCY
  }
  if (used !== value) warnings.push(`-${flag} ${value} is out of range: using ${used}`)
  return used
}

function invalid(flag: string, value: string | number, why: string): FlagError {
  return new FlagError(
    FlagErrorCodes.INVALID_VALUE,
    `invalid value ${JSON.stringify(String(value))} for flag -${flag}: ${why}`,
    flag,
  )
}

type Level = 'info' | 'warn' | 'error'
type Log = (level: Level, text: string) => void

/** One running direction and what its log lines need to remember. */
interface DirectionRun {
  readonly direction: SyncDirection
  readonly replicator: Replicator
  /** Responses counted at the previous save, for the progress rate (spec §9.2). */
  progress: { atMs: number; received: number }
  stopping: boolean
  failure: Error | undefined
}

/** `seasync filer.sync`. The replicator library loads on first use, as in `filer`. */
export const filerSyncCommand: Command = {
  name: 'filer.sync',
  summary: 'continuously replicate between two filers (a drop-in for weed filer.sync)',
  usage: () =>
    'Usage: seasync filer.sync -a <filer1_host>:<filer1_port> -b <filer2_host>:<filer2_port> [flags]\n\n' +
    'Replicates changes between two SeaweedFS filers, both ways (active-active) or only A to B\n' +
    '(-isActivePassive), resuming from the checkpoints weed filer.sync keeps in each target\n' +
    'filer. Runs until SIGINT or SIGTERM, then saves the checkpoints and exits 0; exits 1 when a\n' +
    'direction cannot run at all (e.g. both addresses reach the same filer store).\n' +
    'Log lines go to stderr. -metricsPort serves http://<metricsIp>:<port>/metrics.\n\n' +
    `Flags:\n${formatFlagDefaults(filerSyncFlags)}`,
  async run(args: readonly string[], io: CliIo): Promise<number> {
    const parsed = parseCommandFlags(filerSyncFlags, args)
    const core = await import('@seasync/sync-core')
    const security = await loadSidesSecurity({
      a: parsed.values['a.security'],
      b: parsed.values['b.security'],
    })
    const config = filerSyncConfigFromFlags(parsed.values, core, {
      a: security.a?.tls,
      b: security.b?.tls,
    })
    const log: Log = (level, text) => io.stderr(`${new Date().toISOString()} ${level} ${text}\n`)
    for (const warning of config.warnings) log('warn', warning)
    for (const side of ['a', 'b'] as const) {
      if (security[side] !== undefined) log('info', describeSecurity(side, security[side]))
    }

    const clientId = randomClientId()
    let onFailure = (): void => {}
    const failed = new Promise<void>((resolve) => (onFailure = resolve))
    const runs: DirectionRun[] = []
    let metrics: MetricsServer | undefined
    try {
      for (const direction of config.directions) {
        const run: DirectionRun = {
          direction,
          replicator: new core.Replicator({ ...direction.options, clientId }),
          progress: { atMs: Date.now(), received: 0 },
          stopping: false,
          failure: undefined,
        }
        run.replicator.on((notification) => report(run, notification, log, onFailure))
        runs.push(run)
      }
      if (config.metrics !== undefined) {
        metrics = await startMetricsServer(config.metrics.ip, config.metrics.port, () =>
          renderSyncMetrics(
            runs.map((run) => ({
              labels: run.direction.labels,
              status: () => run.replicator.status(),
            })),
          ),
        )
        log('info', `metrics at http://${metrics.address}/metrics`)
      }
      for (const run of runs) run.replicator.start()
      await Promise.race([aborted(io.shutdown), failed])
      if (io.shutdown.aborted) log('info', `${String(io.shutdown.reason)}: saving checkpoints`)
    } finally {
      await Promise.all(runs.map((run) => stopDirection(run, log)))
      await metrics?.close()
    }
    const failures = runs.filter((run) => run.failure !== undefined)
    if (failures.length === 0) return 0
    log('error', `exiting: ${failures.map((run) => run.direction.name).join(' and ')} failed`)
    return 1
  },
}

/** Turns one replicator notification into log lines (and notes a final failure). */
function report(
  run: DirectionRun,
  notification: ReplicatorNotification,
  log: Log,
  onFailure: () => void,
): void {
  const { name, source, target } = run.direction
  switch (notification.type) {
    case 'log': {
      const { message } = notification
      // The shutdown save gets weed's own wording, `A->B`, from stopDirection.
      if (run.stopping && message.includes('checkpoint for ')) return
      // Already printed with the `failed` state.
      if (notification.level === 'error' && message === run.failure?.message) return
      log(notification.level, `${name}: ${message}`)
      return
    }
    case 'checkpoint-saved': {
      if (run.stopping) return
      const status = run.replicator.status()
      const received = status.eventsApplied + status.backlog
      const nowMs = Date.now()
      const seconds = Math.max((nowMs - run.progress.atMs) / 1000, 0.001)
      const rate = (received - run.progress.received) / seconds
      run.progress = { atMs: nowMs, received }
      log(
        'info',
        `sync ${source.httpAddress} to ${target.httpAddress} progressed to ${formatNs(notification.tsNs)} ${rate.toFixed(2)}/sec`,
      )
      return
    }
    case 'state':
      if (notification.state === 'failed') {
        run.failure = notification.error ?? new Error('stopped for good')
        log('error', `${name}: ${run.failure.message}`)
        onFailure()
      }
      return
    case 'checkpoint-failed':
      return // logged by the replicator's own line
    case 'recovered':
      log('info', `${name}: event ${notification.id} applied after retries`)
      return
    case 'failure':
      return // the replicator logs `process <op> <path>: <err>` itself
  }
}

/** Stops one direction (which saves its checkpoint) and prints weed's shutdown line (§4.5). */
async function stopDirection(run: DirectionRun, log: Log): Promise<void> {
  run.stopping = true
  const result = await run.replicator.stop()
  const { name } = run.direction
  if (result.error) {
    log('error', `failed to save checkpoint for ${name} on shutdown: ${result.error.message}`)
  } else if (result.savedNs > 0n) {
    log('info', `saved checkpoint for ${name} on shutdown: ${formatNs(result.savedNs)}`)
  }
}

/** A random non-zero int32, shared by both directions (spec §5.1, §5.6). */
function randomClientId(): number {
  for (;;) {
    const id = randomInt(-(2 ** 31), 2 ** 31 - 1)
    if (id !== 0) return id
  }
}

/** `2024-01-02T15:04:05.123456789Z(1704207845123456789)`: exact, and greppable as the ns. */
export function formatNs(ns: bigint): string {
  if (ns <= 0n) return `the beginning (${ns})`
  const iso = new Date(Number(ns / 1_000_000n)).toISOString()
  const fraction = (ns % 1_000_000_000n).toString().padStart(9, '0')
  return `${iso.slice(0, 19)}.${fraction}Z(${ns})`
}

/** Resolves once `signal` aborts (at once if it already has). */
function aborted(signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve()
  return new Promise((done) => signal.addEventListener('abort', () => done(), { once: true }))
}
