import { keepPreviousData, queryOptions, useQuery } from '@tanstack/react-query'
import { api } from '../api/endpoints'
import { queryKeys } from './keys'

/** An edge's lag samples over the last `rangeMs`, refreshed every 10 s while shown. */
export const edgeHistoryQueryOptions = (edgeId: string, rangeMs: number) =>
  queryOptions({
    queryKey: queryKeys.history(edgeId, rangeMs),
    queryFn: ({ signal }) => {
      const to = Date.now()
      return api.history(edgeId, to - rangeMs, to, signal)
    },
    refetchInterval: 10_000,
    staleTime: 5_000,
    placeholderData: keepPreviousData,
  })

export function useEdgeHistory(edgeId: string, rangeMs: number) {
  return useQuery(edgeHistoryQueryOptions(edgeId, rangeMs))
}
