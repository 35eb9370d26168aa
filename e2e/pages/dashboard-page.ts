/**
 * The dashboard as a user sees it, by the roles and names of apps/web/SPEC.md only (the contract
 * between the dashboard and these tests): no CSS selectors, no component internals. The one
 * exception is the graph, read through `window.__seasyncCy` as SPEC.md offers for tests.
 */
import { expect, type Locator, type Page } from '@playwright/test'

/** A cluster as the forms take it. */
export interface ClusterInput {
  readonly name: string
  readonly addresses: readonly string[]
}

/** An edge as the edge form takes it (clusters by the name the form lists). */
export interface EdgeInput {
  readonly a: string
  readonly pathA: string
  readonly b: string
  readonly pathB: string
  readonly mode: 'active-active' | 'one-way'
}

/** What the graph holds for one element (`window.__seasyncCy`). */
export interface GraphElement {
  readonly id: string
  readonly classes: readonly string[]
}

/** State texts of SPEC.md, "Edge details". */
export type StateText =
  'in sync' | 'catching up' | 'falling behind' | 'stalled' | 'paused' | 'error' | 'starting'

/** `12.4 s`, `3 min 5 s`, `1 h 2 min` → seconds; NaN when the text is no duration. */
export function parseLag(text: string): number {
  const units: Record<string, number> = { ms: 0.001, s: 1, min: 60, m: 60, h: 3600, d: 86_400 }
  const parts = [...text.matchAll(/(\d+(?:\.\d+)?)\s*(ms|s|min|m|h|d)\b/g)]
  if (parts.length === 0) return Number.NaN
  return parts.reduce((sum, [, value, unit]) => sum + Number(value) * (units[unit!] ?? NaN), 0)
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
}

export class DashboardPage {
  readonly banner: Locator
  readonly summary: Locator
  readonly graph: Locator
  readonly edges: Locator
  readonly clusters: Locator
  readonly edgeDetails: Locator
  readonly clusterDialog: Locator
  readonly edgeDialog: Locator
  readonly tokenDialog: Locator
  readonly unreachable: Locator

  constructor(readonly page: Page) {
    this.banner = page.getByRole('banner')
    this.summary = page.getByRole('region', { name: 'Summary' })
    this.graph = page.getByTestId('topology-graph')
    this.edges = page.getByRole('list', { name: 'Edges' })
    this.clusters = page.getByRole('list', { name: 'Clusters' })
    this.edgeDetails = page.getByRole('region', { name: 'Edge details' })
    this.clusterDialog = page.getByRole('dialog', { name: /^(Add|Edit) cluster$/ })
    this.edgeDialog = page.getByRole('dialog', { name: /^(Add|Edit) edge$/ })
    this.tokenDialog = page.getByRole('dialog', { name: 'API token' })
    this.unreachable = page.getByRole('alert').filter({ hasText: 'Server unreachable' })
  }

  /** Opens the dashboard and waits for the shell. */
  async open(path = '/'): Promise<void> {
    await this.page.goto(path)
    await expect(this.banner.getByRole('heading', { name: 'SeaSync' })).toBeVisible()
  }

  /** A figure of the summary bar: `clusters`, `edges`, `worst-lag`, `not-in-sync`. */
  summaryFigure(name: 'clusters' | 'edges' | 'worst-lag' | 'not-in-sync'): Locator {
    return this.summary.getByTestId(`summary-${name}`)
  }

  toolbarButton(
    name: 'Add cluster' | 'Add edge' | 'Import topology' | 'Export topology' | 'Fit graph',
  ): Locator {
    return this.page.getByRole('button', { name, exact: true })
  }

  /** The cluster's button in the `Clusters` list. */
  clusterButton(name: string): Locator {
    return this.clusters.getByRole('button', { name, exact: true })
  }

  /** The edge's button in the `Edges` list: `A → B` (or `A ↔ B`) followed by its state. */
  edgeButton(a: string, b: string, mode: EdgeInput['mode'] = 'one-way'): Locator {
    const arrow = mode === 'active-active' ? '↔' : '→'
    const name = new RegExp(`^${escapeRegExp(a)} ${arrow} ${escapeRegExp(b)}\\b`)
    return this.edges.getByRole('button', { name })
  }

  /** The `A → B` direction group of the selected edge's details. */
  direction(source: string, target: string): { state: Locator; lag: Locator } {
    const group = this.edgeDetails.getByRole('group', { name: `${source} → ${target}` })
    return { state: group.getByTestId('direction-state'), lag: group.getByTestId('direction-lag') }
  }

  /** Fills and saves the cluster form (opened by `Add cluster` unless already open). */
  async fillClusterForm(cluster: ClusterInput): Promise<void> {
    if (!(await this.clusterDialog.isVisible())) await this.toolbarButton('Add cluster').click()
    await expect(this.clusterDialog).toBeVisible()
    await this.clusterDialog.getByLabel('Name', { exact: true }).fill(cluster.name)
    await this.clusterDialog
      .getByLabel('Filer addresses', { exact: true })
      .fill(cluster.addresses.join('\n'))
  }

  /** Adds a cluster through the form and waits until the dialog closed (saved). */
  async addCluster(cluster: ClusterInput): Promise<void> {
    await this.fillClusterForm(cluster)
    await this.clusterDialog.getByRole('button', { name: 'Save' }).click()
    await expect(this.clusterDialog).toBeHidden()
  }

  /** Fills the edge form (opened by `Add edge`) without saving. */
  async fillEdgeForm(edge: EdgeInput): Promise<void> {
    if (!(await this.edgeDialog.isVisible())) await this.toolbarButton('Add edge').click()
    const form = this.edgeDialog
    await expect(form).toBeVisible()
    await form.getByLabel('Cluster A', { exact: true }).selectOption(edge.a)
    await form.getByLabel('Path A', { exact: true }).fill(edge.pathA)
    await form.getByLabel('Cluster B', { exact: true }).selectOption(edge.b)
    await form.getByLabel('Path B', { exact: true }).fill(edge.pathB)
    await form.getByLabel('Mode', { exact: true }).selectOption(edge.mode)
  }

  /** Clicks `Save` in the open edge form. */
  async saveEdgeForm(): Promise<void> {
    await this.edgeDialog.getByRole('button', { name: 'Save' }).click()
  }

  /** Adds an edge through the form and waits until the dialog closed (saved). */
  async addEdge(edge: EdgeInput): Promise<void> {
    await this.fillEdgeForm(edge)
    await this.saveEdgeForm()
    await expect(this.edgeDialog).toBeHidden()
  }

  /** Selects the edge (its button in the `Edges` list) and waits for its details. */
  async selectEdge(a: string, b: string, mode: EdgeInput['mode'] = 'one-way'): Promise<void> {
    await this.edgeButton(a, b, mode).click()
    await expect(this.edgeDetails).toBeVisible()
  }

  /** Every node and edge of the graph with its classes (empty before the graph exists). */
  async graphElements(): Promise<GraphElement[]> {
    return this.page.evaluate(() => {
      interface CyElement {
        id(): string
        classes(): string[]
      }
      const cy = (window as { __seasyncCy?: { elements(): { toArray(): CyElement[] } } })
        .__seasyncCy
      if (cy === undefined) return []
      return cy
        .elements()
        .toArray()
        .map((element) => ({ id: element.id(), classes: element.classes() }))
    })
  }

  /** The classes of one graph element, or undefined when the graph has no such element. */
  async graphClasses(id: string): Promise<readonly string[] | undefined> {
    return (await this.graphElements()).find((element) => element.id === id)?.classes
  }
}
