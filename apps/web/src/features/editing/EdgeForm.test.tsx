import { screen, waitFor } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { describe, expect, it, vi } from 'vitest'
import { demoTopology, edge } from '../../test/fixtures'
import { renderWithClient, stubFetch } from '../../test/render'
import { EdgeForm } from './EdgeForm'

const LOOP_MESSAGE = 'This change would close a loop: demo-c:/ —demo-c-demo-a— demo-a:/ …'

function renderForm(props: Partial<Parameters<typeof EdgeForm>[0]> = {}) {
  const onLoop = vi.fn()
  const onClose = vi.fn()
  const onSaved = vi.fn()
  renderWithClient(
    <EdgeForm
      topology={demoTopology()}
      edgeId={undefined}
      initialA={undefined}
      initialB={undefined}
      onLoop={onLoop}
      onClose={onClose}
      onSaved={onSaved}
      {...props}
    />,
  )
  return { onLoop, onClose, onSaved }
}

describe('EdgeForm', () => {
  it('refuses a loop-closing edge with the server’s words, marks the loop, saves nothing', async () => {
    const { calls } = stubFetch((call) =>
      call.path === '/topology/validate'
        ? {
            body: {
              valid: false,
              plan: {
                start: [],
                stop: [],
                restart: [],
                unchanged: [],
                edges: { added: ['demo-c-demo-a'], updated: [], removed: [] },
                clusters: { added: [], updated: [], removed: [] },
              },
              loop: [
                { kind: 'endpoint', cluster: 'demo-c', path: '/' },
                { kind: 'edge', edgeId: 'demo-c-demo-a' },
                { kind: 'endpoint', cluster: 'demo-a', path: '/' },
                { kind: 'edge', edgeId: 'demo-a-demo-b' },
                { kind: 'endpoint', cluster: 'demo-b', path: '/' },
              ],
              error: { code: 'TOPOLOGY_LOOP', message: LOOP_MESSAGE },
            },
          }
        : undefined,
    )
    const user = userEvent.setup()
    const { onLoop, onClose } = renderForm({ initialA: 'demo-c', initialB: 'demo-a' })

    const dialog = screen.getByRole('dialog', { name: 'Add edge' })
    expect(screen.getByLabelText('Cluster A')).toHaveValue('demo-c')
    expect(screen.getByLabelText('Cluster B')).toHaveValue('demo-a')
    await user.selectOptions(screen.getByLabelText('Mode'), 'one-way')
    await user.click(screen.getByRole('button', { name: 'Save' }))

    expect(await screen.findByRole('alert')).toHaveTextContent(LOOP_MESSAGE)
    expect(dialog).toBeInTheDocument()
    expect(onClose).not.toHaveBeenCalled()
    expect(onLoop).toHaveBeenLastCalledWith({
      edges: ['demo-c-demo-a', 'demo-a-demo-b'],
      clusters: ['demo-c', 'demo-a', 'demo-b'],
      proposed: { id: 'demo-c-demo-a', source: 'demo-c', target: 'demo-a' },
    })
    expect(calls.map((c) => `${c.method} ${c.path}`)).toEqual(['POST /topology/validate'])
    expect(calls[0]?.body).toEqual({
      edges: {
        add: [
          {
            a: { cluster: 'demo-c', path: '/', excludes: [] },
            b: { cluster: 'demo-a', path: '/', excludes: [] },
            mode: 'one-way',
            options: {},
          },
        ],
      },
    })
  })

  it('saves a valid edge after the dry run, then closes', async () => {
    const created = edge('demo-a-demo-c', 'demo-a', 'demo-c')
    const { calls } = stubFetch((call) => {
      if (call.path === '/topology/validate') return { body: { valid: true } }
      if (call.path === '/edges' && call.method === 'POST') return { status: 201, body: created }
      return { body: demoTopology() }
    })
    const user = userEvent.setup()
    const { onSaved, onClose } = renderForm()
    await user.selectOptions(screen.getByLabelText('Cluster A'), 'demo-a')
    await user.selectOptions(screen.getByLabelText('Cluster B'), 'demo-c')
    await user.clear(screen.getByLabelText('Path B'))
    await user.type(screen.getByLabelText('Path B'), '/copy')
    await user.type(screen.getByLabelText('Excludes A'), '/tmp, /cache')
    await user.click(screen.getByRole('button', { name: 'Save' }))
    await waitFor(() => expect(onClose).toHaveBeenCalled())
    expect(onSaved).toHaveBeenCalledWith('demo-a-demo-c')
    const post = calls.find((c) => c.method === 'POST' && c.path === '/edges')
    expect(post?.body).toEqual({
      a: { cluster: 'demo-a', path: '/', excludes: ['/tmp', '/cache'] },
      b: { cluster: 'demo-c', path: '/copy', excludes: [] },
      mode: 'active-active',
      options: {},
    })
  })

  it('checks fields before asking the server', async () => {
    const { calls } = stubFetch(() => undefined)
    const user = userEvent.setup()
    renderForm()
    await user.click(screen.getByRole('button', { name: 'Save' }))
    expect(screen.getByRole('alert')).toHaveTextContent('Check the highlighted fields.')
    expect(screen.getByLabelText('Cluster A')).toHaveAttribute('aria-invalid', 'true')
    expect(calls).toEqual([])
  })

  it('edits send only what changed', async () => {
    const { calls } = stubFetch((call) =>
      call.path === '/topology/validate'
        ? { body: { valid: true } }
        : call.method === 'PATCH'
          ? { body: edge('demo-a-demo-b', 'demo-a', 'demo-b', { mode: 'one-way' }) }
          : { body: demoTopology() },
    )
    const user = userEvent.setup()
    const { onClose } = renderForm({ edgeId: 'demo-a-demo-b' })
    expect(screen.getByRole('dialog', { name: 'Edit edge' })).toBeInTheDocument()
    await user.selectOptions(screen.getByLabelText('Mode'), 'one-way')
    await user.click(screen.getByRole('button', { name: 'Save' }))
    await waitFor(() => expect(onClose).toHaveBeenCalled())
    expect(calls[0]?.body).toEqual({
      edges: { update: [{ id: 'demo-a-demo-b', mode: 'one-way' }] },
    })
    expect(calls.find((c) => c.method === 'PATCH')).toMatchObject({
      path: '/edges/demo-a-demo-b',
      body: { mode: 'one-way' },
    })
  })
})
