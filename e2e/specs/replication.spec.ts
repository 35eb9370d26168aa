import { expect, test } from '../fixtures.js'
import { parseLag } from '../pages/dashboard-page.js'
import { readFilerFile, writeFilerFile } from '../support/filer-http.js'
import { CLUSTERS, oneWay, topology, uniquePath } from '../support/seed.js'

const A = CLUSTERS.A.name
const B = CLUSTERS.B.name
/** Replication and state changes take a few status ticks (1 s each) on a busy machine. */
const SYNC_TIMEOUT_MS = 30_000

test.describe('replication, live', () => {
  test.beforeEach(async ({ api, filers }) => {
    await api.putTopology(topology(filers, [oneWay('A', 'B')], ['A', 'B']))
  })

  test('a file written on A arrives on B, and the edge shows in sync', async ({
    api,
    dashboard,
    filers,
    shot,
  }) => {
    await dashboard.open()
    await dashboard.selectEdge(A, B)
    const direction = dashboard.direction(A, B)
    await expect(direction.state).toHaveText('in sync', { timeout: SYNC_TIMEOUT_MS })

    const path = `${uniquePath('replication')}/hello.txt`
    const content = `written on A at ${new Date().toISOString()}\n`
    await writeFilerFile(filers.A.httpAddress, path, content)
    expect(await readFilerFile(filers.A.httpAddress, path)).toBe(content)

    await expect
      .poll(() => readFilerFile(filers.B.httpAddress, path), { timeout: SYNC_TIMEOUT_MS })
      .toBe(content)
    await expect(direction.state).toHaveText('in sync', { timeout: SYNC_TIMEOUT_MS })
    await expect(direction.lag).toHaveText('0 s')
    await expect(dashboard.summaryFigure('not-in-sync')).toHaveText('0')
    const status = await api.direction(oneWay('A', 'B').id)
    expect(status.eventsApplied).toBeGreaterThan(0)
    await shot('edge-details')
  })

  test('paused, its lag rises with each write and survives a reload; resumed, it catches up', async ({
    api,
    dashboard,
    filers,
    page,
  }) => {
    const edgeId = oneWay('A', 'B').id
    await dashboard.open()
    await dashboard.selectEdge(A, B)
    const direction = dashboard.direction(A, B)
    await expect(direction.state).toHaveText('in sync', { timeout: SYNC_TIMEOUT_MS })

    await dashboard.edgeDetails.getByRole('button', { name: 'Pause' }).click()
    await expect(direction.state).toHaveText('paused', { timeout: SYNC_TIMEOUT_MS })
    await expect(dashboard.edgeDetails.getByRole('button', { name: 'Resume' })).toBeVisible()
    expect((await api.edges()).find((e) => e.id === edgeId)?.paused).toBe(true)

    const dir = uniquePath('paused')
    const lagSeconds = async (): Promise<number> => parseLag(await direction.lag.innerText())
    await writeFilerFile(filers.A.httpAddress, `${dir}/first.txt`, 'first\n')
    await expect.poll(lagSeconds, { timeout: SYNC_TIMEOUT_MS }).toBeGreaterThan(0)
    // The source's head moves on while nothing is applied: the lag keeps rising.
    const earlier = await lagSeconds()
    await writeFilerFile(filers.A.httpAddress, `${dir}/second.txt`, 'second\n')
    await expect.poll(lagSeconds, { timeout: SYNC_TIMEOUT_MS }).toBeGreaterThan(earlier + 1)
    expect(await readFilerFile(filers.B.httpAddress, `${dir}/first.txt`)).toBeUndefined()
    expect((await api.direction(edgeId)).lagSeconds).toBeGreaterThan(0)

    // The pause is stored: a reload shows the same.
    await page.reload()
    await dashboard.selectEdge(A, B)
    await expect(direction.state).toHaveText('paused')
    await expect.poll(lagSeconds, { timeout: SYNC_TIMEOUT_MS }).toBeGreaterThan(earlier)

    await dashboard.edgeDetails.getByRole('button', { name: 'Resume' }).click()
    await expect(direction.state).toHaveText('in sync', { timeout: SYNC_TIMEOUT_MS })
    await expect(direction.lag).toHaveText('0 s')
    expect(await readFilerFile(filers.B.httpAddress, `${dir}/first.txt`)).toBe('first\n')
    expect(await readFilerFile(filers.B.httpAddress, `${dir}/second.txt`)).toBe('second\n')
    expect((await api.edges()).find((e) => e.id === edgeId)?.paused).toBe(false)
  })
})
