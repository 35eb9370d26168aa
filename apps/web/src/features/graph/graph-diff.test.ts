import { describe, expect, it } from 'vitest'
import { diffElements, isEmptyDiff } from './graph-diff'
import type { GraphElement } from './graph-model'

const node = (id: string, label = id, classes: string[] = ['cluster']): GraphElement => ({
  group: 'nodes',
  data: { id, label },
  classes,
})
const link = (id: string, source: string, target: string, state = 'in-sync'): GraphElement => ({
  group: 'edges',
  data: { id, source, target, state },
  classes: [state],
})
const drawn = (elements: GraphElement[]) => new Map(elements.map((e) => [e.data.id, e]))

describe('diffElements', () => {
  it('adds everything to an empty graph, nodes before edges', () => {
    const diff = diffElements(new Map(), [link('e', 'a', 'b'), node('a'), node('b')])
    expect(diff.add.map((e) => e.data.id)).toEqual(['a', 'b', 'e'])
    expect(diff.remove).toEqual([])
    expect(diff.update).toEqual([])
  })

  it('finds nothing to do for equal elements', () => {
    const elements = [node('a'), node('b'), link('e', 'a', 'b')]
    const copy = elements.map((e) => ({ ...e, data: { ...e.data }, classes: [...e.classes] }))
    expect(isEmptyDiff(diffElements(drawn(elements), copy))).toBe(true)
  })

  it('updates in place when only data or classes change (a status tick)', () => {
    const before = [node('a'), node('b'), link('e', 'a', 'b')]
    const after = [node('a', 'a\nreachable'), node('b'), link('e', 'a', 'b', 'stalled')]
    const diff = diffElements(drawn(before), after)
    expect(diff.add).toEqual([])
    expect(diff.remove).toEqual([])
    expect(diff.update.map((e) => e.data.id)).toEqual(['a', 'e'])
  })

  it('removes what is gone', () => {
    const diff = diffElements(drawn([node('a'), node('b'), link('e', 'a', 'b')]), [node('a')])
    expect([...diff.remove].sort()).toEqual(['b', 'e'])
  })

  it('replaces an edge whose endpoints changed', () => {
    const diff = diffElements(drawn([node('a'), node('b'), node('c'), link('e', 'a', 'b')]), [
      node('a'),
      node('b'),
      node('c'),
      link('e', 'a', 'c'),
    ])
    expect(diff.remove).toEqual(['e'])
    expect(diff.add.map((e) => e.data['target'])).toEqual(['c'])
  })
})
