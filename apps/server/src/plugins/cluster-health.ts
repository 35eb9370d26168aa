/**
 * The `cluster-health` plugin (STYLE.md §8): `app.clusterHealth` ({@link ClusterHealthMonitor}),
 * the periodic probe of every stored cluster's filer addresses.
 *
 * - `onReady`: the first round starts (not awaited: a dead filer must not delay the server), then
 *   one every `intervalMs`, and at once for the clusters a topology change adds or changes;
 * - `onClose`: the rounds stop. Registered after `demo` so it closes before the demo's filers.
 */
import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import { ClusterHealthMonitor, type ClusterHealthOptions } from '../runtime/cluster-health.js'

declare module 'fastify' {
  interface FastifyInstance {
    /** Live health of every stored cluster. */
    readonly clusterHealth: ClusterHealthMonitor
  }
}

/** Options of the plugin: the monitor's settings (short intervals in tests). */
export type ClusterHealthPluginOptions = ClusterHealthOptions

async function clusterHealthPlugin(
  app: FastifyInstance,
  options: ClusterHealthPluginOptions,
): Promise<void> {
  const monitor = new ClusterHealthMonitor(
    {
      clusters: app.topology.clusters,
      events: app.topologyEvents,
      log: app.log.child({ component: 'cluster-health' }),
    },
    options,
  )
  app.decorate('clusterHealth', monitor)
  app.addHook('onReady', async () => {
    monitor.start()
  })
  app.addHook('onClose', async () => {
    await monitor.close()
  })
}

export default fp(clusterHealthPlugin, {
  name: 'cluster-health',
  fastify: '5.x',
  dependencies: ['topology-events', 'topology-service'],
})
