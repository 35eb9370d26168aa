/** Query-key factories: every cache entry the dashboard keeps, under one root. */
export const queryKeys = {
  all: ['seasync'] as const,
  topology: () => [...queryKeys.all, 'topology'] as const,
  status: () => [...queryKeys.all, 'status'] as const,
  edge: (id: string) => [...queryKeys.all, 'edge', id] as const,
  failures: (id: string) => [...queryKeys.edge(id), 'failures'] as const,
  checkpoints: (id: string) => [...queryKeys.edge(id), 'checkpoints'] as const,
  history: (id: string, rangeMs: number) => [...queryKeys.edge(id), 'history', rangeMs] as const,
}
