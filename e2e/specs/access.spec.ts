import { join } from 'node:path'
import { expect, test as base } from '../fixtures.js'
import { startServer } from '../support/processes.js'

const TOKEN = 'e2e-token-5d1f0c9a7b3e4a62'

/** A second `seasync serve`, with SEASYNC_API_TOKEN set, for this file's tests only. */
const test = base.extend<object, { tokenServerUrl: string }>({
  tokenServerUrl: [
    async ({ e2e }, use) => {
      const server = await startServer({
        dataDir: join(e2e.dir, 'token-server'),
        apiToken: TOKEN,
      })
      try {
        await use(server.url)
      } finally {
        await server.process.stop()
      }
    },
    { scope: 'worker' },
  ],
})

test.describe('access', () => {
  test('asks for the API token when the server has one, then works', async ({
    dashboard,
    page,
    tokenServerUrl,
  }) => {
    // The API refuses without the token; the page itself loads without one.
    expect((await fetch(`${tokenServerUrl}/api/v1/topology`)).status).toBe(401)

    await page.goto(tokenServerUrl)
    await expect(dashboard.tokenDialog).toBeVisible()
    const field = dashboard.tokenDialog.getByLabel('API token', { exact: true })
    await expect(field).toHaveAttribute('type', 'password')

    // A wrong token is refused and asked for again.
    await field.fill('not-the-token-0000000000')
    await dashboard.tokenDialog.getByRole('button', { name: 'Connect' }).click()
    await expect(dashboard.tokenDialog).toContainText('refused')

    await dashboard.tokenDialog.getByLabel('API token', { exact: true }).fill(TOKEN)
    await dashboard.tokenDialog.getByRole('button', { name: 'Connect' }).click()
    await expect(dashboard.tokenDialog).toBeHidden()
    await expect(dashboard.summaryFigure('clusters')).toHaveText('0')
    await expect(dashboard.toolbarButton('Add cluster')).toBeEnabled()

    // Kept for the tab: a reload does not ask again.
    await page.reload()
    await expect(dashboard.summaryFigure('clusters')).toHaveText('0')
    await expect(dashboard.tokenDialog).toBeHidden()
  })

  test('says when the server is unreachable, and recovers when it is back', async ({
    dashboard,
    e2e,
    page,
  }) => {
    // A server of its own, stopped and started again on the same port and data.
    const dataDir = join(e2e.dir, 'restarted-server')
    let server = await startServer({ dataDir })
    try {
      const port = Number(new URL(server.url).port)
      await page.goto(server.url)
      await expect(dashboard.summaryFigure('clusters')).toHaveText('0')
      await expect(dashboard.unreachable).toBeHidden()

      await server.process.stop()
      await expect(dashboard.unreachable).toBeVisible({ timeout: 30_000 })
      // What was shown stays, marked as possibly out of date.
      await expect(dashboard.summaryFigure('clusters')).toHaveText('0')

      server = await startServer({ dataDir, port })
      await expect(dashboard.unreachable).toBeHidden({ timeout: 45_000 })
      await expect(dashboard.banner.getByRole('heading', { name: 'SeaSync' })).toBeVisible()
    } finally {
      await server.process.stop()
    }
  })
})
