import { render, screen, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { expect, it, vi } from 'vitest'
import { demoTopology, direction, edgeStatus, statusOf } from '../../test/fixtures'
import { SummaryBar } from '../summary/SummaryBar'
import { TopologyLists } from './TopologyLists'

it('lists edges named "A ↔ B" / "A → B" plus state, and clusters by name; a click selects', async () => {
  const topology = demoTopology()
  const status = statusOf(topology, [
    edgeStatus(topology.edges[1]!, { state: 'catching-up', lagSeconds: 12.4 }),
  ])
  const onSelect = vi.fn()
  render(
    <TopologyLists
      topology={topology}
      status={status}
      selection={null}
      search=""
      onSelect={onSelect}
    />,
  )
  const edges = screen.getByRole('list', { name: 'Edges' })
  expect(
    within(edges)
      .getAllByRole('button')
      .map((b) => b.textContent),
  ).toEqual(['demo-a ↔ demo-b in sync', 'demo-b → demo-c catching up'])
  const clusters = screen.getByRole('list', { name: 'Clusters' })
  expect(
    within(clusters)
      .getAllByRole('button')
      .map((b) => b.textContent),
  ).toEqual(['demo-a', 'demo-b', 'demo-c'])
  await userEvent.click(screen.getByRole('button', { name: 'demo-b → demo-c catching up' }))
  await userEvent.click(screen.getByRole('button', { name: 'demo-c' }))
  expect(onSelect.mock.calls).toEqual([
    [{ kind: 'edge', id: 'demo-b-demo-c' }],
    [{ kind: 'cluster', id: 'demo-c' }],
  ])
})

it('filters the clusters by the search text', () => {
  const topology = demoTopology()
  render(
    <TopologyLists
      topology={topology}
      status={undefined}
      selection={null}
      search="-B"
      onSelect={() => undefined}
    />,
  )
  const clusters = screen.getByRole('list', { name: 'Clusters' })
  expect(
    within(clusters)
      .getAllByRole('button')
      .map((b) => b.textContent),
  ).toEqual(['demo-b'])
})

it('the summary bar shows the figures under their test ids', () => {
  const topology = demoTopology()
  const status = statusOf(topology, [
    edgeStatus(topology.edges[0]!, { state: 'falling-behind', lagSeconds: 12.44 }, [
      direction('demo-a', 'demo-b', { state: 'falling-behind', lagSeconds: 12.44 }),
    ]),
  ])
  render(<SummaryBar topology={topology} status={status} onShowEdge={() => undefined} />)
  const region = screen.getByRole('region', { name: 'Summary' })
  expect(within(region).getByTestId('summary-clusters')).toHaveTextContent(/^3$/)
  expect(within(region).getByTestId('summary-edges')).toHaveTextContent(/^2$/)
  expect(within(region).getByTestId('summary-worst-lag')).toHaveTextContent(/^12\.4 s$/)
  expect(within(region).getByTestId('summary-not-in-sync')).toHaveTextContent(/^1$/)
})
