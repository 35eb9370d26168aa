import type { ReplicatorStatus } from '@seasync/sync-core'
import { afterEach, describe, expect, it } from 'vitest'
import {
  renderSyncMetrics,
  startMetricsServer,
  type SyncMetricLabels,
} from '../../src/cli/filer-sync-metrics.js'

const labels: SyncMetricLabels = {
  sourceFiler: 'h1:8888',
  targetFiler: 'h2:8888',
  clientName: 'syncFrom_h1:8888_To_h2:8888.18889',
  path: '/odd "dir"\\\n',
}
const LABELS =
  'sourceFiler="h1:8888",targetFiler="h2:8888",clientName="syncFrom_h1:8888_To_h2:8888.18889",' +
  'path="/odd \\"dir\\"\\\\\\n"'

function status(overrides: Partial<ReplicatorStatus> = {}): ReplicatorStatus {
  return {
    state: 'streaming',
    appliedNs: 0n,
    savedNs: 0n,
    savedAtMs: undefined,
    sourceHeadNs: 0n,
    sourceClockOffsetMs: undefined,
    oldestPendingNs: 0n,
    backlog: 0,
    eventsApplied: 0,
    bytesCopied: 0,
    failures: 0,
    inFlight: [],
    largeFiles: [],
    lastError: undefined,
    ...overrides,
  }
}

const cleanups: (() => Promise<void>)[] = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup()
})

describe('renderSyncMetrics', () => {
  it('writes the offset gauge exactly, with escaped labels, and the extras', () => {
    const text = renderSyncMetrics([
      {
        labels,
        status: () =>
          status({
            savedNs: 1_795_557_102_598_214_869n,
            appliedNs: 1_795_557_102_598_214_869n,
            sourceHeadNs: 1_795_557_104_098_214_869n,
            backlog: 3,
            failures: 1,
            eventsApplied: 7,
            bytesCopied: 1024,
          }),
      },
    ])
    expect(text).toContain(
      '# HELP SeaweedFS_filerSync_sync_offset Last checkpoint saved to the target filer, ns since the epoch (weed filer.sync compatible).\n' +
        '# TYPE SeaweedFS_filerSync_sync_offset gauge\n' +
        `SeaweedFS_filerSync_sync_offset{${LABELS}} 1795557102598214869\n`,
    )
    expect(text).toContain(`seasync_sync_lag_seconds{${LABELS}} 1.5\n`)
    expect(text).toContain(`seasync_sync_backlog{${LABELS}} 3\n`)
    expect(text).toContain(`seasync_sync_failures{${LABELS}} 1\n`)
    expect(text).toContain('# TYPE seasync_sync_events_applied_total counter\n')
    expect(text).toContain(`seasync_sync_events_applied_total{${LABELS}} 7\n`)
    expect(text).toContain(`seasync_sync_bytes_copied_total{${LABELS}} 1024\n`)
    expect(text).toContain(`seasync_sync_streaming{${LABELS}} 1\n`)
    // Every sample line belongs to a family announced by HELP and TYPE.
    for (const line of text
      .trimEnd()
      .split('\n')
      .filter((l) => !l.startsWith('#'))) {
      const name = line.slice(0, line.indexOf('{'))
      expect(text).toContain(`# TYPE ${name} `)
    }
  })

  it('leaves the offset out before the first checkpoint, and has no lag with nothing pending', () => {
    const idle = renderSyncMetrics([{ labels, status: () => status({ state: 'backing-off' }) }])
    expect(idle).toContain('# TYPE SeaweedFS_filerSync_sync_offset gauge\n')
    expect(idle).not.toContain('SeaweedFS_filerSync_sync_offset{')
    expect(idle).toContain(`seasync_sync_streaming{${LABELS}} 0\n`)
    const caughtUp = renderSyncMetrics([
      {
        labels,
        status: () => status({ appliedNs: 1n, savedNs: 1n, sourceHeadNs: 5_000_000_001n }),
      },
    ])
    expect(caughtUp).toContain(`seasync_sync_lag_seconds{${LABELS}} 0\n`)
  })
})

describe('startMetricsServer', () => {
  it('serves /metrics as text 0.0.4, 404 elsewhere, and closes', async () => {
    const server = await startMetricsServer('127.0.0.1', 0, () => 'm 1\n')
    cleanups.push(() => server.close())
    expect(server.address).toMatch(/^127\.0\.0\.1:\d+$/)
    const response = await fetch(`http://${server.address}/metrics`)
    expect(response.status).toBe(200)
    expect(response.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8')
    expect(await response.text()).toBe('m 1\n')
    const other = await fetch(`http://${server.address}/`)
    expect(other.status).toBe(404)
    await other.body?.cancel()
    const post = await fetch(`http://${server.address}/metrics`, { method: 'POST' })
    expect(post.status).toBe(405)
    await server.close()
    await expect(fetch(`http://${server.address}/metrics`)).rejects.toThrow()
  })

  it('rejects when the port is taken', async () => {
    const first = await startMetricsServer('127.0.0.1', 0, () => '')
    cleanups.push(() => first.close())
    const port = Number(first.address.split(':')[1])
    await expect(startMetricsServer('127.0.0.1', port, () => '')).rejects.toThrow(/EADDRINUSE/)
  })
})
