import { queryOptions, useQuery } from '@tanstack/react-query'
import { api } from '../api/endpoints'
import { queryKeys } from './keys'

/** Each direction's checkpoint, read from its target filer's KV (for the checkpoint dialog). */
export const edgeCheckpointsQueryOptions = (edgeId: string) =>
  queryOptions({
    queryKey: queryKeys.checkpoints(edgeId),
    queryFn: ({ signal }) => api.checkpoints(edgeId, signal),
    staleTime: 0,
  })

export function useEdgeCheckpoints(edgeId: string, enabled: boolean) {
  return useQuery({ ...edgeCheckpointsQueryOptions(edgeId), enabled })
}
