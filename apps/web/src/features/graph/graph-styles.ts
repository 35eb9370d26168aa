/**
 * The Cytoscape stylesheet as data (STYLE.md §15): nodes by health, edges by state, arrowheads by
 * mode (two for active-active), the refused loop, search matches and selection. Colours come from
 * the one state table in `lib/states.ts`.
 */
import type { StylesheetJson } from 'cytoscape'
import { STATE_COLOURS, type LagState } from '../../lib/states'
import type { ClusterHealthKind } from './cluster-health'

/** Node border by the cluster's probed health (`ClusterStatus['health']`). */
export const HEALTH_COLOURS = {
  reachable: '#1a7f37',
  degraded: '#bc4c00',
  unreachable: '#cf222e',
  mismatch: '#bf3989',
  unknown: '#8c959f',
} as const satisfies Record<ClusterHealthKind, string>

export const LOOP_COLOUR = '#d1242f'
const SELECT_COLOUR = '#0550ae'

export function graphStylesheet(): StylesheetJson {
  const stateRules = (Object.entries(STATE_COLOURS) as [LagState, string][]).map(
    ([state, colour]) => ({
      selector: `edge.${state}`,
      style: { 'line-color': colour, 'target-arrow-color': colour, 'source-arrow-color': colour },
    }),
  )
  const healthRules = (Object.entries(HEALTH_COLOURS) as [string, string][]).map(
    ([health, colour]) => ({
      selector: `node.health-${health}`,
      style: { 'border-color': colour },
    }),
  )
  return [
    {
      selector: 'node',
      style: {
        shape: 'round-rectangle',
        width: 196,
        height: 78,
        'background-color': '#ffffff',
        'border-width': 3,
        'border-color': HEALTH_COLOURS.unknown,
        label: 'data(label)',
        'text-wrap': 'wrap',
        'text-max-width': '188px',
        'text-valign': 'center',
        'text-halign': 'center',
        'font-size': 13,
        'line-height': 1.3,
        // Zoomed far out (large topologies), unreadable labels are not drawn at all.
        'min-zoomed-font-size': 6,
        color: '#1f2328',
        'font-family': 'system-ui, -apple-system, "Segoe UI", sans-serif',
      },
    },
    ...healthRules,
    { selector: 'node.health-unreachable', style: { 'background-color': '#ffebe9' } },
    { selector: 'node.health-degraded', style: { 'border-style': 'dashed' } },
    { selector: 'node.health-mismatch', style: { 'background-color': '#fbefff' } },
    { selector: 'node.embedded', style: { 'border-style': 'double', 'border-width': 5 } },
    {
      selector: 'edge',
      style: {
        width: 3,
        'curve-style': 'bezier',
        'control-point-step-size': 56,
        'line-color': STATE_COLOURS.starting,
        'target-arrow-shape': 'triangle',
        'target-arrow-color': STATE_COLOURS.starting,
        'source-arrow-shape': 'none',
        'arrow-scale': 1.3,
        label: 'data(label)',
        'text-wrap': 'wrap',
        'font-size': 12,
        'text-background-color': '#ffffff',
        'text-background-opacity': 0.92,
        'text-background-padding': '3px',
        'text-background-shape': 'roundrectangle',
        'text-border-opacity': 1,
        'text-border-width': 1,
        'text-border-color': '#d0d7de',
        color: '#1f2328',
        'font-family': 'ui-monospace, SFMono-Regular, Menlo, monospace',
        'min-zoomed-font-size': 7,
      },
    },
    ...stateRules,
    { selector: 'edge.active-active', style: { 'source-arrow-shape': 'triangle' } },
    { selector: 'edge.paused', style: { 'line-style': 'dashed' } },
    { selector: 'edge.error', style: { width: 4 } },
    {
      selector: '.loop',
      style: {
        'line-color': LOOP_COLOUR,
        'target-arrow-color': LOOP_COLOUR,
        'source-arrow-color': LOOP_COLOUR,
        'border-color': LOOP_COLOUR,
        'overlay-color': LOOP_COLOUR,
        'overlay-opacity': 0.14,
        'overlay-padding': 6,
        width: 5,
      },
    },
    { selector: 'node.loop', style: { 'border-width': 5 } },
    { selector: 'edge.proposed', style: { 'line-style': 'dashed', color: LOOP_COLOUR } },
    { selector: '.dimmed', style: { opacity: 0.25 } },
    { selector: 'node.match', style: { 'border-color': SELECT_COLOUR, 'border-width': 5 } },
    {
      selector: ':selected',
      style: { 'overlay-color': SELECT_COLOUR, 'overlay-opacity': 0.16, 'overlay-padding': 8 },
    },
    {
      selector: 'node.connect-source',
      style: { 'border-color': SELECT_COLOUR, 'border-width': 6 },
    },
    {
      selector: '.ghost',
      style: { width: 1, height: 1, opacity: 0, label: '', events: 'no' },
    },
    {
      selector: 'edge.ghost-edge',
      style: {
        'line-color': SELECT_COLOUR,
        'line-style': 'dashed',
        'target-arrow-color': SELECT_COLOUR,
        label: '',
        events: 'no',
      },
    },
  ]
}
