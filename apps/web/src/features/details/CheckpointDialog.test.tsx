import { screen, waitFor } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { describe, expect, it, vi } from 'vitest'
import { demoTopology, edgeStatus } from '../../test/fixtures'
import { renderWithClient, stubFetch } from '../../test/render'
import { CheckpointDialog } from './CheckpointDialog'
import { toLocalInput } from './checkpoint-warning'

const names = { 'a-b': 'demo-a → demo-b', 'b-a': 'demo-b → demo-a' } as const
const CHECKPOINT_MS = Date.UTC(2026, 10, 24, 23, 0, 0)

function stub() {
  return stubFetch((call) => {
    if (call.method === 'GET' && call.path === '/edges/demo-a-demo-b/checkpoints') {
      return {
        body: {
          edgeId: 'demo-a-demo-b',
          checkpoints: [
            {
              direction: 'a-b',
              sourceFiler: 'x',
              targetFiler: 'y',
              sourcePath: '/',
              key: 'ab',
              checkpointNs: `${CHECKPOINT_MS}000000`,
              checkpointAt: new Date(CHECKPOINT_MS).toISOString(),
            },
          ],
        },
      }
    }
    if (call.method === 'PUT') return { body: {} }
    return undefined
  })
}

describe('CheckpointDialog', () => {
  it('warns what replays and sets the checkpoint of a paused edge', async () => {
    const { calls } = stub()
    const user = userEvent.setup()
    const onClose = vi.fn()
    const e = demoTopology().edges[0]!
    renderWithClient(
      <CheckpointDialog
        edgeId={e.id}
        status={edgeStatus(e, { paused: true, state: 'paused' })}
        paused
        names={names}
        onClose={onClose}
      />,
    )
    const when = screen.getByLabelText('Resume from (local time)')
    await user.clear(when)
    await user.type(when, toLocalInput(CHECKPOINT_MS - 2 * 3_600_000))
    await waitFor(() =>
      expect(screen.getByTestId('checkpoint-warning')).toHaveTextContent('Replays 2 h of changes'),
    )
    await user.click(screen.getByRole('button', { name: 'Set checkpoint' }))
    await waitFor(() => expect(onClose).toHaveBeenCalled())
    expect(calls.find((c) => c.method === 'PUT')).toMatchObject({
      path: '/edges/demo-a-demo-b/checkpoints',
      body: { direction: 'a-b', fromTsMs: CHECKPOINT_MS - 2 * 3_600_000 },
    })
  })

  it('an edge that is not paused cannot be set, and says so', () => {
    stub()
    const e = demoTopology().edges[0]!
    renderWithClient(
      <CheckpointDialog
        edgeId={e.id}
        status={edgeStatus(e)}
        paused={false}
        names={names}
        onClose={() => undefined}
      />,
    )
    expect(screen.getByText(/must be paused first/)).toBeInTheDocument()
    expect(screen.getByRole('button', { name: 'Set checkpoint' })).toBeDisabled()
  })
})
