import { screen, waitFor } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { describe, expect, it, vi } from 'vitest'
import { cluster, demoTopology } from '../../test/fixtures'
import { renderWithClient, stubFetch } from '../../test/render'
import { ClusterForm } from './ClusterForm'

const PROBE_FAILED = {
  error: {
    code: 'CLUSTER_PROBE_FAILED',
    message: 'Cluster "bad" failed the probe: filer 127.0.0.1:1 did not answer',
    details: {
      clusters: [
        {
          cluster: 'bad',
          addresses: [{ address: '127.0.0.1:1', reachable: false, error: 'ECONNREFUSED' }],
          problems: ['filer 127.0.0.1:1 did not answer'],
        },
      ],
    },
  },
}

describe('ClusterForm', () => {
  it('shows the probe refusal per address and stays open', async () => {
    const { calls } = stubFetch((call) =>
      call.method === 'POST' && call.path === '/clusters'
        ? { status: 422, body: PROBE_FAILED }
        : undefined,
    )
    const user = userEvent.setup()
    const onClose = vi.fn()
    renderWithClient(
      <ClusterForm topology={demoTopology()} onClose={onClose} onSaved={() => undefined} />,
    )
    const dialog = screen.getByRole('dialog', { name: 'Add cluster' })
    await user.type(screen.getByLabelText('Name'), 'bad')
    await user.type(screen.getByLabelText('Filer addresses'), '127.0.0.1:1')
    await user.click(screen.getByRole('button', { name: 'Save' }))
    const alert = await screen.findByRole('alert')
    expect(alert).toHaveTextContent('failed the probe')
    expect(alert).toHaveTextContent('127.0.0.1:1: no answer (ECONNREFUSED)')
    expect(dialog).toBeInTheDocument()
    expect(onClose).not.toHaveBeenCalled()
    expect(calls[0]?.body).toEqual({ name: 'bad', addresses: ['127.0.0.1:1'] })
  })

  it('"Test connection" probes through the dry run without saving', async () => {
    const { calls } = stubFetch((call) =>
      call.path === '/topology/validate' ? { body: { valid: true } } : undefined,
    )
    const user = userEvent.setup()
    renderWithClient(
      <ClusterForm topology={demoTopology()} onClose={() => undefined} onSaved={() => undefined} />,
    )
    await user.type(screen.getByLabelText('Name'), 'DC 2')
    await user.type(screen.getByLabelText('Filer addresses'), '10.0.0.2:8888{enter}10.0.0.3:8888')
    await user.click(screen.getByRole('button', { name: 'Test connection' }))
    expect(await screen.findByText(/Every address answered the probe/)).toBeInTheDocument()
    expect(calls.map((c) => `${c.method} ${c.path}`)).toEqual(['POST /topology/validate'])
    expect(calls[0]?.body).toEqual({
      clusters: { add: [{ name: 'DC 2', addresses: ['10.0.0.2:8888', '10.0.0.3:8888'] }] },
    })
  })

  it('edits patch only the changed fields', async () => {
    const topology = demoTopology()
    const { calls } = stubFetch((call) =>
      call.method === 'PATCH' ? { body: cluster('demo-a', { name: 'Paris' }) } : { body: topology },
    )
    const user = userEvent.setup()
    const onClose = vi.fn()
    renderWithClient(
      <ClusterForm
        topology={topology}
        clusterId="demo-a"
        onClose={onClose}
        onSaved={() => undefined}
      />,
    )
    expect(screen.getByRole('dialog', { name: 'Edit cluster' })).toBeInTheDocument()
    await user.clear(screen.getByLabelText('Name'))
    await user.type(screen.getByLabelText('Name'), 'Paris')
    await user.click(screen.getByRole('button', { name: 'Save' }))
    await waitFor(() => expect(onClose).toHaveBeenCalled())
    expect(calls[0]).toMatchObject({
      method: 'PATCH',
      path: '/clusters/demo-a',
      body: { name: 'Paris' },
    })
  })
})
