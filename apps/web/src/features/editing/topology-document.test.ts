import { describe, expect, it } from 'vitest'
import { cluster, demoTopology, edge } from '../../test/fixtures'
import { describePlan, parseDocument, serializeDocument, toDocument } from './topology-document'

describe('topology documents', () => {
  it('exports only what a declaration holds, and reads back the same in JSON and YAML', () => {
    const topology = demoTopology()
    topology.clusters[0] = cluster('demo-a', {
      embedded: true,
      tls: { ca: 'CA', cert: 'CERT', hasKey: true, https: false },
    })
    topology.edges[0] = edge('demo-a-demo-b', 'demo-a', 'demo-b', {
      paused: true,
      options: { concurrency: 4 },
      a: { cluster: 'demo-a', path: '/', excludes: ['/tmp'] },
    })
    const document = toDocument(topology)
    expect(document.clusters[0]).toEqual({
      id: 'demo-a',
      name: 'demo-a',
      addresses: ['127.0.0.1:8006'],
      embedded: true,
      tls: { ca: 'CA', cert: 'CERT', https: false },
    })
    expect(document.edges[0]).toEqual({
      id: 'demo-a-demo-b',
      a: { cluster: 'demo-a', path: '/', excludes: ['/tmp'] },
      b: { cluster: 'demo-b', path: '/' },
      mode: 'active-active',
      options: { concurrency: 4 },
      paused: true,
    })
    for (const format of ['json', 'yaml'] as const) {
      const parsed = parseDocument(serializeDocument(document, format))
      expect(parsed).toEqual({ ok: true, document, format })
    }
  })

  it('explains what is wrong with a document', () => {
    expect(parseDocument('  ')).toEqual({ ok: false, error: 'The document is empty.' })
    expect(parseDocument('{"clusters": [}')).toMatchObject({ ok: false })
    expect((parseDocument('{"clusters": [}') as { error: string }).error).toMatch(/^Not valid JSON/)
    expect(parseDocument('clusters: [\n')).toMatchObject({ ok: false })
    expect(parseDocument('- 1\n- 2')).toMatchObject({ ok: false })
    expect(parseDocument('clusters: []\n')).toEqual({ ok: false, error: '"edges" must be a list.' })
  })

  it('describes a plan, removals first', () => {
    const none = { added: [], updated: [], removed: [] }
    expect(
      describePlan({
        start: [{ edge: 'x-y', reason: 'added' }],
        stop: [],
        restart: [{ edge: 'a-b', reason: 'changed' }],
        unchanged: [],
        edges: { added: ['x-y'], updated: ['a-b'], removed: ['old'] },
        clusters: { ...none, removed: ['gone'] },
      }),
    ).toEqual([
      'Removes clusters: gone',
      'Removes edges: old',
      'Adds edges: x-y',
      'Changes edges: a-b',
      'Starts: x-y',
      'Restarts: a-b (changed)',
    ])
    expect(
      describePlan({
        start: [],
        stop: [],
        restart: [],
        unchanged: ['a'],
        edges: none,
        clusters: none,
      }),
    ).toEqual(['No change: the document is what is stored.'])
  })
})
