import { queryOptions, useQuery } from '@tanstack/react-query'
import { api } from '../api/endpoints'
import { queryKeys } from './keys'

/** An edge's failed events; polled while shown (they change as retries run). */
export const edgeFailuresQueryOptions = (edgeId: string) =>
  queryOptions({
    queryKey: queryKeys.failures(edgeId),
    queryFn: ({ signal }) => api.failures(edgeId, signal),
    refetchInterval: 3_000,
    staleTime: 1_000,
  })

export function useEdgeFailures(edgeId: string) {
  return useQuery(edgeFailuresQueryOptions(edgeId))
}
