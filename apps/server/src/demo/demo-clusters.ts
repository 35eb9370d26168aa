/**
 * The `demo` plugin: the embedded default. On a fresh data directory (`config.demo`, the database
 * has never held a topology) it runs three embedded filers in this process, data under
 * `<dataDir>/demo/{a,b,c}`, and stores the demo topology through `app.topology` (probes and loop
 * refusal apply, actor `demo`):
 *
 * - clusters `demo-a`, `demo-b`, `demo-c` (`embedded: true`), on free ports;
 * - `demo-a-demo-b`: A ↔ B active-active on `/`;
 * - `demo-b-demo-c`: B → C one-way, `/buckets/photos` to `/mirror/photos`;
 *
 * plus the {@link DemoWriter}, which keeps changing files on A and B.
 *
 * Lifecycle, and why it is ordered so (register this plugin BEFORE `replication`):
 *
 * - registration: restart the filers of the stored embedded clusters on the ports of their stored
 *   addresses and with the same directories (so the same signatures), or, on a fresh database,
 *   start three new ones. Every filer runs before any `onReady` hook, so the replication runtime
 *   never starts an edge towards a filer that is not up yet;
 * - `onReady` (before `replication`'s, which runs in registration order): on a fresh database
 *   create the clusters and edges (the runtime then starts them with the stored ones), fix the
 *   address of a filer that could not get its old port back, start the writer;
 * - `app.topologyEvents`: a removed embedded cluster (`DELETE /api/v1/clusters?embedded=true`, or
 *   one by one) has its filer closed once the runtime has stopped the edges removed with it;
 * - `preClose`: the writer stops; `onClose` (after `replication`'s: Fastify runs them in reverse
 *   registration order, so every direction has drained and saved its checkpoint) closes the filers.
 *
 * A database that ever stored a change is not fresh: removing the demo keeps it removed over
 * restarts. With `config.demo` off nothing starts, not even the filers of stored embedded clusters
 * (their edges then report the filers as unreachable; remove them with the call above).
 */
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { setImmediate as nextTurn } from 'node:timers/promises'
import { startEmbeddedFiler, type EmbeddedFiler } from '@seasync/embedded-filer'
import { parseFilerAddress } from '@seasync/sync-core'
import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import type { TopologyChange } from '../plugins/topology-events.js'
import type { ClusterRecord } from '../repositories/clusters-repository.js'
import type { EdgeCreateBody } from '../schemas/edges.js'
import { DemoWriter, DemoWriterDefaults } from './demo-writer.js'

/** Settings of the demo (short intervals in tests). */
export interface DemoPluginOptions {
  /** Time between two writer changes, milliseconds; 0 runs no writer. Default 2000. */
  readonly writerIntervalMs?: number
}

export const DemoDefaults = Object.freeze({
  writerIntervalMs: DemoWriterDefaults.intervalMs,
  /** Chunk size of the demo filers, MiB: small, so that the writer's big files have chunks. */
  maxMB: 1,
  /** How long a removed cluster's filer waits for the runtime to stop its edges, ms. */
  edgeStopWaitMs: 10_000,
})

/** Who the demo's changes are audited as. */
export const DEMO_ACTOR = 'demo'

/** The demo clusters: id, and directory under `<dataDir>/demo`. */
export const DEMO_CLUSTERS = Object.freeze([
  { id: 'demo-a', dir: 'a' },
  { id: 'demo-b', dir: 'b' },
  { id: 'demo-c', dir: 'c' },
] as const)

/** The demo edges. */
export const DEMO_EDGES: readonly EdgeCreateBody[] = Object.freeze([
  {
    id: 'demo-a-demo-b',
    a: { cluster: 'demo-a', path: '/' },
    b: { cluster: 'demo-b', path: '/' },
    mode: 'active-active',
  },
  {
    id: 'demo-b-demo-c',
    a: { cluster: 'demo-b', path: '/buckets/photos' },
    b: { cluster: 'demo-c', path: '/mirror/photos' },
    mode: 'one-way',
  },
])

/** A running demo filer as others may see it (no `close`: the plugin owns its lifecycle). */
export type DemoFiler = Omit<EmbeddedFiler, 'close'>

/** `app.demo`: what the demo runs. */
export interface DemoState {
  /** The running embedded filers, by cluster id. */
  filers(): ReadonlyMap<string, DemoFiler>
}

declare module 'fastify' {
  interface FastifyInstance {
    readonly demo: DemoState
  }
}

/** `<dataDir>/demo/<dir>`: `demo-a` keeps its data in `demo/a`, any other id in `demo/<id>`. */
export function demoDirectory(dataDir: string, clusterId: string): string {
  const known = DEMO_CLUSTERS.find((cluster) => cluster.id === clusterId)
  return join(dataDir, 'demo', known?.dir ?? clusterId)
}

async function demoPlugin(app: FastifyInstance, options: DemoPluginOptions): Promise<void> {
  const log = app.log.child({ component: 'demo' })
  const writerIntervalMs = options.writerIntervalMs ?? DemoDefaults.writerIntervalMs
  const filers = new Map<string, EmbeddedFiler>()
  /** Clusters whose filer got new ports: their stored addresses are updated on ready. */
  const moved = new Map<string, string>()
  const stopping = new Set<Promise<void>>()
  let writer: DemoWriter | undefined
  let fresh = false

  app.decorate('demo', { filers: () => new Map(filers) })

  const start = async (
    clusterId: string,
    ports: { host: string; port: number; grpcPort: number },
  ): Promise<EmbeddedFiler> => {
    const dir = demoDirectory(app.config.dataDir, clusterId)
    const filer = await startEmbeddedFiler({
      ...ports,
      dir,
      maxMB: DemoDefaults.maxMB,
      logger: (line) => log.debug({ cluster: clusterId }, line),
    })
    filers.set(clusterId, filer)
    log.info(
      { cluster: clusterId, address: filer.address, signature: filer.signature, dir },
      'demo filer started',
    )
    return filer
  }

  /** Closes the filers in parallel; a failure is logged, the others still close. */
  const close = async (ids: readonly string[]): Promise<void> => {
    await Promise.all(
      ids.map(async (id) => {
        const filer = filers.get(id)
        if (filer === undefined) return
        filers.delete(id)
        try {
          await filer.close()
          log.info({ cluster: id }, 'demo filer stopped')
        } catch (error) {
          log.error({ err: error, cluster: id }, 'demo filer did not close cleanly')
        }
      }),
    )
  }

  const onChange = (change: TopologyChange): void => {
    const removed = change.clustersRemoved.filter((id) => filers.has(id))
    if (removed.length === 0) return
    if (writer !== undefined && removed.some((id) => id === 'demo-a' || id === 'demo-b')) {
      const stopped = writer
      writer = undefined
      track(stopped.stop())
    }
    track(
      (async () => {
        await waitForEdgesStopped(app, change.edgesRemoved)
        await close(removed)
      })(),
    )
  }
  const track = (promise: Promise<void>): void => {
    const tracked = promise
      .catch((error: unknown) => log.error({ err: error }, 'stopping demo filers failed'))
      .finally(() => stopping.delete(tracked))
    stopping.add(tracked)
  }

  app.addHook('preClose', async () => {
    await writer?.stop()
    writer = undefined
  })
  app.addHook('onClose', async () => {
    app.topologyEvents.off('changed', onChange)
    await Promise.all(stopping)
    await close([...filers.keys()])
  })

  /** The stored cluster's filer on its old ports, or on new ones when they are taken. */
  const restart = async (cluster: ClusterRecord): Promise<void> => {
    const dir = demoDirectory(app.config.dataDir, cluster.id)
    if (!existsSync(dir)) {
      log.warn(
        { cluster: cluster.id, dir },
        'embedded cluster without demo data: not started (it was not created by the demo)',
      )
      return
    }
    const address = parseFilerAddress(cluster.addresses[0] ?? '')
    const ports = { host: address.host, port: address.httpPort, grpcPort: address.grpcPort }
    let filer: EmbeddedFiler
    try {
      filer = await start(cluster.id, ports)
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw error
      log.warn({ cluster: cluster.id, address: address.raw }, 'demo filer port taken: new ports')
      filer = await start(cluster.id, { host: address.host, port: 0, grpcPort: 0 })
      moved.set(cluster.id, filer.address)
    }
    if (cluster.signature !== null && cluster.signature !== filer.signature) {
      log.warn(
        { cluster: cluster.id, stored: cluster.signature, signature: filer.signature, dir },
        'demo filer signature differs from the stored one (was its directory replaced?)',
      )
    }
  }

  const stored = app.topology.clusters.list()
  const embedded = stored.filter((cluster) => cluster.embedded)
  if (!app.config.demo) {
    if (embedded.length > 0) {
      log.warn(
        { clusters: embedded.map((c) => c.id) },
        'demo off: the filers of the embedded clusters are not started, so their edges cannot ' +
          'run; remove them with DELETE /api/v1/clusters?embedded=true',
      )
    }
    return
  }

  app.topologyEvents.on('changed', onChange)
  // The server runs without (part of) its demo rather than not at all.
  if (embedded.length > 0) {
    for (const cluster of embedded) {
      await restart(cluster).catch((error: unknown) => {
        log.error({ err: error, cluster: cluster.id }, 'demo filer failed to start')
      })
    }
  } else if (stored.length === 0 && app.topology.audit.list(1).length === 0) {
    try {
      for (const { id } of DEMO_CLUSTERS) {
        await start(id, { host: '127.0.0.1', port: 0, grpcPort: 0 })
      }
      fresh = true
    } catch (error) {
      log.error({ err: error }, 'demo filers failed to start: no demo')
      await close([...filers.keys()])
    }
  }

  app.addHook('onReady', async () => {
    try {
      if (fresh) await createTopology(app, filers)
      for (const [id, address] of moved) {
        await app.topology.updateCluster(id, { addresses: [address] }, DEMO_ACTOR)
      }
    } catch (error) {
      log.error({ err: error }, 'storing the demo topology failed')
    }
    const a = filers.get('demo-a')
    const b = filers.get('demo-b')
    if (writerIntervalMs > 0 && a !== undefined && b !== undefined) {
      writer = new DemoWriter({
        a: { clusterId: 'demo-a', address: a.address, httpAddress: a.httpAddress },
        b: { clusterId: 'demo-b', address: b.address, httpAddress: b.httpAddress },
        intervalMs: writerIntervalMs,
        log,
      })
      writer.start()
    }
  })
}

/** Stores the demo clusters and edges, as a client of the API would. */
async function createTopology(
  app: FastifyInstance,
  filers: ReadonlyMap<string, EmbeddedFiler>,
): Promise<void> {
  for (const { id } of DEMO_CLUSTERS) {
    const filer = filers.get(id)
    if (filer === undefined) throw new Error(`demo filer ${id} is not running`)
    await app.topology.createCluster(
      { id, name: id, addresses: [filer.address], embedded: true },
      DEMO_ACTOR,
    )
  }
  for (const edge of DEMO_EDGES) await app.topology.createEdge(edge, DEMO_ACTOR)
  app.log.info(
    {
      component: 'demo',
      clusters: DEMO_CLUSTERS.map((c) => c.id),
      edges: DEMO_EDGES.map((e) => e.id),
    },
    'demo topology stored',
  )
}

/**
 * Resolves once the runtime has stopped the removed edges (or after
 * {@link DemoDefaults.edgeStopWaitMs}), so that no replicator loses its filer mid-stop.
 *
 * The runtime runs the operations on one edge one after another, and queued the removal when the
 * change was announced: a pause queued after it runs (and fails, the edge being gone) only once the
 * removal has finished.
 */
async function waitForEdgesStopped(app: FastifyInstance, edgeIds: readonly string[]) {
  // Every listener of this change (the runtime's among them) has been called by the next turn.
  await nextTurn()
  if (edgeIds.length === 0 || !app.hasDecorator('replication')) return
  const settled = Promise.all(
    edgeIds.map((id) => app.replication.pause(id, DEMO_ACTOR).catch(() => undefined)),
  )
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, DemoDefaults.edgeStopWaitMs)
  })
  try {
    await Promise.race([settled, timeout])
  } finally {
    clearTimeout(timer)
  }
}

/** Starts and stops the demo; register it after `topology-service` and before `replication`. */
export default fp(demoPlugin, {
  name: 'demo',
  fastify: '5.x',
  dependencies: ['db', 'topology-events', 'topology-service'],
})
