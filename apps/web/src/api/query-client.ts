/**
 * The one QueryClient, with explicit defaults (STYLE.md §15). Live data comes from the event
 * stream into the cache, so queries need no polling while it is open; a refused request (4xx) is
 * not retried, a server that does not answer is (a few times, with backoff).
 */
import { QueryClient } from '@tanstack/react-query'
import { ApiError } from './http'

export function createQueryClient(): QueryClient {
  return new QueryClient({
    defaultOptions: {
      queries: {
        staleTime: 5_000,
        gcTime: 5 * 60_000,
        refetchOnWindowFocus: false,
        retry: (failures, error) =>
          !(error instanceof ApiError && error.status < 500) && failures < 3,
      },
      mutations: { retry: false },
    },
  })
}
