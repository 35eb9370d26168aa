import { screen, within } from '@testing-library/react'
import { describe, expect, it, vi } from 'vitest'
import { cluster, clusterStatus, statusOf } from '../../test/fixtures'
import { renderWithClient } from '../../test/render'
import { ClusterDetails } from './ClusterDetails'

describe('ClusterDetails', () => {
  const two = cluster('two', { addresses: ['10.0.0.1:8888', '10.0.0.2:8888'], signature: 7 })
  const topology = { clusters: [two], edges: [] }
  const props = {
    clusterId: 'two',
    topology,
    onClose: vi.fn(),
    onEdit: vi.fn(),
    onSelectEdge: vi.fn(),
    onAddEdge: vi.fn(),
  }

  it('shows the probed health, each address’s reachability and latency, and the last check', () => {
    const status = {
      ...statusOf(
        topology,
        [],
        [
          clusterStatus(two, 'degraded', {
            checkedAt: '2026-11-24T23:29:15.000Z',
            addresses: [
              {
                address: '10.0.0.1:8888',
                reachable: true,
                signature: 7,
                error: null,
                latencyMs: 3.2,
              },
              {
                address: '10.0.0.2:8888',
                reachable: false,
                signature: null,
                error: 'connect ECONNREFUSED 10.0.0.2:18888',
                latencyMs: null,
              },
            ],
          }),
        ],
      ),
      at: '2026-11-24T23:29:20.000Z',
    }
    renderWithClient(<ClusterDetails {...props} status={status} />)
    const details = screen.getByRole('region', { name: 'Cluster details' })
    expect(within(details).getByTestId('cluster-health')).toHaveTextContent(
      '1 of 2 filers unreachable',
    )
    const [first, second] = within(details).getAllByTestId('address-health')
    expect(first).toHaveTextContent('10.0.0.1:8888 reachable · 3.2 ms')
    expect(second).toHaveTextContent('10.0.0.2:8888 unreachable')
    expect(second).toHaveTextContent('connect ECONNREFUSED 10.0.0.2:18888')
    expect(within(details).getByText('5 s ago')).toBeInTheDocument()
  })

  it('without a probe yet says so, for a cluster without edges too', () => {
    const status = statusOf(topology, [], [clusterStatus(two, 'unknown')])
    renderWithClient(<ClusterDetails {...props} status={status} />)
    expect(screen.getByTestId('cluster-health')).toHaveTextContent('not checked yet')
    expect(screen.getAllByTestId('address-health')[0]).toHaveTextContent('not checked yet')
    expect(screen.getByText('not yet')).toBeInTheDocument()
  })
})
