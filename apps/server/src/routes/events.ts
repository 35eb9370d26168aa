/**
 * `GET /api/v1/events`: Server-Sent Events for the dashboard.
 *
 * - `event: status`, at once and then every second: every edge's live status and every
 *   cluster's health (`StatusList`);
 * - `event: topology` after every committed topology change: the ids it touched
 *   (`TopologyEvent`), so the client refetches what changed.
 *
 * The stream ends when the client goes away or the server closes. Writing never waits and never
 * touches replication: statuses are in-memory snapshots, and a client that does not keep up
 * misses status ticks (the next one carries everything) instead of buffering them; one that
 * falls more than {@link MAX_BUFFERED_BYTES} behind is disconnected (EventSource reconnects).
 */
import { PassThrough } from 'node:stream'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import type { TopologyChange } from '../plugins/topology-events.js'
import { ErrorResponses } from '../schemas/common.js'
import type { StatusEvent, TopologyEvent } from '../schemas/runtime.js'

/** Period of `status` events, ms. */
export const STATUS_EVENT_INTERVAL_MS = 1000
/** A client this far behind is disconnected. */
export const MAX_BUFFERED_BYTES = 1024 * 1024
/** EventSource's reconnect delay, sent in the first message, ms. */
const RETRY_MS = 3000

const eventsRoute: FastifyPluginAsyncTypebox = async (app) => {
  const open = new Set<() => void>()
  // Open streams would keep `close()` waiting for their connections: end them first.
  app.addHook('preClose', async () => {
    for (const end of [...open]) end()
  })

  app.get(
    '/events',
    {
      schema: {
        summary: 'Server-Sent Events: status (every second) and topology (on change)',
        tags: ['runtime'],
        response: {
          200: {
            description: 'text/event-stream; events `status` (StatusList) and `topology`',
            content: { 'text/event-stream': { schema: Type.String() } },
          },
          ...ErrorResponses,
        },
      },
    },
    async (request, reply) => {
      const stream = new PassThrough()
      const write = (text: string): void => {
        if (stream.writableLength > MAX_BUFFERED_BYTES) {
          request.log.info('event stream client too slow: disconnecting')
          end()
          return
        }
        stream.write(text)
      }
      const status = (): void => {
        // Skip a tick while the client has not taken the previous one.
        if (stream.writableNeedDrain) return
        const event: StatusEvent = {
          at: new Date().toISOString(),
          edges: app.replication.statusAll(),
          clusters: app.clusterHealth.statusAll(),
        }
        write(`event: status\ndata: ${JSON.stringify(event)}\n\n`)
      }
      const topology = (change: TopologyChange): void => {
        const event: TopologyEvent = {
          edgesAdded: [...change.edgesAdded],
          edgesUpdated: [...change.edgesUpdated],
          edgesRemoved: [...change.edgesRemoved],
          clustersAdded: [...change.clustersAdded],
          clustersUpdated: [...change.clustersUpdated],
          clustersRemoved: [...change.clustersRemoved],
        }
        write(`event: topology\ndata: ${JSON.stringify(event)}\n\n`)
      }
      const timer = setInterval(status, STATUS_EVENT_INTERVAL_MS)
      const end = (): void => {
        if (!open.delete(end)) return
        clearInterval(timer)
        app.topologyEvents.off('changed', topology)
        stream.end()
      }
      open.add(end)
      app.topologyEvents.on('changed', topology)
      // The response closes when the client disconnects (or the stream ended).
      reply.raw.once('close', end)

      stream.write(`retry: ${RETRY_MS}\n\n`)
      status()
      return (
        reply
          .header('content-type', 'text/event-stream; charset=utf-8')
          .header('cache-control', 'no-cache, no-transform')
          .header('x-accel-buffering', 'no')
          // The response schema describes the text; what is sent is the stream that carries it.
          .send(stream as unknown as string)
      )
    },
  )
}

export default eventsRoute
