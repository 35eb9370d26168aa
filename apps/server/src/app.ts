/**
 * `buildApp(config)`: the SeaSync HTTP service as a Fastify instance that is built but not
 * listening (STYLE.md §7). `server.ts` adds the logger and listens; tests call `inject()`.
 *
 * Order matters: the error policy first (child contexts copy it), then the long-lived resources
 * (`db`, the topology, the demo's embedded filers before the edge runtime that replicates between
 * them, the cluster health monitor), then the auth hook and the OpenAPI collector, which must see every route, then routes,
 * then the dashboard's files and its single-page-app fallback.
 */
import { join } from 'node:path'
import swagger from '@fastify/swagger'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import Fastify, { type FastifyServerOptions } from 'fastify'
import type { Config } from './config.js'
import demoPlugin, { type DemoPluginOptions } from './demo/demo-clusters.js'
import authPlugin from './plugins/auth.js'
import clusterHealthPlugin, { type ClusterHealthPluginOptions } from './plugins/cluster-health.js'
import dbPlugin from './plugins/db.js'
import errorHandlerPlugin, { frameworkErrorHandler } from './plugins/error-handler.js'
import replicationPlugin, { type ReplicationPluginOptions } from './plugins/replication.js'
import topologyEventsPlugin from './plugins/topology-events.js'
import webPlugin from './plugins/web.js'
import clusterRoutes from './routes/api/clusters.js'
import edgeRoutes from './routes/api/edges.js'
import runtimeRoutes from './routes/api/runtime.js'
import topologyRoutes from './routes/api/topology.js'
import eventsRoute from './routes/events.js'
import healthRoutes from './routes/health.js'
import metricsRoute from './routes/metrics.js'
import openapiRoute from './routes/openapi.js'
import topologyServicePlugin from './services/topology-service.js'

declare module 'fastify' {
  interface FastifyInstance {
    /** The frozen configuration the app was built from. */
    readonly config: Readonly<Config>
  }
}

/** The state database's file name inside `config.dataDir`. */
export const DB_FILE_NAME = 'seasync.db'

/** Prefix of every REST route. */
export const API_PREFIX = '/api/v1'

export interface AppOptions {
  /**
   * Fastify options the process entry owns: the logger (off when not given), timeouts. The
   * app sets `frameworkErrors` itself.
   */
  readonly server?: Omit<FastifyServerOptions, 'frameworkErrors'>
  /** The state database instead of `<dataDir>/seasync.db`, e.g. `:memory:` in tests. */
  readonly dbFile?: string
  /** Settings of the edge runtime (short intervals in tests). */
  readonly replication?: ReplicationPluginOptions
  /** Settings of the cluster health monitor (short intervals in tests). */
  readonly clusterHealth?: ClusterHealthPluginOptions
  /** Settings of the demo (`config.demo`), e.g. a short writer interval in tests. */
  readonly demo?: DemoPluginOptions
}

/** Builds the app; nothing opens until `ready()`, `listen()` or the first `inject()`. */
export function buildApp(config: Readonly<Config>, options: AppOptions = {}) {
  const app = Fastify({
    ...options.server,
    frameworkErrors: frameworkErrorHandler,
  }).withTypeProvider<TypeBoxTypeProvider>()

  app.decorate('config', config)
  void app.register(errorHandlerPlugin)
  void app.register(dbPlugin, { file: options.dbFile ?? join(config.dataDir, DB_FILE_NAME) })
  void app.register(topologyEventsPlugin)
  void app.register(topologyServicePlugin)
  // Before replication: its filers run before the edges start and close after they stopped.
  void app.register(demoPlugin, options.demo ?? {})
  void app.register(replicationPlugin, options.replication ?? {})
  // After demo: its probes stop before the demo's filers close.
  void app.register(clusterHealthPlugin, options.clusterHealth ?? {})
  void app.register(authPlugin, { apiToken: config.apiToken })
  void app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'SeaSync API',
        description: 'Topology-aware orchestrator for SeaweedFS cross-cluster replication',
        version: '1.0.0',
      },
      components: {
        securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } },
      },
      security: config.apiToken === undefined ? [] : [{ bearer: [] }],
    },
  })

  void app.register(
    async (api) => {
      await api.register(healthRoutes)
      await api.register(openapiRoute)
      await api.register(runtimeRoutes)
      await api.register(eventsRoute)
      await api.register(clusterRoutes)
      await api.register(edgeRoutes)
      await api.register(topologyRoutes)
    },
    { prefix: API_PREFIX },
  )
  void app.register(metricsRoute)
  // Last: its catch-all route answers only what no route above matches.
  void app.register(webPlugin, { root: config.webDir })
  return app
}

/** The app's type, with the TypeBox type provider: what route plugins and tests receive. */
export type SeaSyncApp = ReturnType<typeof buildApp>
