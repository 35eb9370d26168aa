import { expect, test } from '../fixtures.js'

test.describe('the served dashboard', () => {
  test('loads at /, and a deep link reload gets the same app', async ({ api, dashboard, page }) => {
    await dashboard.open()
    await expect(dashboard.summaryFigure('clusters')).toHaveText('0')
    await expect(dashboard.summaryFigure('edges')).toHaveText('0')
    expect(await api.clusters()).toEqual([])

    // The SPA fallback: any non-API path that asks for HTML is the app.
    const response = await page.goto('/some/deep/link')
    expect(response?.status()).toBe(200)
    await expect(dashboard.banner.getByRole('heading', { name: 'SeaSync' })).toBeVisible()
  })
})
