import { screen, waitFor, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { describe, expect, it, vi } from 'vitest'
import { App } from './App'
import { demoTopology, statusOf } from './test/fixtures'
import { renderWithClient, stubFetch } from './test/render'

describe('App', () => {
  it('asks for the API token on 401, keeps it for the tab and sends it as a bearer token', async () => {
    const topology = demoTopology()
    const { calls } = stubFetch((call) => {
      if (call.headers['authorization'] !== 'Bearer s3cret-token-0123456789') {
        return { status: 401, body: { error: { code: 'UNAUTHORIZED', message: 'token required' } } }
      }
      if (call.path === '/topology') return { body: topology }
      if (call.path === '/status') return { body: statusOf(topology) }
      return undefined
    })
    const user = userEvent.setup()
    renderWithClient(<App />)

    const dialog = await screen.findByRole('dialog', { name: 'API token' })
    await user.type(within(dialog).getByLabelText('API token'), 's3cret-token-0123456789')
    await user.click(within(dialog).getByRole('button', { name: 'Connect' }))

    await waitFor(() => expect(screen.queryByRole('dialog', { name: 'API token' })).toBeNull())
    expect(await screen.findByTestId('summary-clusters')).toHaveTextContent('3')
    expect(sessionStorage.getItem('seasync.apiToken')).toBe('s3cret-token-0123456789')
    expect(
      calls.some((c) => c.path === '/topology' && c.headers['authorization'] !== undefined),
    ).toBe(true)
    expect(screen.getByRole('banner')).toHaveTextContent('SeaSync')
    expect(screen.getByRole('list', { name: 'Edges' })).toBeInTheDocument()
    expect(screen.getByRole('region', { name: 'Topology graph' })).toHaveAttribute(
      'data-testid',
      'topology-graph',
    )
  })

  it('says the server is unreachable when nothing answers', async () => {
    vi.stubGlobal(
      'fetch',
      vi.fn(async () => {
        throw new TypeError('Failed to fetch')
      }),
    )
    renderWithClient(<App />)
    expect(await screen.findByRole('alert', {}, { timeout: 4000 })).toHaveTextContent(
      'Server unreachable',
    )
  })

  it('selecting an edge in the list opens its details', async () => {
    const topology = demoTopology()
    stubFetch((call) => {
      if (call.path === '/topology') return { body: topology }
      if (call.path === '/status') return { body: statusOf(topology) }
      if (call.path.endsWith('/failures'))
        return { body: { edgeId: 'demo-b-demo-c', failures: [] } }
      return undefined
    })
    const user = userEvent.setup()
    renderWithClient(<App />)
    await user.click(await screen.findByRole('button', { name: 'demo-b → demo-c in sync' }))
    const details = screen.getByRole('region', { name: 'Edge details' })
    expect(within(details).getByRole('group', { name: 'demo-b → demo-c' })).toBeInTheDocument()
    await user.click(within(details).getByRole('button', { name: 'Close details' }))
    expect(screen.queryByRole('region', { name: 'Edge details' })).toBeNull()
  })
})
