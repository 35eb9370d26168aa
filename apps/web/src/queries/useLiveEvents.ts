import type { StatusList, TopologyEvent } from '@seasync/server/api-types'
import { useQueryClient } from '@tanstack/react-query'
import { useEffect, useState } from 'react'
import { runEventStream, type StreamState } from '../api/event-stream'
import { queryKeys } from './keys'

/**
 * Keeps the event stream open while mounted and writes it into the cache (STYLE.md §15):
 * `status` replaces the status query's data, `topology` invalidates the topology (and the touched
 * edges' detail queries). Returns where the stream stands.
 */
export function useLiveEvents(): StreamState {
  const client = useQueryClient()
  const [state, setState] = useState<StreamState>({ kind: 'connecting', failures: 0 })
  useEffect(() => {
    const controller = new AbortController()
    void runEventStream({
      signal: controller.signal,
      onState: setState,
      onMessage: (message) => {
        if (message.event === 'status') {
          client.setQueryData<StatusList>(
            queryKeys.status(),
            JSON.parse(message.data) as StatusList,
          )
        } else if (message.event === 'topology') {
          const change = JSON.parse(message.data) as TopologyEvent
          void client.invalidateQueries({ queryKey: queryKeys.topology() })
          for (const id of [...change.edgesUpdated, ...change.edgesRemoved]) {
            void client.invalidateQueries({ queryKey: queryKeys.edge(id) })
          }
        }
      },
    })
    return () => controller.abort()
  }, [client])
  return state
}
