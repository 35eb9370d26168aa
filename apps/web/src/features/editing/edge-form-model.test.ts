import { describe, expect, it } from 'vitest'
import { edge } from '../../test/fixtures'
import {
  edgeValues,
  emptyEdgeValues,
  loopHighlight,
  parseExcludes,
  toEdgeBody,
  toEdgePatch,
} from './edge-form-model'

describe('toEdgeBody', () => {
  it('builds the create body: paths, excludes, mode, only the options set', () => {
    const values = {
      ...emptyEdgeValues('dc1', 'dc2'),
      pathA: ' /buckets ',
      excludesA: '/buckets/tmp, /buckets/cache\n\n',
      mode: 'one-way' as const,
      concurrency: '8',
      doDeleteFiles: false,
      sideB: {
        filerProxy: 'true' as const,
        replication: '001',
        collection: '',
        ttlSec: '',
        diskType: 'ssd',
      },
    }
    const { body, errors } = toEdgeBody(values)
    expect(errors).toEqual({})
    expect(body).toEqual({
      a: { cluster: 'dc1', path: '/buckets', excludes: ['/buckets/tmp', '/buckets/cache'] },
      b: { cluster: 'dc2', path: '/', excludes: [] },
      mode: 'one-way',
      options: {
        concurrency: 8,
        doDeleteFiles: false,
        b: { filerProxy: true, replication: '001', diskType: 'ssd' },
      },
    })
  })

  it('names each field that is wrong, by its label', () => {
    const { errors } = toEdgeBody({
      ...emptyEdgeValues(),
      pathB: 'relative',
      excludesA: 'tmp',
      chunkConcurrency: '0',
      sideA: { filerProxy: '', replication: '1', collection: '', ttlSec: '-1', diskType: '' },
    })
    expect(Object.keys(errors).sort()).toEqual([
      'Chunk concurrency',
      'Cluster A',
      'Cluster B',
      'Excludes A',
      'Path B',
      'Replication A',
      'TTL A',
    ])
  })
})

describe('toEdgePatch', () => {
  const stored = edge('dc1-dc2', 'dc1', 'dc2', { options: { concurrency: 8 } })

  it('is undefined when nothing changed (options compared regardless of key order)', () => {
    const { body } = toEdgeBody(edgeValues(stored))
    expect(toEdgePatch(stored, body)).toBeUndefined()
  })

  it('holds only what changed, options replaced whole', () => {
    const values = { ...edgeValues(stored), pathB: '/copy', chunkConcurrency: '4' }
    const { body } = toEdgeBody(values)
    expect(toEdgePatch(stored, body)).toEqual({
      b: { cluster: 'dc2', path: '/copy', excludes: [] },
      options: { concurrency: 8, chunkConcurrency: 4 },
    })
  })
})

it('parseExcludes splits on commas and new lines', () => {
  expect(parseExcludes(' /a ,/b\n/c,,\n')).toEqual(['/a', '/b', '/c'])
})

describe('loopHighlight', () => {
  it('collects the loop’s edges and clusters, and keeps the proposed edge', () => {
    const highlight = loopHighlight(
      {
        valid: false,
        loop: [
          { kind: 'endpoint', cluster: 'a', path: '/x' },
          { kind: 'contains', cluster: 'a', outer: '/', inner: '/x' },
          { kind: 'edge', edgeId: 'a-b' },
          { kind: 'endpoint', cluster: 'b', path: '/' },
          { kind: 'edge', edgeId: 'b-a' },
          { kind: 'endpoint', cluster: 'a', path: '/x' },
        ],
      },
      { id: 'b-a', source: 'b', target: 'a' },
    )
    expect(highlight).toEqual({
      edges: ['a-b', 'b-a'],
      clusters: ['a', 'b'],
      proposed: { id: 'b-a', source: 'b', target: 'a' },
    })
  })

  it('is undefined for a refusal that is not a loop', () => {
    expect(loopHighlight({ valid: false })).toBeUndefined()
  })
})
