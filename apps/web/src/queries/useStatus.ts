import { queryOptions, useQuery } from '@tanstack/react-query'
import { api } from '../api/endpoints'
import { queryKeys } from './keys'

/**
 * Every edge's live status. The event stream writes it into the cache every second; while the
 * stream is down (`live` false) the query polls instead, so the numbers never freeze silently.
 */
export const statusQueryOptions = (live: boolean) =>
  queryOptions({
    queryKey: queryKeys.status(),
    queryFn: ({ signal }) => api.status(signal),
    refetchInterval: live ? false : 5_000,
    staleTime: live ? Infinity : 1_000,
  })

export function useStatus(live: boolean) {
  return useQuery(statusQueryOptions(live))
}
