import { expect, test } from '../fixtures.js'
import { CLUSTERS, oneWay, topology } from '../support/seed.js'
import type { TopologyGraph } from '@seasync/server/api-types'

test.describe('editing the topology', () => {
  test('creates two clusters and an edge through the forms; a reload shows the same', async ({
    api,
    dashboard,
    filers,
    page,
    shot,
  }) => {
    await dashboard.open()
    await expect(dashboard.summaryFigure('clusters')).toHaveText('0')

    await dashboard.fillClusterForm({ name: CLUSTERS.A.name, addresses: [filers.A.address] })
    await shot('cluster-form')
    await dashboard.clusterDialog.getByRole('button', { name: 'Save' }).click()
    await expect(dashboard.clusterDialog).toBeHidden()
    await dashboard.addCluster({ name: CLUSTERS.B.name, addresses: [filers.B.address] })
    await expect(dashboard.clusterButton(CLUSTERS.A.name)).toBeVisible()
    await expect(dashboard.clusterButton(CLUSTERS.B.name)).toBeVisible()
    await expect(dashboard.summaryFigure('clusters')).toHaveText('2')

    await dashboard.addEdge({
      a: CLUSTERS.A.name,
      pathA: '/',
      b: CLUSTERS.B.name,
      pathB: '/',
      mode: 'one-way',
    })
    await expect(dashboard.edgeButton(CLUSTERS.A.name, CLUSTERS.B.name)).toBeVisible()
    await expect(dashboard.summaryFigure('edges')).toHaveText('1')

    // Stored as entered, with the ids the server derives from the names.
    expect((await api.clusters()).map((c) => [c.id, c.name, c.addresses])).toEqual([
      [CLUSTERS.A.id, CLUSTERS.A.name, [filers.A.address]],
      [CLUSTERS.B.id, CLUSTERS.B.name, [filers.B.address]],
    ])
    const edges = await api.edges()
    expect(edges.map((e) => [e.id, e.a.cluster, e.a.path, e.b.cluster, e.b.path, e.mode])).toEqual([
      [oneWay('A', 'B').id, CLUSTERS.A.id, '/', CLUSTERS.B.id, '/', 'one-way'],
    ])

    // The graph holds both clusters and the edge, and the new edge starts replicating.
    await expect
      .poll(async () => (await dashboard.graphElements()).map((e) => e.id).sort())
      .toEqual([CLUSTERS.A.id, CLUSTERS.B.id, oneWay('A', 'B').id].sort())
    await expect(dashboard.edgeButton(CLUSTERS.A.name, CLUSTERS.B.name)).toHaveAccessibleName(
      /in sync/,
      { timeout: 30_000 },
    )
    await shot('graph')

    await page.reload()
    await expect(dashboard.clusterButton(CLUSTERS.A.name)).toBeVisible()
    await expect(dashboard.clusterButton(CLUSTERS.B.name)).toBeVisible()
    await expect(dashboard.edgeButton(CLUSTERS.A.name, CLUSTERS.B.name)).toBeVisible()
    await expect(dashboard.summaryFigure('clusters')).toHaveText('2')
    await expect(dashboard.summaryFigure('edges')).toHaveText('1')
  })

  test('refuses an edge that closes a loop, marks the loop and saves nothing', async ({
    api,
    dashboard,
    filers,
    shot,
  }) => {
    const chain = [oneWay('A', 'B'), oneWay('B', 'C')]
    await api.putTopology(topology(filers, chain))
    const before = await api.topology()
    await dashboard.open()
    await expect(dashboard.edgeButton(CLUSTERS.B.name, CLUSTERS.C.name)).toBeVisible()

    // C → A would make A → B → C → A.
    await dashboard.fillEdgeForm({
      a: CLUSTERS.C.name,
      pathA: '/',
      b: CLUSTERS.A.name,
      pathB: '/',
      mode: 'one-way',
    })
    await dashboard.saveEdgeForm()
    const refusal = dashboard.edgeDialog.getByRole('alert')
    await expect(refusal).toContainText(/loop/i)
    await expect(dashboard.edgeDialog).toBeVisible()

    // The edges and clusters on the loop are marked in the graph, the refused edge drawn as
    // `__proposed` (SPEC.md, "Graph").
    const onLoop = [...chain.map((e) => e.id), CLUSTERS.A.id, CLUSTERS.B.id, CLUSTERS.C.id]
    for (const id of [...onLoop, '__proposed']) {
      await expect.poll(() => dashboard.graphClasses(id), { message: id }).toContain('loop')
    }
    await shot('refused-loop')

    // Nothing was saved: the server's topology is what it was (the clusters' live health aside).
    const stored = (graph: TopologyGraph) => ({
      ...graph,
      clusters: graph.clusters.map(({ status: _live, ...cluster }) => cluster),
    })
    expect(stored(await api.topology())).toEqual(stored(before))
    await dashboard.edgeDialog.getByRole('button', { name: 'Cancel' }).click()
    await expect(dashboard.edgeDialog).toBeHidden()
    await expect(dashboard.summaryFigure('edges')).toHaveText('2')
    expect((await api.edges()).map((e) => e.id)).toEqual(chain.map((e) => e.id))

    // The mark outlives the dialog until cleared.
    await dashboard.page.getByRole('button', { name: 'Clear loop highlight' }).click()
    for (const id of onLoop) {
      await expect.poll(() => dashboard.graphClasses(id), { message: id }).not.toContain('loop')
    }
    expect(await dashboard.graphClasses('__proposed')).toBeUndefined()
  })
})
