/**
 * The `-metricsPort` endpoint of `seasync filer.sync`: `GET /metrics` in the Prometheus text
 * exposition format (version 0.0.4), written by hand; it is a few lines and needs no client library.
 *
 * `SeaweedFS_filerSync_sync_offset` is the metric `weed filer.sync` exports (spec §9.1), with the
 * same name, labels and value, so existing dashboards and alerts keep working. The `seasync_sync_*`
 * series are SeaSync extras with the same labels, so they join with it.
 */
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { ReplicatorStatus } from '@seasync/sync-core'

/** The identity of one direction in the metrics (spec §9.1). */
export interface SyncMetricLabels {
  /** HTTP address of the source filer (`host:port`, `.grpcPort` stripped). */
  readonly sourceFiler: string
  /** HTTP address of the target filer. */
  readonly targetFiler: string
  /** `syncFrom_<X>_To_<Y>` with the addresses as given on the command line. */
  readonly clientName: string
  /** The source path as given (`-a.path` for A→B). */
  readonly path: string
}

/** One direction to report: its labels and a way to read its status now. */
export interface SyncMetricSource {
  readonly labels: SyncMetricLabels
  status(): ReplicatorStatus
}

interface Family {
  readonly name: string
  readonly type: 'gauge' | 'counter'
  readonly help: string
  /** The sample of one direction, or undefined to leave that series out. */
  readonly value: (status: ReplicatorStatus) => bigint | number | undefined
}

const NS_PER_SECOND = 1_000_000_000n

const FAMILIES: readonly Family[] = [
  {
    name: 'SeaweedFS_filerSync_sync_offset',
    type: 'gauge',
    help: 'Last checkpoint saved to the target filer, ns since the epoch (weed filer.sync compatible).',
    // As in Go, the series appears with the first known checkpoint; 0 would read as 55 years of lag.
    value: (s) => (s.savedNs > 0n ? s.savedNs : undefined),
  },
  {
    name: 'seasync_sync_lag_seconds',
    type: 'gauge',
    help: 'Newest source timestamp seen minus the applied watermark, seconds; 0 when every event seen is applied.',
    // Idle heartbeats move the source head while the watermark stays at the last event, so the
    // plain difference would grow while idle: with nothing pending there is no lag.
    value: (s) =>
      s.backlog === 0 || s.sourceHeadNs <= s.appliedNs
        ? 0
        : Number(s.sourceHeadNs - s.appliedNs) / Number(NS_PER_SECOND),
  },
  {
    name: 'seasync_sync_applied_offset',
    type: 'gauge',
    help: 'Applied watermark (every event up to it is on the target), ns since the epoch.',
    value: (s) => (s.appliedNs > 0n ? s.appliedNs : undefined),
  },
  {
    name: 'seasync_sync_backlog',
    type: 'gauge',
    help: 'Events received from the source and not applied yet.',
    value: (s) => s.backlog,
  },
  {
    name: 'seasync_sync_failures',
    type: 'gauge',
    help: 'Events that failed and wait for their next retry (they hold the checkpoint back).',
    value: (s) => s.failures,
  },
  {
    name: 'seasync_sync_events_applied_total',
    type: 'counter',
    help: 'Events applied (or deliberately skipped) since the process started.',
    value: (s) => s.eventsApplied,
  },
  {
    name: 'seasync_sync_bytes_copied_total',
    type: 'counter',
    help: 'Chunk bytes copied to the target since the process started.',
    value: (s) => s.bytesCopied,
  },
  {
    name: 'seasync_sync_streaming',
    type: 'gauge',
    help: '1 while the direction has its metadata subscription open, else 0.',
    value: (s) => (s.state === 'streaming' ? 1 : 0),
  },
]

/** The exposition text for `sources`: HELP and TYPE for every family, one sample per direction. */
export function renderSyncMetrics(sources: readonly SyncMetricSource[]): string {
  const statuses = sources.map((source) => ({ labels: source.labels, status: source.status() }))
  let text = ''
  for (const family of FAMILIES) {
    text += `# HELP ${family.name} ${family.help}\n# TYPE ${family.name} ${family.type}\n`
    for (const { labels, status } of statuses) {
      const value = family.value(status)
      if (value !== undefined) text += `${family.name}{${formatLabels(labels)}} ${value}\n`
    }
  }
  return text
}

function formatLabels(labels: SyncMetricLabels): string {
  return (['sourceFiler', 'targetFiler', 'clientName', 'path'] as const)
    .map((name) => `${name}="${escapeLabelValue(labels[name])}"`)
    .join(',')
}

/** Label values escape backslash, double quote and line feed (text format 0.0.4). */
function escapeLabelValue(value: string): string {
  return value.replaceAll('\\', '\\\\').replaceAll('"', '\\"').replaceAll('\n', '\\n')
}

/** A listening metrics endpoint. */
export interface MetricsServer {
  /** `host:port` it listens on. */
  readonly address: string
  /** Stops listening and drops open connections. */
  close(): Promise<void>
}

/**
 * Serves `GET /metrics` (and `HEAD`) with `render()` on `ip:port`; other paths get 404.
 * Rejects when the port cannot be bound.
 */
export async function startMetricsServer(
  ip: string,
  port: number,
  render: () => string,
): Promise<MetricsServer> {
  const server: Server = createServer((request, response) => {
    const path = (request.url ?? '/').split('?')[0]
    if (path !== '/metrics') {
      response.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('not found\n')
      return
    }
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.writeHead(405, { allow: 'GET, HEAD' }).end()
      return
    }
    const body = render()
    response.writeHead(200, {
      'content-type': 'text/plain; version=0.0.4; charset=utf-8',
      'content-length': Buffer.byteLength(body),
    })
    response.end(request.method === 'HEAD' ? undefined : body)
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(port, ip, () => {
      server.off('error', reject)
      resolve()
    })
  })
  const bound = server.address() as AddressInfo
  return {
    address: `${bound.family === 'IPv6' ? `[${bound.address}]` : bound.address}:${bound.port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve())
        server.closeAllConnections()
      }),
  }
}
