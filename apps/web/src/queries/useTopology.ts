import { queryOptions, useQuery } from '@tanstack/react-query'
import { api } from '../api/endpoints'
import { queryKeys } from './keys'

/** Every cluster and edge; refetched when the event stream reports a topology change. */
export const topologyQueryOptions = () =>
  queryOptions({
    queryKey: queryKeys.topology(),
    queryFn: ({ signal }) => api.topology(signal),
    staleTime: 60_000,
  })

export function useTopology() {
  return useQuery(topologyQueryOptions())
}
