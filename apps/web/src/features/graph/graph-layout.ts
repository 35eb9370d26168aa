/**
 * Pure: a first layout for a small topology. Each connected part becomes a tree read left to
 * right: its busiest cluster in the first column, then the clusters one edge further in the
 * next, and so on (breadth-first); parts are stacked top to bottom. Deterministic, so the same
 * topology always gets the same picture.
 */
import type { Position } from './positions'

export interface LayoutSpacing {
  readonly columnWidth: number
  readonly rowHeight: number
  readonly partGap: number
}

export const LayoutDefaults: LayoutSpacing = { columnWidth: 390, rowHeight: 170, partGap: 40 }

export function layeredPositions(
  nodeIds: readonly string[],
  links: readonly (readonly [string, string])[],
  spacing: LayoutSpacing = LayoutDefaults,
): Record<string, Position> {
  const neighbours = new Map<string, Set<string>>(nodeIds.map((id) => [id, new Set<string>()]))
  for (const [a, b] of links) {
    if (a === b || !neighbours.has(a) || !neighbours.has(b)) continue
    neighbours.get(a)?.add(b)
    neighbours.get(b)?.add(a)
  }
  const degree = (id: string) => neighbours.get(id)?.size ?? 0
  const order = [...nodeIds].sort((x, y) => degree(y) - degree(x) || x.localeCompare(y))
  const out: Record<string, Position> = {}
  const seen = new Set<string>()
  let top = 0
  for (const root of order) {
    if (seen.has(root)) continue
    // Breadth-first from the part's busiest cluster: columns are distances from it.
    const columns: string[][] = []
    let frontier = [root]
    seen.add(root)
    while (frontier.length > 0) {
      columns.push(frontier)
      const next: string[] = []
      for (const id of frontier) {
        const around = [...(neighbours.get(id) ?? [])].sort((x, y) => x.localeCompare(y))
        for (const n of around) {
          if (seen.has(n)) continue
          seen.add(n)
          next.push(n)
        }
      }
      frontier = next
    }
    const rows = Math.max(...columns.map((c) => c.length))
    const height = (rows - 1) * spacing.rowHeight
    columns.forEach((column, x) => {
      const offset = (height - (column.length - 1) * spacing.rowHeight) / 2
      column.forEach((id, y) => {
        out[id] = { x: x * spacing.columnWidth, y: top + offset + y * spacing.rowHeight }
      })
    })
    top += height + spacing.rowHeight + spacing.partGap
  }
  return out
}
