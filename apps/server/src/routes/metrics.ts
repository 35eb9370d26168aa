/**
 * `GET /metrics` (outside `/api/v1`; the API token applies, see `plugins/auth.ts`): Prometheus
 * text format 0.0.4, written by hand.
 *
 * - `SeaweedFS_filerSync_sync_offset{sourceFiler,targetFiler,clientName,path}`: what
 *   `weed filer.sync` exports (spec §9.1), same name, labels and value, so existing dashboards and
 *   alerts keep working: the saved checkpoint in ns; as at HEAD, while nothing is pending the
 *   source head (idle heartbeat) instead, so `now − offset` is the real lag. `sourceFiler` and
 *   `targetFiler` are HTTP addresses, `clientName` is `syncFrom_<X>_To_<Y>` with the stored
 *   addresses, `path` the source path.
 * - `seasync_edge_*{edge,direction}`: lag, watermark, checkpoint, head, backlog, failures,
 *   in-flight transfers, event and byte counters, and the state as a state set.
 * - `seasync_cluster_up{cluster,address}`: 1 when the filer address answered the cluster health
 *   monitor's last probe, else 0; absent before the first probe of the cluster.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import type { DirectionMetrics } from '../runtime/replication-service.js'
import type { ClusterStatus } from '../schemas/clusters.js'
import { LAG_STATES } from '../runtime/lag-state.js'
import { ErrorResponses } from '../schemas/common.js'

type Status = DirectionMetrics['status']

interface Family {
  readonly name: string
  readonly type: 'gauge' | 'counter'
  readonly help: string
  /** Samples of one direction: extra labels and value; empty to leave the direction out. */
  readonly samples: (metrics: DirectionMetrics) => [Record<string, string>, string | number][]
}

const one = (value: string | number | undefined): [Record<string, string>, string | number][] =>
  value === undefined ? [] : [[{}, value]]

const positiveNs = (ns: string): string | undefined => (BigInt(ns) > 0n ? ns : undefined)

/** The sync_offset value (see the module comment). */
function syncOffset(status: Status): string | undefined {
  const saved = BigInt(status.savedNs)
  const head = BigInt(status.sourceHeadNs)
  const idle =
    status.state !== 'paused' && status.replicatorState === 'streaming' && status.backlog === 0
  const value = idle && status.failures === 0 && head > saved ? head : saved
  return value > 0n ? value.toString() : undefined
}

const FAMILIES: readonly Family[] = [
  {
    name: 'seasync_edge_lag_seconds',
    type: 'gauge',
    help: 'Source head minus the applied watermark, seconds; 0 when nothing is pending.',
    samples: ({ status }) => one(status.lagSeconds),
  },
  {
    name: 'seasync_edge_applied_offset',
    type: 'gauge',
    help: 'Applied watermark (every event up to it is on the target), ns since the epoch.',
    samples: ({ status }) => one(positiveNs(status.appliedNs)),
  },
  {
    name: 'seasync_edge_checkpoint_offset',
    type: 'gauge',
    help: 'Checkpoint last saved in the target filer, ns since the epoch.',
    samples: ({ status }) => one(positiveNs(status.savedNs)),
  },
  {
    name: 'seasync_edge_source_head_offset',
    type: 'gauge',
    help: 'Newest source timestamp seen (events, idle heartbeats), ns since the epoch.',
    samples: ({ status }) => one(positiveNs(status.sourceHeadNs)),
  },
  {
    name: 'seasync_edge_backlog',
    type: 'gauge',
    help: 'Events received (or, paused, waiting in the source log) and not applied.',
    samples: ({ status }) => one(status.backlog),
  },
  {
    name: 'seasync_edge_failures',
    type: 'gauge',
    help: 'Failed events waiting for a retry (they hold the watermark back).',
    samples: ({ status }) => one(status.failures),
  },
  {
    name: 'seasync_edge_in_flight_transfers',
    type: 'gauge',
    help: 'Chunk copies in progress.',
    samples: ({ status }) => one(status.inFlight.length),
  },
  {
    name: 'seasync_edge_events_applied_total',
    type: 'counter',
    help: 'Events applied (or deliberately skipped) since the server started.',
    samples: ({ status }) => one(status.eventsApplied),
  },
  {
    name: 'seasync_edge_bytes_copied_total',
    type: 'counter',
    help: 'Chunk bytes copied to the target since the server started.',
    samples: ({ status }) => one(status.bytesCopied),
  },
  {
    name: 'seasync_edge_state',
    type: 'gauge',
    help: 'The direction state: 1 for the current one, 0 for the others.',
    samples: ({ status }) => LAG_STATES.map((state) => [{ state }, status.state === state ? 1 : 0]),
  },
]

/** The exposition text for `directions` and `clusters`. */
export function renderMetrics(
  directions: readonly DirectionMetrics[],
  clusters: readonly ClusterStatus[] = [],
): string {
  let text =
    '# HELP SeaweedFS_filerSync_sync_offset Last checkpoint saved to the target filer (or, idle, ' +
    'the source head), ns since the epoch (weed filer.sync compatible).\n' +
    '# TYPE SeaweedFS_filerSync_sync_offset gauge\n'
  for (const { labels, status } of directions) {
    const value = syncOffset(status)
    if (value === undefined) continue
    text += `SeaweedFS_filerSync_sync_offset${formatLabels({
      sourceFiler: labels.sourceFiler,
      targetFiler: labels.targetFiler,
      clientName: labels.clientName,
      path: labels.path,
    })} ${value}\n`
  }
  for (const family of FAMILIES) {
    text += `# HELP ${family.name} ${family.help}\n# TYPE ${family.name} ${family.type}\n`
    for (const direction of directions) {
      const base = { edge: direction.edgeId, direction: direction.status.direction }
      for (const [extra, value] of family.samples(direction)) {
        text += `${family.name}${formatLabels({ ...base, ...extra })} ${value}\n`
      }
    }
  }
  text +=
    '# HELP seasync_cluster_up 1 when the filer address answered the last health probe, else 0.\n' +
    '# TYPE seasync_cluster_up gauge\n'
  for (const cluster of clusters) {
    for (const address of cluster.addresses) {
      const labels = formatLabels({ cluster: cluster.clusterId, address: address.address })
      text += `seasync_cluster_up${labels} ${address.reachable ? 1 : 0}\n`
    }
  }
  return text
}

function formatLabels(labels: Record<string, string>): string {
  const parts = Object.entries(labels).map(([name, value]) => `${name}="${escapeLabel(value)}"`)
  return `{${parts.join(',')}}`
}

/** Label values escape backslash, double quote and line feed (text format 0.0.4). */
function escapeLabel(value: string): string {
  return value.replaceAll('\\', '\\\\').replaceAll('"', '\\"').replaceAll('\n', '\\n')
}

const metricsRoute: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/metrics',
    {
      schema: {
        summary:
          'Prometheus metrics: per-direction lag, offsets, counters, state; cluster reachability',
        tags: ['runtime'],
        response: {
          200: {
            description: 'Prometheus text format 0.0.4',
            content: { 'text/plain': { schema: Type.String() } },
          },
          ...ErrorResponses,
        },
      },
    },
    async (_request, reply) =>
      reply
        .type('text/plain; version=0.0.4; charset=utf-8')
        .send(renderMetrics(app.replication.directionMetrics(), app.clusterHealth.statusAll())),
  )
}

export default metricsRoute
