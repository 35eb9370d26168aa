/**
 * The `replication` plugin (STYLE.md §8): the in-process edge runtimes as one long-lived resource,
 * `app.replication` ({@link ReplicationService}).
 *
 * - `onReady`: starts every stored edge (paused ones paused), then follows `app.topologyEvents`,
 *   reconciling only the edges each committed change names;
 * - every second it observes each direction (lag trend), every 5 s it stores a history sample,
 *   every minute it thins and expires old samples (`config.historyRetentionDays`);
 * - `onClose`: stops every direction within `closeTimeoutMs` (default 8 s, inside the server's 10 s
 *   grace), each draining its in-flight events and saving its checkpoint in the target filer, so
 *   the next start replays nothing already applied.
 */
import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import { ReplicationService, type ReplicationOptions } from '../runtime/replication-service.js'

declare module 'fastify' {
  interface FastifyInstance {
    /** The edge runtimes: status, pause/resume, checkpoints, failures, history. */
    readonly replication: ReplicationService
  }
}

/** Options of the plugin: the runtime's settings (short intervals in tests). */
export type ReplicationPluginOptions = ReplicationOptions

async function replicationPlugin(
  app: FastifyInstance,
  options: ReplicationPluginOptions,
): Promise<void> {
  const service = new ReplicationService(
    {
      db: app.db,
      events: app.topologyEvents,
      log: app.log.child({ component: 'replication' }),
      historyRetentionDays: app.config.historyRetentionDays,
    },
    options,
  )
  app.decorate('replication', service)
  app.addHook('onReady', async () => {
    await service.start()
  })
  app.addHook('onClose', async () => {
    await service.close()
  })
}

export default fp(replicationPlugin, {
  name: 'replication',
  fastify: '5.x',
  dependencies: ['db', 'topology-events'],
})
