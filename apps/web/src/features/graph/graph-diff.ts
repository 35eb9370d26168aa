/**
 * Pure: what to do to a drawn graph to make it show `next`. Elements are matched by id; an
 * element whose data or classes changed is updated in place (no re-layout, no flicker), and one
 * whose endpoints changed (an edited edge now joins other clusters) is removed and added again.
 */
import type { ElementData, GraphElement } from './graph-model'

export interface GraphDiff {
  readonly add: readonly GraphElement[]
  readonly remove: readonly string[]
  readonly update: readonly GraphElement[]
}

export function diffElements(
  previous: ReadonlyMap<string, GraphElement>,
  next: readonly GraphElement[],
): GraphDiff {
  const add: GraphElement[] = []
  const update: GraphElement[] = []
  const remove: string[] = []
  const seen = new Set<string>()
  for (const element of next) {
    seen.add(element.data.id)
    const before = previous.get(element.data.id)
    if (before === undefined) {
      add.push(element)
    } else if (before.group !== element.group || endpointsChanged(before.data, element.data)) {
      remove.push(element.data.id)
      add.push(element)
    } else if (
      !sameData(before.data, element.data) ||
      !sameClasses(before.classes, element.classes)
    ) {
      update.push(element)
    }
  }
  for (const id of previous.keys()) if (!seen.has(id)) remove.push(id)
  // Nodes before edges, so an added edge always finds its endpoints.
  add.sort((x, y) => (x.group === y.group ? 0 : x.group === 'nodes' ? -1 : 1))
  return { add, remove, update }
}

/** True when the diff changes nothing. */
export function isEmptyDiff(diff: GraphDiff): boolean {
  return diff.add.length === 0 && diff.remove.length === 0 && diff.update.length === 0
}

function endpointsChanged(a: ElementData, b: ElementData): boolean {
  return a['source'] !== b['source'] || a['target'] !== b['target']
}

function sameData(a: ElementData, b: ElementData): boolean {
  const keys = Object.keys(a)
  if (keys.length !== Object.keys(b).length) return false
  return keys.every((key) => a[key] === b[key])
}

function sameClasses(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((c, i) => c === b[i])
}
