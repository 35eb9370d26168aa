/**
 * Typed calls of every API route the dashboard uses, one function each (the route schemas in
 * `apps/server/src/schemas` are the contract; the types come from `@seasync/server/api-types`).
 */
import type {
  CheckpointInfo,
  CheckpointList,
  Cluster,
  ClusterCreateBody,
  ClusterPatchBody,
  Edge,
  EdgeCreateBody,
  EdgePatchBody,
  EdgeStatus,
  FailureActionResult,
  FailureList,
  HistoryResponse,
  SetCheckpointBody,
  StatusList,
  TopologyApplyResponse,
  TopologyDocument,
  TopologyGraph,
  ValidateRequest,
  ValidateResponse,
} from '@seasync/server/api-types'
import { apiRequest } from './http'

const enc = encodeURIComponent

export const api = {
  topology: (signal?: AbortSignal) => apiRequest<TopologyGraph>('/topology', { signal }),
  status: (signal?: AbortSignal) => apiRequest<StatusList>('/status', { signal }),
  validate: (body: ValidateRequest, signal?: AbortSignal) =>
    apiRequest<ValidateResponse>('/topology/validate', { method: 'POST', body, signal }),
  applyTopology: (document: TopologyDocument) =>
    apiRequest<TopologyApplyResponse>('/topology', { method: 'PUT', body: document }),

  createCluster: (body: ClusterCreateBody) =>
    apiRequest<Cluster>('/clusters', { method: 'POST', body }),
  updateCluster: (id: string, body: ClusterPatchBody) =>
    apiRequest<Cluster>(`/clusters/${enc(id)}`, { method: 'PATCH', body }),
  deleteCluster: (id: string) =>
    apiRequest<undefined>(`/clusters/${enc(id)}`, { method: 'DELETE' }),

  createEdge: (body: EdgeCreateBody) => apiRequest<Edge>('/edges', { method: 'POST', body }),
  updateEdge: (id: string, body: EdgePatchBody) =>
    apiRequest<Edge>(`/edges/${enc(id)}`, { method: 'PATCH', body }),
  deleteEdge: (id: string) => apiRequest<undefined>(`/edges/${enc(id)}`, { method: 'DELETE' }),

  pauseEdge: (id: string) => apiRequest<EdgeStatus>(`/edges/${enc(id)}/pause`, { method: 'POST' }),
  resumeEdge: (id: string) =>
    apiRequest<EdgeStatus>(`/edges/${enc(id)}/resume`, { method: 'POST' }),
  checkpoints: (id: string, signal?: AbortSignal) =>
    apiRequest<CheckpointList>(`/edges/${enc(id)}/checkpoints`, { signal }),
  setCheckpoint: (id: string, body: SetCheckpointBody) =>
    apiRequest<CheckpointInfo>(`/edges/${enc(id)}/checkpoints`, { method: 'PUT', body }),
  failures: (id: string, signal?: AbortSignal) =>
    apiRequest<FailureList>(`/edges/${enc(id)}/failures`, { signal }),
  retryAll: (id: string) =>
    apiRequest<FailureActionResult>(`/edges/${enc(id)}/failures/retry`, { method: 'POST' }),
  retryFailure: (id: string, fid: string) =>
    apiRequest<FailureActionResult>(`/edges/${enc(id)}/failures/${enc(fid)}/retry`, {
      method: 'POST',
    }),
  skipFailure: (id: string, fid: string) =>
    apiRequest<FailureActionResult>(`/edges/${enc(id)}/failures/${enc(fid)}/skip`, {
      method: 'POST',
    }),
  history: (id: string, fromMs: number, toMs: number, signal?: AbortSignal) =>
    apiRequest<HistoryResponse>(
      `/edges/${enc(id)}/history?from=${Math.floor(fromMs)}&to=${Math.ceil(toMs)}`,
      { signal },
    ),
}
