import { screen, waitFor, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { describe, expect, it } from 'vitest'
import { demoTopology, direction, edgeStatus, statusOf } from '../../test/fixtures'
import { renderWithClient, stubFetch } from '../../test/render'
import { EdgeDetails } from './EdgeDetails'

const T = Date.parse('2026-11-24T23:29:20.000Z')

function history() {
  return {
    edgeId: 'demo-a-demo-b',
    from: new Date(T - 900_000).toISOString(),
    to: new Date(T).toISOString(),
    truncated: false,
    samples: [0, 5, 10].map((s) => ({
      direction: 'a-b',
      at: new Date(T - 20_000 + s * 1000).toISOString(),
      atMs: T - 20_000 + s * 1000,
      state: s === 5 ? 'paused' : 'in-sync',
      lagSeconds: s,
      appliedNs: null,
      sourceHeadNs: null,
      backlog: 0,
      eventsPerSecond: 0,
      bytesPerSecond: 0,
    })),
  }
}

/** The details of the demo's first edge, `demo-a-demo-b`. */
function renderDetails(
  topology: ReturnType<typeof demoTopology>,
  status: ReturnType<typeof statusOf>,
) {
  return renderWithClient(
    <EdgeDetails
      edgeId="demo-a-demo-b"
      topology={topology}
      status={status}
      onClose={() => undefined}
      onEdit={() => undefined}
    />,
  )
}

const failure = {
  id: 'a-b:1795562966480606663:1',
  direction: 'a-b',
  tsNs: '1795562966480606663',
  operation: 'create',
  path: '/demo/notes/x.txt',
  code: 'SYNC_ERR_FILER_REFUSED',
  message: 'target refused',
  attempts: 3,
  nextRetryAt: '2026-11-24T23:30:00.000Z',
}

describe('EdgeDetails', () => {
  it('shows each direction’s state and lag, the history and the failures; retry and skip call the API', async () => {
    const topology = demoTopology()
    const status = statusOf(topology, [
      edgeStatus(topology.edges[0]!, { state: 'error', lagSeconds: 12.4 }, [
        direction('demo-a', 'demo-b', {
          state: 'error',
          lagSeconds: 12.4,
          failures: 1,
          lastError: 'target refused',
        }),
        direction('demo-b', 'demo-a', { direction: 'b-a' }),
      ]),
    ])
    const { calls } = stubFetch((call) => {
      if (call.path.startsWith('/edges/demo-a-demo-b/history')) return { body: history() }
      if (call.path === '/edges/demo-a-demo-b/failures')
        return { body: { edgeId: 'demo-a-demo-b', failures: [failure] } }
      if (call.method === 'POST') return { body: { edgeId: 'demo-a-demo-b', count: 1 } }
      return undefined
    })
    renderDetails(topology, status)
    const region = screen.getByRole('region', { name: 'Edge details' })
    const ab = within(region).getByRole('group', { name: 'demo-a → demo-b' })
    expect(within(ab).getByTestId('direction-state')).toHaveTextContent('error')
    expect(within(ab).getByTestId('direction-lag')).toHaveTextContent('12.4 s')
    const ba = within(region).getByRole('group', { name: 'demo-b → demo-a' })
    expect(within(ba).getByTestId('direction-state')).toHaveTextContent('in sync')
    expect(within(ba).getByTestId('direction-lag')).toHaveTextContent('0 s')
    expect(within(region).getByRole('button', { name: 'Pause' })).toBeInTheDocument()

    expect(await screen.findByRole('img', { name: /1 paused period/ })).toBeInTheDocument()
    const failures = await screen.findByRole('list', { name: 'Failed events' })
    expect(failures).toHaveTextContent('/demo/notes/x.txt')
    await userEvent.click(within(failures).getByRole('button', { name: 'Retry' }))
    await userEvent.click(within(failures).getByRole('button', { name: 'Skip' }))
    await userEvent.click(screen.getByRole('button', { name: 'Retry all' }))
    await waitFor(() =>
      expect(calls.filter((c) => c.method === 'POST').map((c) => c.path)).toEqual([
        `/edges/demo-a-demo-b/failures/${encodeURIComponent(failure.id)}/retry`,
        `/edges/demo-a-demo-b/failures/${encodeURIComponent(failure.id)}/skip`,
        '/edges/demo-a-demo-b/failures/retry',
      ]),
    )
  })

  it('shows each large file being copied with its byte progress, and the chunk copies in flight', () => {
    const topology = demoTopology()
    const startedAt = new Date(Date.now() - 10_000).toISOString()
    const status = statusOf(topology, [
      edgeStatus(topology.edges[0]!, { state: 'catching-up' }, [
        direction('demo-a', 'demo-b', {
          state: 'catching-up',
          largeFiles: [
            {
              targetPath: '/big/a.iso',
              bytes: 1024 * 2 ** 20,
              bytesCopied: 256 * 2 ** 20,
              startedAt,
            },
          ],
          inFlight: [
            {
              sourceFid: '3,01',
              targetPath: '/big/a.iso',
              size: 4 * 2 ** 20,
              state: 'downloading',
            },
            { sourceFid: '3,02', targetPath: '/big/a.iso', size: 4 * 2 ** 20, state: 'uploading' },
            { sourceFid: '3,03', targetPath: '/big/a.iso', size: 4 * 2 ** 20, state: 'waiting' },
          ],
        }),
        direction('demo-b', 'demo-a', { direction: 'b-a' }),
      ]),
    ])
    stubFetch(() => ({ body: { edgeId: 'demo-a-demo-b', failures: [], samples: [] } }))
    renderDetails(topology, status)
    const ab = screen.getByRole('group', { name: 'demo-a → demo-b' })
    const files = within(ab).getByRole('list', { name: 'Large files demo-a → demo-b' })
    const bar = within(files).getByRole('progressbar', { name: '/big/a.iso: 25% copied' })
    expect(bar).toHaveAttribute('value', String(256 * 2 ** 20))
    expect(bar).toHaveAttribute('max', String(1024 * 2 ** 20))
    expect(files).toHaveTextContent(/256 MiB of 1(\.0)? GiB \(25%\)/)
    expect(within(ab).getByTestId('chunks-in-flight')).toHaveTextContent(
      '2 chunk copies in flight, 1 waiting',
    )
    const ba = screen.getByRole('group', { name: 'demo-b → demo-a' })
    expect(within(ba).queryByRole('list', { name: /Large files/ })).toBeNull()
  })

  it('pause posts, and its answer replaces the edge in the status cache at once', async () => {
    const topology = demoTopology()
    const paused = edgeStatus(topology.edges[0]!, { state: 'paused', paused: true })
    const { calls } = stubFetch((call) => {
      if (call.path === '/edges/demo-a-demo-b/pause') return { body: paused }
      if (call.path === '/topology') return { body: topology }
      return {
        body: {
          edgeId: 'demo-a-demo-b',
          failures: [],
          samples: [],
          truncated: false,
          from: new Date().toISOString(),
          to: new Date().toISOString(),
        },
      }
    })
    const { client } = renderDetails(topology, statusOf(topology))
    client.setQueryData(['seasync', 'status'], statusOf(topology))
    await userEvent.click(screen.getByRole('button', { name: 'Pause' }))
    await waitFor(() =>
      expect(
        calls.some((c) => c.method === 'POST' && c.path === '/edges/demo-a-demo-b/pause'),
      ).toBe(true),
    )
    await waitFor(() =>
      expect(
        client.getQueryData<{ edges: { state: string }[] }>(['seasync', 'status'])?.edges[0]?.state,
      ).toBe('paused'),
    )
  })
})
