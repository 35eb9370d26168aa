/**
 * Pure: the whole topology as the server's declarative document (`PUT /api/v1/topology`), in JSON
 * or YAML, both ways. Export leaves out what the server ignores on import (timestamps, the last
 * probed signature, live status), so the file is what a person would write and keep in a
 * repository; sending it back unchanged is a no-op.
 */
import type { Plan, TopologyDocument, TopologyGraph } from '@seasync/server/api-types'
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml'

export type DocumentFormat = 'json' | 'yaml'

export function toDocument(graph: TopologyGraph): TopologyDocument {
  return {
    clusters: graph.clusters.map((c) => ({
      id: c.id,
      name: c.name,
      addresses: [...c.addresses],
      ...(c.filerProxy && { filerProxy: true }),
      ...(c.embedded && { embedded: true }),
      // The private key is never sent back; the server keeps the stored one when it is left out.
      // The key is never answered (the server keeps the stored one); `https` only when off.
      ...(c.tls !== undefined && {
        tls: { ca: c.tls.ca, cert: c.tls.cert, ...(!c.tls.https && { https: false }) },
      }),
    })),
    edges: graph.edges.map((e) => ({
      id: e.id,
      a: {
        cluster: e.a.cluster,
        path: e.a.path,
        ...(e.a.excludes.length > 0 && { excludes: [...e.a.excludes] }),
      },
      b: {
        cluster: e.b.cluster,
        path: e.b.path,
        ...(e.b.excludes.length > 0 && { excludes: [...e.b.excludes] }),
      },
      mode: e.mode,
      ...(Object.keys(e.options).length > 0 && { options: e.options }),
      ...(e.paused && { paused: true }),
    })),
  }
}

export function serializeDocument(document: TopologyDocument, format: DocumentFormat): string {
  return format === 'json' ? `${JSON.stringify(document, null, 2)}\n` : stringifyYaml(document)
}

export type ParseResult =
  | { readonly ok: true; readonly document: TopologyDocument; readonly format: DocumentFormat }
  | { readonly ok: false; readonly error: string }

/**
 * Parses JSON (text starting with `{`) or YAML, and checks the outline (`clusters` and `edges`
 * arrays); the server checks everything else.
 */
export function parseDocument(text: string): ParseResult {
  const trimmed = text.trim()
  if (trimmed === '') return { ok: false, error: 'The document is empty.' }
  const format: DocumentFormat = trimmed.startsWith('{') ? 'json' : 'yaml'
  let value: unknown
  try {
    value = format === 'json' ? JSON.parse(trimmed) : parseYaml(trimmed)
  } catch (error) {
    const reason = error instanceof Error ? error.message.split('\n')[0] : String(error)
    return { ok: false, error: `Not valid ${format === 'json' ? 'JSON' : 'YAML'}: ${reason}` }
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { ok: false, error: 'A topology document is an object with "clusters" and "edges".' }
  }
  const record = value as Record<string, unknown>
  for (const key of ['clusters', 'edges']) {
    if (!Array.isArray(record[key])) return { ok: false, error: `"${key}" must be a list.` }
  }
  return { ok: true, document: value as TopologyDocument, format }
}

/** The plan in a few lines, destructive parts first. */
export function describePlan(plan: Plan): string[] {
  const lines: string[] = []
  const list = (ids: readonly string[]) => ids.join(', ')
  if (plan.clusters.removed.length > 0)
    lines.push(`Removes clusters: ${list(plan.clusters.removed)}`)
  if (plan.edges.removed.length > 0) lines.push(`Removes edges: ${list(plan.edges.removed)}`)
  if (plan.clusters.added.length > 0) lines.push(`Adds clusters: ${list(plan.clusters.added)}`)
  if (plan.clusters.updated.length > 0)
    lines.push(`Changes clusters: ${list(plan.clusters.updated)}`)
  if (plan.edges.added.length > 0) lines.push(`Adds edges: ${list(plan.edges.added)}`)
  if (plan.edges.updated.length > 0) lines.push(`Changes edges: ${list(plan.edges.updated)}`)
  if (plan.start.length > 0) lines.push(`Starts: ${list(plan.start.map((p) => p.edge))}`)
  if (plan.stop.length > 0) lines.push(`Stops: ${list(plan.stop.map((p) => p.edge))}`)
  if (plan.restart.length > 0)
    lines.push(`Restarts: ${list(plan.restart.map((p) => `${p.edge} (${p.reason})`))}`)
  if (lines.length === 0) lines.push('No change: the document is what is stored.')
  return lines
}
