import { describe, expect, it } from 'vitest'
import type { EdgeSpec } from '../../src/topology/topology-model.js'
import { describeLoop, validateTopology } from '../../src/topology/validate-topology.js'
import { edge, loopEdgeIds } from './topology-fixtures.js'

/** The refused loop of `edges`, failing the test when they are accepted. */
function refusal(edges: readonly EdgeSpec[]) {
  const result = validateTopology(edges)
  if (result.valid) throw new Error('expected the topology to be refused')
  return result.loop
}

// The seed topologies of filer-sync-wiki.md, each of which must be accepted.
describe('seed topologies are accepted', () => {
  it('no edges at all', () => {
    expect(validateTopology([])).toEqual({ valid: true })
  })

  it('chained setup: A → B → C on /', () => {
    const edges = [edge('ab', 'A:/', 'B:/', 'one-way'), edge('bc', 'B:/', 'C:/', 'one-way')]
    expect(validateTopology(edges)).toEqual({ valid: true })
  })

  it('chained setup, active-active: A ↔ B ↔ C on /', () => {
    expect(validateTopology([edge('ab', 'A:/', 'B:/'), edge('bc', 'B:/', 'C:/')])).toEqual({
      valid: true,
    })
  })

  it('one master, multiple followers: A → B, A → C, A → D', () => {
    const edges = ['B', 'C', 'D'].map((to) => edge(`a${to}`, 'A:/', `${to}:/`, 'one-way'))
    expect(validateTopology(edges)).toEqual({ valid: true })
  })

  it('multiple active-active clusters with chained followers: A ↔ B, B → C, C → D, A → E', () => {
    const edges = [
      edge('ab', 'A:/', 'B:/'),
      edge('bc', 'B:/', 'C:/', 'one-way'),
      edge('cd', 'C:/', 'D:/', 'one-way'),
      edge('ae', 'A:/', 'E:/', 'one-way'),
    ]
    expect(validateTopology(edges)).toEqual({ valid: true })
  })

  it('different sync strategy for different folders of the same two clusters', () => {
    const edges = [
      edge('x', 'A:/buckets/x', 'B:/buckets/x'),
      edge('y', 'A:/buckets/y', 'B:/buckets/y', 'one-way'),
      edge('logs', 'B:/logs', 'A:/logs', 'one-way'),
    ]
    expect(validateTopology(edges)).toEqual({ valid: true })
  })

  it("the wiki's own folders: /home/chris ↔ /Users/chris, /home/public → /home/www/public", () => {
    const edges = [
      edge('chris', 'cluster1:/home/chris', 'cluster2:/Users/chris'),
      edge('public', 'cluster1:/home/public', 'cluster2:/home/www/public', 'one-way'),
    ]
    expect(validateTopology(edges)).toEqual({ valid: true })
  })

  it('path-mapped edges: A:/data → B:/backup/data, then B:/backup → C:/', () => {
    const edges = [
      edge('data', 'A:/data', 'B:/backup/data', 'one-way'),
      edge('backup', 'B:/backup', 'C:/', 'one-way'),
    ]
    expect(validateTopology(edges)).toEqual({ valid: true })
  })

  it('/a and /ab do not contain each other: A:/a ↔ B:/a plus A:/ab ↔ B:/ab', () => {
    const edges = [edge('a', 'A:/a', 'B:/a'), edge('ab', 'A:/ab', 'B:/ab')]
    expect(validateTopology(edges)).toEqual({ valid: true })
  })

  it('nested folders on one side only: A:/ → B:/mirror, A:/x → C:/', () => {
    const edges = [edge('all', 'A:/', 'B:/mirror', 'one-way'), edge('x', 'A:/x', 'C:/', 'one-way')]
    expect(validateTopology(edges)).toEqual({ valid: true })
  })
})

describe('loops are refused and named', () => {
  it('fully connected triangle A ↔ B, B ↔ C, C ↔ A names exactly its three edges', () => {
    const loop = refusal([
      edge('e1', 'A:/', 'B:/'),
      edge('e2', 'B:/', 'C:/'),
      edge('e3', 'C:/', 'A:/'),
    ])
    expect(loop).toEqual([
      { kind: 'endpoint', cluster: 'A', path: '/' },
      { kind: 'edge', edgeId: 'e1' },
      { kind: 'endpoint', cluster: 'B', path: '/' },
      { kind: 'edge', edgeId: 'e2' },
      { kind: 'endpoint', cluster: 'C', path: '/' },
      { kind: 'edge', edgeId: 'e3' },
      { kind: 'endpoint', cluster: 'A', path: '/' },
    ])
    expect(describeLoop(loop)).toBe('A:/ —e1— B:/ —e2— C:/ —e3— A:/')
  })

  it('one-way edges count too: A → B, B → C, A → C', () => {
    const loop = refusal([
      edge('ab', 'A:/', 'B:/', 'one-way'),
      edge('bc', 'B:/', 'C:/', 'one-way'),
      edge('ac', 'A:/', 'C:/', 'one-way'),
    ])
    expect(loopEdgeIds(loop).sort()).toEqual(['ab', 'ac', 'bc'])
  })

  it('two edges A:/ ↔ B:/ are a loop of length 2 (multi-edge)', () => {
    const loop = refusal([edge('e1', 'A:/', 'B:/'), edge('e2', 'A:/', 'B:/', 'one-way')])
    expect(describeLoop(loop)).toBe('B:/ —e1— A:/ —e2— B:/')
  })

  it('an edge from an endpoint to itself is a loop of length 1', () => {
    expect(describeLoop(refusal([edge('self', 'A:/x', 'A:/x/')]))).toBe('A:/x —self— A:/x')
  })

  it('an edge into its own subtree: A:/ → A:/copy', () => {
    const loop = refusal([edge('copy', 'A:/', 'A:/copy', 'one-way')])
    expect(loop).toContainEqual({ kind: 'contains', cluster: 'A', outer: '/', inner: '/copy' })
    expect(describeLoop(loop)).toBe('A:/copy ⊂ A:/ —copy— A:/copy')
  })

  it('A:/ ↔ B:/ plus A:/x ↔ B:/y: the nearest-enclosing joins close the loop', () => {
    const loop = refusal([edge('e1', 'A:/', 'B:/'), edge('e2', 'A:/x', 'B:/y')])
    expect(loop).toEqual([
      { kind: 'endpoint', cluster: 'B', path: '/y' },
      { kind: 'contains', cluster: 'B', outer: '/', inner: '/y' },
      { kind: 'endpoint', cluster: 'B', path: '/' },
      { kind: 'edge', edgeId: 'e1' },
      { kind: 'endpoint', cluster: 'A', path: '/' },
      { kind: 'contains', cluster: 'A', outer: '/', inner: '/x' },
      { kind: 'endpoint', cluster: 'A', path: '/x' },
      { kind: 'edge', edgeId: 'e2' },
      { kind: 'endpoint', cluster: 'B', path: '/y' },
    ])
    expect(describeLoop(loop)).toBe('B:/y ⊂ B:/ —e1— A:/ ⊃ A:/x —e2— B:/y')
  })

  it('containment goes to the NEAREST enclosing endpoint, through intermediate ones', () => {
    // A:/a/b/c is joined to A:/a/b (not to A:/), which is joined to A:/.
    const loop = refusal([
      edge('top', 'A:/', 'B:/'),
      edge('mid', 'A:/a/b', 'C:/'),
      edge('deep', 'A:/a/b/c', 'B:/z'),
    ])
    expect(describeLoop(loop)).toBe('B:/z ⊂ B:/ —top— A:/ ⊃ A:/a/b ⊃ A:/a/b/c —deep— B:/z')
  })

  it('trailing slashes and // normalize to the same endpoint', () => {
    const loop = refusal([
      edge('e1', 'A://data/', 'B:/backup'),
      edge('e2', 'A:/data', 'B:/backup//'),
    ])
    expect(describeLoop(loop)).toBe('B:/backup —e1— A:/data —e2— B:/backup')
  })

  it('names the first edge, in the order given, that closes a loop', () => {
    const edges = [
      edge('e1', 'A:/', 'B:/'),
      edge('e2', 'B:/', 'C:/'),
      edge('e3', 'A:/', 'B:/'),
      edge('e4', 'C:/', 'A:/'),
    ]
    expect(loopEdgeIds(refusal(edges))).toEqual(['e1', 'e3'])
  })

  it('excludes do not change the verdict', () => {
    const edges: EdgeSpec[] = [
      {
        id: 'all',
        a: { cluster: 'A', path: '/', excludes: ['/x'] },
        b: { cluster: 'B', path: '/' },
        mode: 'one-way',
      },
      edge('x', 'A:/x', 'B:/x', 'one-way'),
    ]
    expect(loopEdgeIds(refusal(edges))).toEqual(['all', 'x'])
  })
})
