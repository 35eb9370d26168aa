import { screen, waitFor } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { describe, expect, it, vi } from 'vitest'
import { demoTopology } from '../../test/fixtures'
import { renderWithClient, stubFetch } from '../../test/render'
import { ExportDialog } from './ExportDialog'
import { ImportDialog } from './ImportDialog'

const none = { added: [], updated: [], removed: [] }
const plan = {
  start: [],
  stop: [{ edge: 'demo-b-demo-c', reason: 'removed' }],
  restart: [],
  unchanged: ['demo-a-demo-b'],
  edges: { ...none, removed: ['demo-b-demo-c'] },
  clusters: none,
}

const YAML_DOC = `clusters:
  - id: demo-a
    name: demo-a
    addresses: ["127.0.0.1:8006"]
  - id: demo-b
    name: demo-b
    addresses: ["127.0.0.1:8006"]
edges:
  - id: demo-a-demo-b
    a: { cluster: demo-a, path: / }
    b: { cluster: demo-b, path: / }
    mode: active-active
`

describe('ImportDialog', () => {
  it('checks a YAML document with a dry run, shows the plan, and applies only after that', async () => {
    const { calls } = stubFetch((call) => {
      if (call.path === '/topology/validate') return { body: { valid: true, plan } }
      if (call.method === 'PUT') return { body: { topology: demoTopology(), plan } }
      return undefined
    })
    const user = userEvent.setup()
    const onClose = vi.fn()
    renderWithClient(<ImportDialog onClose={onClose} />)
    expect(screen.getByRole('dialog', { name: 'Import topology' })).toBeInTheDocument()
    await user.click(screen.getByLabelText('Topology document'))
    await user.paste(YAML_DOC)
    expect(screen.getByRole('button', { name: 'Apply' })).toBeDisabled()
    await user.click(screen.getByRole('button', { name: 'Check' }))
    expect(await screen.findByText('Removes edges: demo-b-demo-c')).toBeInTheDocument()
    const validate = calls.find((c) => c.path === '/topology/validate')
    expect(validate?.body).toMatchObject({
      topology: { edges: [{ id: 'demo-a-demo-b', a: { cluster: 'demo-a', path: '/' } }] },
    })
    await user.click(screen.getByRole('button', { name: 'Apply' }))
    await waitFor(() => expect(onClose).toHaveBeenCalled())
    const put = calls.find((c) => c.method === 'PUT')
    expect(put?.path).toBe('/topology')
    expect(put?.body).toEqual((validate?.body as { topology: unknown }).topology)
  })

  it('shows the server’s refusal and keeps Apply disabled', async () => {
    stubFetch((call) =>
      call.path === '/topology/validate'
        ? {
            body: {
              valid: false,
              plan,
              error: { code: 'TOPOLOGY_LOOP', message: 'This change would close a loop: …' },
            },
          }
        : undefined,
    )
    const user = userEvent.setup()
    renderWithClient(<ImportDialog onClose={() => undefined} />)
    await user.click(screen.getByLabelText('Topology document'))
    await user.paste(YAML_DOC)
    await user.click(screen.getByRole('button', { name: 'Check' }))
    expect(await screen.findByRole('alert')).toHaveTextContent('close a loop')
    expect(screen.getByRole('button', { name: 'Apply' })).toBeDisabled()
  })

  it('says what is wrong with a document that does not parse, without asking the server', async () => {
    const { calls } = stubFetch(() => undefined)
    const user = userEvent.setup()
    renderWithClient(<ImportDialog onClose={() => undefined} />)
    await user.click(screen.getByLabelText('Topology document'))
    await user.paste('{"clusters": [')
    await user.click(screen.getByRole('button', { name: 'Check' }))
    expect(screen.getByRole('alert')).toHaveTextContent(/^Not valid JSON/)
    expect(calls).toEqual([])
  })
})

describe('ExportDialog', () => {
  it('shows the stored topology as YAML or JSON', async () => {
    stubFetch((call) => (call.path === '/topology' ? { body: demoTopology() } : undefined))
    const user = userEvent.setup()
    renderWithClient(<ExportDialog onClose={() => undefined} />)
    const field = screen.getByLabelText<HTMLTextAreaElement>('Topology document')
    await waitFor(() => expect(field.value).toContain('id: demo-b-demo-c'))
    expect(field.value).not.toContain('createdAt')
    await user.selectOptions(screen.getByLabelText('Format'), 'json')
    const json = JSON.parse(field.value) as { edges: { id: string }[] }
    expect(json.edges.map((e) => e.id)).toEqual(['demo-a-demo-b', 'demo-b-demo-c'])
  })
})
