/**
 * The SeaSync REST API as the tests use it outside the browser: seeding and resetting the topology
 * (`PUT /api/v1/topology`) and checking what the server stored or reports, independently of what
 * the dashboard shows.
 */
import type {
  Cluster,
  DirectionStatus,
  Edge,
  EdgeStatus,
  StatusList,
  TopologyDocument,
  TopologyGraph,
} from '@seasync/server/api-types'

export class SeaSyncApi {
  constructor(
    readonly baseUrl: string,
    private readonly token?: string,
  ) {}

  /** Sends a request; answers the JSON body, throwing with the body on a non-2xx status. */
  async request<T>(method: string, path: string, body?: unknown): Promise<T> {
    const response = await fetch(new URL(`/api/v1${path}`, this.baseUrl), {
      method,
      headers: {
        ...(body !== undefined && { 'content-type': 'application/json' }),
        ...(this.token !== undefined && { authorization: `Bearer ${this.token}` }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(20_000),
    })
    const text = await response.text()
    if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${text}`)
    return (text === '' ? undefined : JSON.parse(text)) as T
  }

  /** Makes the stored topology exactly `document` (an empty one removes everything). */
  async putTopology(document: TopologyDocument): Promise<void> {
    await this.request('PUT', '/topology', document)
  }

  async reset(): Promise<void> {
    await this.putTopology({ clusters: [], edges: [] })
  }

  async topology(): Promise<TopologyGraph> {
    return this.request<TopologyGraph>('GET', '/topology')
  }

  async clusters(): Promise<Cluster[]> {
    return (await this.request<{ clusters: Cluster[] }>('GET', '/clusters')).clusters
  }

  async edges(): Promise<Edge[]> {
    return (await this.request<{ edges: Edge[] }>('GET', '/edges')).edges
  }

  async status(): Promise<EdgeStatus[]> {
    return (await this.request<StatusList>('GET', '/status')).edges
  }

  /** One direction's live status (`a-b` by default). */
  async direction(edgeId: string, direction: 'a-b' | 'b-a' = 'a-b'): Promise<DirectionStatus> {
    const status = await this.request<EdgeStatus>('GET', `/edges/${edgeId}/status`)
    const found = status.directions.find((d) => d.direction === direction)
    if (found === undefined) throw new Error(`edge ${edgeId} has no ${direction} direction`)
    return found
  }
}
