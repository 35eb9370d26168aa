/**
 * `app.topologyEvents`: how the topology store tells the edge runtime (and the SSE stream) that
 * stored clusters or edges changed. The store emits after its transaction commits; listeners read
 * the database for the new state, so an event carries ids only.
 */
import { EventEmitter } from 'node:events'
import fp from 'fastify-plugin'

/** What changed in one committed topology change. */
export interface TopologyChange {
  /** Edges created, changed (paths, mode, options, paused) or deleted by this change. */
  edgesAdded: readonly string[]
  edgesUpdated: readonly string[]
  edgesRemoved: readonly string[]
  /** Clusters created, changed (addresses, proxy) or deleted. */
  clustersAdded: readonly string[]
  clustersUpdated: readonly string[]
  clustersRemoved: readonly string[]
}

interface TopologyEventMap {
  changed: [TopologyChange]
}

/** A typed emitter; listener errors are the listener's own business (never the store's). */
export class TopologyEvents extends EventEmitter<TopologyEventMap> {
  /** Emit a change, filling absent lists with []. */
  notify(change: Partial<TopologyChange>): void {
    this.emit('changed', {
      edgesAdded: change.edgesAdded ?? [],
      edgesUpdated: change.edgesUpdated ?? [],
      edgesRemoved: change.edgesRemoved ?? [],
      clustersAdded: change.clustersAdded ?? [],
      clustersUpdated: change.clustersUpdated ?? [],
      clustersRemoved: change.clustersRemoved ?? [],
    })
  }
}

declare module 'fastify' {
  interface FastifyInstance {
    readonly topologyEvents: TopologyEvents
  }
}

export default fp(
  (app) => {
    app.decorate('topologyEvents', new TopologyEvents())
  },
  { name: 'topology-events' },
)
