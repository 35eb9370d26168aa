/**
 * The imperative side of the graph (STYLE.md §15): one Cytoscape core, changed only through
 * diffs. A status tick updates data and classes in place; a layout runs only for the first
 * drawing (nodes without remembered positions) and places later nodes next to a neighbour, so
 * nothing the user arranged ever moves. Also: selection, search, fit, and the connect mode
 * (press on one cluster, release on another → `onConnect`; or click one, then the other).
 */
import cytoscape, { type Core, type EventObject, type NodeSingular } from 'cytoscape'
import { diffElements } from './graph-diff'
import type { GraphElement } from './graph-model'
import { layeredPositions } from './graph-layout'
import { graphStylesheet } from './graph-styles'
import { localPositionStore, type Position, type PositionStore } from './positions'

export type GraphSelection = { readonly kind: 'edge' | 'cluster'; readonly id: string }

export interface GraphCallbacks {
  onSelect(selection: GraphSelection | null): void
  onConnect(sourceClusterId: string, targetClusterId: string): void
}

declare global {
  interface Window {
    /** The Cytoscape core, for tests and debugging (read-only use; apps/web/SPEC.md). */
    __seasyncCy?: Core
  }
}

const GHOST_NODE = '__connect-ghost'
const GHOST_EDGE = '__connect-ghost-edge'
/** Transient classes the controller owns (kept across model updates). */
type Transient = 'match' | 'dimmed' | 'connect-source'

export class GraphController {
  private cy: Core | undefined
  private drawn = new Map<string, GraphElement>()
  private transient = new Map<string, Set<Transient>>()
  private connectMode = false
  private connectSource: NodeSingular | undefined
  private pendingSource: NodeSingular | undefined
  /** How many layouts ran (tests check that status updates never lay out). */
  layoutRuns = 0
  /** Until the user pans or zooms, the graph is kept fitted to the canvas as it resizes. */
  private autoFit = true

  constructor(
    private readonly callbacks: GraphCallbacks,
    private readonly positions: PositionStore = localPositionStore(),
  ) {}

  /**
   * Creates the core in `container`; headless without one, or where nothing can be drawn (no
   * canvas: tests in jsdom), so the lists and details still work.
   */
  mount(container: HTMLElement | undefined): Core {
    const drawable = container !== undefined && canvasSupported()
    const cy = cytoscape({
      ...(drawable && { container }),
      headless: !drawable,
      styleEnabled: true,
      style: graphStylesheet(),
      minZoom: 0.1,
      maxZoom: 3,
      boxSelectionEnabled: false,
      selectionType: 'single',
    })
    this.cy = cy
    if (typeof window !== 'undefined') window.__seasyncCy = cy
    cy.on('tap', (event: EventObject) => this.onTap(event))
    cy.on('dragfree', 'node.cluster', () => this.savePositions())
    cy.on('tapstart', 'node.cluster', (event: EventObject) => this.onConnectStart(event))
    cy.on('tapdrag', (event: EventObject) => {
      if (this.connectSource !== undefined) cy.$id(GHOST_NODE).position({ ...event.position })
    })
    cy.on('tapend', (event: EventObject) => this.onConnectEnd(event))
    cy.on('scrollzoom dragpan pinchzoom', () => {
      this.autoFit = false
    })
    return cy
  }

  destroy(): void {
    if (typeof window !== 'undefined' && window.__seasyncCy === this.cy) delete window.__seasyncCy
    this.cy?.destroy()
    this.cy = undefined
    this.drawn.clear()
  }

  get core(): Core | undefined {
    return this.cy
  }

  /** Makes the graph show `elements`, changing only what differs. */
  setElements(elements: readonly GraphElement[]): void {
    const cy = this.cy
    if (cy === undefined) return
    const diff = diffElements(this.drawn, elements)
    if (diff.add.length === 0 && diff.remove.length === 0 && diff.update.length === 0) return
    const firstDrawing = cy.nodes('.cluster').length === 0
    const saved = this.positions.load()
    const unplaced: string[] = []
    cy.batch(() => {
      for (const id of diff.remove) {
        cy.$id(id).remove()
        this.drawn.delete(id)
      }
      for (const element of diff.add) {
        const position = element.group === 'nodes' ? saved[element.data.id] : undefined
        if (element.group === 'nodes' && position === undefined) unplaced.push(element.data.id)
        cy.add({
          group: element.group,
          data: { ...element.data },
          classes: this.classesOf(element),
          ...(position !== undefined && { position: { ...position } }),
        })
        this.drawn.set(element.data.id, element)
      }
      for (const element of diff.update) {
        const ele = cy.$id(element.data.id)
        ele.data({ ...element.data })
        ele.classes(this.classesOf(element))
        this.drawn.set(element.data.id, element)
      }
    })
    if (unplaced.length === 0) return
    if (firstDrawing && unplaced.length === cy.nodes('.cluster').length) {
      this.layoutAll()
    } else {
      this.placeNearNeighbours(unplaced)
    }
  }

  private classesOf(element: GraphElement): string {
    const extra = this.transient.get(element.data.id)
    return [...element.classes, ...(extra ?? [])].join(' ')
  }

  private layoutAll(): void {
    const cy = this.cy
    if (cy === undefined) return
    this.layoutRuns += 1
    const nodes = cy.nodes('.cluster')
    if (nodes.length <= 30) {
      const positions = layeredPositions(
        nodes.map((n) => n.id()),
        cy.edges().map((e) => [e.source().id(), e.target().id()] as const),
      )
      cy.layout({ name: 'preset', positions, animate: false, fit: false }).run()
    } else {
      cy.layout({
        name: 'cose',
        animate: false,
        randomize: true,
        nodeRepulsion: () => 400_000,
        idealEdgeLength: () => 160,
        padding: 40,
      }).run()
    }
    this.savePositions()
    this.fitView()
  }

  /** Fits everything with room for the overlays, never enlarging a small graph past 100 %. */
  private fitView(): void {
    const cy = this.cy
    if (cy === undefined || cy.nodes().length === 0) return
    cy.fit(undefined, 64)
    if (cy.zoom() > 1) {
      cy.zoom(1)
      cy.center()
    }
  }

  /** Puts each new node beside a placed neighbour, or right of everything. Never moves others. */
  private placeNearNeighbours(ids: readonly string[]): void {
    const cy = this.cy
    if (cy === undefined) return
    const placed = new Set(
      cy
        .nodes('.cluster')
        .map((n) => n.id())
        .filter((id) => !ids.includes(id)),
    )
    for (const id of ids) {
      const node = cy.$id(id)
      const anchor = node.neighborhood('node.cluster').filter((n) => placed.has(n.id()))[0]
      let position: Position
      if (anchor !== undefined) {
        position = this.freeSpotNear(anchor.position(), placed)
      } else if (placed.size === 0) {
        position = { x: 0, y: 0 }
      } else {
        const box = cy
          .nodes('.cluster')
          .filter((n) => placed.has(n.id()))
          .boundingBox({})
        position = this.freeSpotNear({ x: box.x2 + 120, y: box.y1 + 32 }, placed)
      }
      node.position(position)
      placed.add(id)
    }
    this.savePositions()
  }

  private freeSpotNear(origin: Position, placed: ReadonlySet<string>): Position {
    const cy = this.cy
    const taken: Position[] = []
    cy?.nodes('.cluster').forEach((n) => {
      if (placed.has(n.id())) taken.push(n.position())
    })
    const offsets: Position[] = [
      { x: 0, y: 150 },
      { x: 230, y: 0 },
      { x: -230, y: 0 },
      { x: 0, y: -150 },
      { x: 230, y: 150 },
      { x: -230, y: 150 },
      { x: 230, y: -150 },
      { x: -230, y: -150 },
    ]
    for (let ring = 1; ring <= 6; ring += 1) {
      for (const o of offsets) {
        const candidate = { x: origin.x + o.x * ring, y: origin.y + o.y * ring }
        if (
          taken.every((t) => Math.abs(t.x - candidate.x) > 190 || Math.abs(t.y - candidate.y) > 90)
        ) {
          return candidate
        }
      }
    }
    return { x: origin.x + 230, y: origin.y + 150 }
  }

  private savePositions(): void {
    const cy = this.cy
    if (cy === undefined) return
    const all = this.positions.load()
    cy.nodes('.cluster').forEach((node) => {
      const p = node.position()
      all[node.id()] = { x: Math.round(p.x), y: Math.round(p.y) }
    })
    this.positions.save(all)
  }

  /** Shows `selection` as selected (without calling back). */
  select(selection: GraphSelection | null): void {
    const cy = this.cy
    if (cy === undefined) return
    const selected = cy.$(':selected')
    // Called after every status tick: leave an unchanged selection alone (no restyle).
    if (selection !== null && selected.length === 1 && selected.id() === selection.id) return
    if (selection === null && selected.empty()) return
    selected.unselect()
    if (selection !== null) cy.$id(selection.id).select()
  }

  /** Fits the whole graph into the view (and keeps it fitted until the user pans or zooms). */
  fit(): void {
    this.autoFit = true
    this.fitView()
  }

  /** Zooms by `factor` around the centre of the canvas. */
  zoomBy(factor: number): void {
    const cy = this.cy
    if (cy === undefined) return
    this.autoFit = false
    cy.zoom({
      level: cy.zoom() * factor,
      renderedPosition: { x: cy.width() / 2, y: cy.height() / 2 },
    })
  }

  /** The canvas changed size: redraw, and refit unless the user arranged the view. */
  resized(): void {
    const cy = this.cy
    if (cy === undefined) return
    cy.resize()
    if (this.autoFit) this.fitView()
  }

  /** Centres the view on one element, keeping the zoom (never zooming out of what is shown). */
  focus(id: string): void {
    const cy = this.cy
    const ele = cy?.$id(id)
    if (cy === undefined || ele === undefined || ele.empty()) return
    // Already in view: leave the view alone (a fitted graph stays fitted).
    const box = ele.renderedBoundingBox({})
    if (box.x1 >= 0 && box.y1 >= 0 && box.x2 <= cy.width() && box.y2 <= cy.height()) return
    this.autoFit = false
    cy.animate({ center: { eles: ele } }, { duration: 250 })
  }

  /**
   * Marks clusters whose name contains `query` (case-insensitive) and dims everything else;
   * an empty query clears. Returns the matching cluster ids.
   */
  search(query: string): string[] {
    const cy = this.cy
    if (cy === undefined) return []
    const q = query.trim().toLowerCase()
    const matches =
      q === ''
        ? []
        : cy
            .nodes('.cluster')
            .filter((n) => String(n.data('name')).toLowerCase().includes(q))
            .map((n) => n.id())
    const matched = new Set(matches)
    cy.batch(() => {
      cy.elements().forEach((ele: cytoscape.SingularElementReturnValue) => {
        const id = ele.id()
        const set = this.transient.get(id) ?? new Set<Transient>()
        set.delete('match')
        set.delete('dimmed')
        ele.removeClass('match dimmed')
        if (q !== '') {
          const hit = ele.isEdge()
            ? matched.has(ele.source().id()) || matched.has(ele.target().id())
            : matched.has(id)
          if (ele.isNode() && hit) set.add('match')
          if (!hit) set.add('dimmed')
          ele.addClass([...set].join(' '))
        }
        this.transient.set(id, set)
      })
    })
    return matches
  }

  /** In connect mode, nodes cannot be moved: pressing on one starts an edge. */
  setConnectMode(on: boolean): void {
    this.connectMode = on
    this.cy?.autoungrabify(on)
    if (!on) this.cancelConnect()
  }

  private onTap(event: EventObject): void {
    if (this.connectMode) return
    const target = event.target as Core | cytoscape.SingularElementReturnValue
    if (target === this.cy) {
      this.callbacks.onSelect(null)
      return
    }
    const ele = target as cytoscape.SingularElementReturnValue
    const id = ele.id()
    if (id === GHOST_NODE || id === GHOST_EDGE) return
    if (ele.isNode()) this.callbacks.onSelect({ kind: 'cluster', id })
    else if (id !== '__proposed') this.callbacks.onSelect({ kind: 'edge', id })
  }

  private onConnectStart(event: EventObject): void {
    const cy = this.cy
    if (!this.connectMode || cy === undefined) return
    const source = event.target as NodeSingular
    this.connectSource = source
    cy.userPanningEnabled(false)
    this.mark(source, 'connect-source', true)
    cy.add([
      {
        group: 'nodes',
        data: { id: GHOST_NODE },
        classes: 'ghost',
        position: { ...event.position },
      },
      {
        group: 'edges',
        data: { id: GHOST_EDGE, source: source.id(), target: GHOST_NODE },
        classes: 'ghost-edge',
      },
    ])
  }

  private onConnectEnd(event: EventObject): void {
    const cy = this.cy
    const source = this.connectSource
    if (!this.connectMode || cy === undefined || source === undefined) return
    this.connectSource = undefined
    cy.$id(GHOST_EDGE).remove()
    cy.$id(GHOST_NODE).remove()
    cy.userPanningEnabled(true)
    const target = this.clusterAt(event.position)
    if (target === undefined) {
      this.cancelConnect()
      this.mark(source, 'connect-source', false)
      return
    }
    if (target.id() === source.id()) {
      // A click, not a drag: remember it and wait for the click on the other cluster.
      const pending = this.pendingSource
      if (pending !== undefined && pending.id() !== source.id()) {
        this.cancelConnect()
        this.callbacks.onConnect(pending.id(), source.id())
      } else {
        this.pendingSource = source
      }
      return
    }
    this.cancelConnect()
    this.mark(source, 'connect-source', false)
    this.callbacks.onConnect(source.id(), target.id())
  }

  private cancelConnect(): void {
    const cy = this.cy
    if (cy === undefined) return
    cy.$id(GHOST_EDGE).remove()
    cy.$id(GHOST_NODE).remove()
    cy.userPanningEnabled(true)
    for (const node of [this.pendingSource, this.connectSource]) {
      if (node !== undefined && !node.removed()) this.mark(node, 'connect-source', false)
    }
    this.pendingSource = undefined
    this.connectSource = undefined
  }

  private mark(node: NodeSingular, cls: Transient, on: boolean): void {
    const set = this.transient.get(node.id()) ?? new Set<Transient>()
    if (on) set.add(cls)
    else set.delete(cls)
    this.transient.set(node.id(), set)
    if (on) node.addClass(cls)
    else node.removeClass(cls)
  }

  /** The cluster node whose box contains `position` (model coordinates). */
  private clusterAt(position: Position): NodeSingular | undefined {
    const cy = this.cy
    if (cy === undefined) return undefined
    const hits = cy.nodes('.cluster').filter((node) => {
      const box = node.boundingBox({ includeLabels: false })
      return (
        position.x >= box.x1 && position.x <= box.x2 && position.y >= box.y1 && position.y <= box.y2
      )
    })
    return hits.length > 0 ? hits[0] : undefined
  }
}

function canvasSupported(): boolean {
  if (typeof navigator !== 'undefined' && navigator.userAgent.includes('jsdom')) return false
  try {
    return document.createElement('canvas').getContext('2d') !== null
  } catch {
    return false
  }
}
