/**
 * Pure: the edge form's values ↔ the API's edge bodies, checked before anything is sent, and a
 * refused change's loop → the elements to highlight in the graph.
 */
import type {
  Edge,
  EdgeCreateBody,
  EdgeOptions,
  EdgePatchBody,
  EdgeSideOptions,
  ValidateResponse,
} from '@seasync/server/api-types'
import type { LoopHighlight } from '../graph/graph-model'

export interface SideOptionValues {
  /** `''` (the cluster's default), `'true'` or `'false'`. */
  readonly filerProxy: '' | 'true' | 'false'
  readonly replication: string
  readonly collection: string
  readonly ttlSec: string
  readonly diskType: string
}

export interface EdgeFormValues {
  readonly clusterA: string
  readonly pathA: string
  readonly excludesA: string
  readonly clusterB: string
  readonly pathB: string
  readonly excludesB: string
  readonly mode: 'active-active' | 'one-way'
  readonly concurrency: string
  readonly chunkConcurrency: string
  readonly doDeleteFiles: boolean
  readonly paused: boolean
  readonly sideA: SideOptionValues
  readonly sideB: SideOptionValues
}

const EMPTY_SIDE: SideOptionValues = {
  filerProxy: '',
  replication: '',
  collection: '',
  ttlSec: '',
  diskType: '',
}

export function emptyEdgeValues(a = '', b = ''): EdgeFormValues {
  return {
    clusterA: a,
    pathA: '/',
    excludesA: '',
    clusterB: b,
    pathB: '/',
    excludesB: '',
    mode: 'active-active',
    concurrency: '',
    chunkConcurrency: '',
    doDeleteFiles: true,
    paused: false,
    sideA: EMPTY_SIDE,
    sideB: EMPTY_SIDE,
  }
}

export function edgeValues(edge: Edge): EdgeFormValues {
  const side = (o: EdgeSideOptions | undefined): SideOptionValues => ({
    filerProxy: o?.filerProxy === undefined ? '' : o.filerProxy ? 'true' : 'false',
    replication: o?.replication ?? '',
    collection: o?.collection ?? '',
    ttlSec: o?.ttlSec === undefined ? '' : String(o.ttlSec),
    diskType: o?.diskType ?? '',
  })
  return {
    clusterA: edge.a.cluster,
    pathA: edge.a.path,
    excludesA: edge.a.excludes.join('\n'),
    clusterB: edge.b.cluster,
    pathB: edge.b.path,
    excludesB: edge.b.excludes.join('\n'),
    mode: edge.mode,
    concurrency: edge.options.concurrency === undefined ? '' : String(edge.options.concurrency),
    chunkConcurrency:
      edge.options.chunkConcurrency === undefined ? '' : String(edge.options.chunkConcurrency),
    doDeleteFiles: edge.options.doDeleteFiles ?? true,
    paused: edge.paused,
    sideA: side(edge.options.a),
    sideB: side(edge.options.b),
  }
}

/** Excludes as typed: separated by commas or new lines; blanks dropped. */
export function parseExcludes(text: string): string[] {
  return text
    .split(/[\n,]/)
    .map((s) => s.trim())
    .filter((s) => s !== '')
}

export type FieldErrors = Partial<Record<string, string>>

export interface ParsedEdge {
  readonly body: Omit<EdgeCreateBody, 'id'> & { readonly options: EdgeOptions }
  readonly errors: FieldErrors
}

/** The create body for `values`, and what is wrong with them (by field label). */
export function toEdgeBody(values: EdgeFormValues): ParsedEdge {
  const errors: Record<string, string> = {}
  if (values.clusterA === '') errors['Cluster A'] = 'Pick cluster A'
  if (values.clusterB === '') errors['Cluster B'] = 'Pick cluster B'
  for (const [label, path] of [
    ['Path A', values.pathA],
    ['Path B', values.pathB],
  ] as const) {
    if (!path.trim().startsWith('/')) errors[label] = 'An absolute path, starting with /'
  }
  for (const [label, text] of [
    ['Excludes A', values.excludesA],
    ['Excludes B', values.excludesB],
  ] as const) {
    const bad = parseExcludes(text).find((x) => !x.startsWith('/'))
    if (bad !== undefined) errors[label] = `"${bad}" is not an absolute path`
  }
  const options: { -readonly [K in keyof EdgeOptions]: EdgeOptions[K] } = {}
  for (const [key, label] of [
    ['concurrency', 'Concurrency'],
    ['chunkConcurrency', 'Chunk concurrency'],
  ] as const) {
    const text = values[key].trim()
    if (text === '') continue
    const n = Number(text)
    if (!Number.isInteger(n) || n < 1 || n > 1024) errors[label] = 'A whole number from 1 to 1024'
    else options[key] = n
  }
  if (!values.doDeleteFiles) options.doDeleteFiles = false
  for (const side of ['a', 'b'] as const) {
    const v = side === 'a' ? values.sideA : values.sideB
    const o: { -readonly [K in keyof EdgeSideOptions]: EdgeSideOptions[K] } = {}
    const suffix = side.toUpperCase()
    if (v.filerProxy !== '') o.filerProxy = v.filerProxy === 'true'
    if (v.replication.trim() !== '') {
      if (!/^[0-9]{3}$/.test(v.replication.trim()))
        errors[`Replication ${suffix}`] = 'Three digits, e.g. 001'
      else o.replication = v.replication.trim()
    }
    if (v.collection.trim() !== '') o.collection = v.collection.trim()
    if (v.ttlSec.trim() !== '') {
      const n = Number(v.ttlSec.trim())
      if (!Number.isInteger(n) || n < 0) errors[`TTL ${suffix}`] = 'Seconds, a whole number'
      else o.ttlSec = n
    }
    if (v.diskType.trim() !== '') o.diskType = v.diskType.trim()
    if (Object.keys(o).length > 0) options[side] = o
  }
  const body = {
    a: {
      cluster: values.clusterA,
      path: values.pathA.trim(),
      excludes: parseExcludes(values.excludesA),
    },
    b: {
      cluster: values.clusterB,
      path: values.pathB.trim(),
      excludes: parseExcludes(values.excludesB),
    },
    mode: values.mode,
    options,
  }
  return { body, errors }
}

/** The PATCH for `edge` → `body`: only what changed (`options` is replaced whole when it did). */
export function toEdgePatch(edge: Edge, body: ParsedEdge['body']): EdgePatchBody | undefined {
  const patch: { -readonly [K in keyof EdgePatchBody]: EdgePatchBody[K] } = {}
  const sameSide = (x: Edge['a'], y: ParsedEdge['body']['a']) =>
    x.cluster === y.cluster &&
    x.path === y.path &&
    JSON.stringify(x.excludes) === JSON.stringify(y.excludes ?? [])
  if (!sameSide(edge.a, body.a)) patch.a = body.a
  if (!sameSide(edge.b, body.b)) patch.b = body.b
  if (edge.mode !== body.mode) patch.mode = body.mode
  if (canonical(edge.options) !== canonical(body.options)) patch.options = body.options
  return Object.keys(patch).length === 0 ? undefined : patch
}

function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v !== null && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(
          Object.entries(v as Record<string, unknown>).sort(([a], [b]) => a.localeCompare(b)),
        )
      : v,
  )
}

/**
 * The graph elements of a refused loop: the edges it runs through and the clusters of its
 * endpoints; `proposed` is the edge being added (drawn dashed, it is not stored).
 */
export function loopHighlight(
  response: ValidateResponse,
  proposed?: { readonly id: string; readonly source: string; readonly target: string },
): LoopHighlight | undefined {
  const loop = response.loop ?? (response.error?.details?.['loop'] as ValidateResponse['loop'])
  if (loop === undefined || loop.length === 0) return undefined
  const edges = new Set<string>()
  const clusters = new Set<string>()
  for (const step of loop) {
    if (step.kind === 'edge') edges.add(step.edgeId)
    else clusters.add(step.cluster)
  }
  return { edges: [...edges], clusters: [...clusters], ...(proposed !== undefined && { proposed }) }
}
