import type { StylesheetStyle } from 'cytoscape'
import { describe, expect, it } from 'vitest'
import { STATE_COLOURS, STATES_BY_SEVERITY } from '../../lib/states'
import { graphStylesheet, HEALTH_COLOURS } from './graph-styles'

const rules = graphStylesheet() as StylesheetStyle[]
const rule = (selector: string) =>
  rules.find((r) => r.selector === selector)?.style as Record<string, unknown> | undefined

describe('graphStylesheet', () => {
  it('colours every edge state with its colour from the one table', () => {
    for (const state of STATES_BY_SEVERITY) {
      expect(rule(`edge.${state}`)?.['line-color']).toBe(STATE_COLOURS[state])
    }
  })

  it('gives active-active edges an arrowhead at both ends, one-way at the target only', () => {
    expect(rule('edge')?.['target-arrow-shape']).toBe('triangle')
    expect(rule('edge')?.['source-arrow-shape']).toBe('none')
    expect(rule('edge.active-active')?.['source-arrow-shape']).toBe('triangle')
  })

  it('draws node borders by health, embedded ones doubled', () => {
    for (const [health, colour] of Object.entries(HEALTH_COLOURS)) {
      expect(rule(`node.health-${health}`)?.['border-color']).toBe(colour)
    }
    expect(rule('node.embedded')?.['border-style']).toBe('double')
  })

  it('the loop rule comes after the state rules, so a loop wins over any state colour', () => {
    const loopIndex = rules.findIndex((r) => r.selector === '.loop')
    const lastState = Math.max(
      ...STATES_BY_SEVERITY.map((s) => rules.findIndex((r) => r.selector === `edge.${s}`)),
    )
    expect(loopIndex).toBeGreaterThan(lastState)
  })

  it('labels come from element data, so updates never touch the stylesheet', () => {
    expect(rule('node')?.['label']).toBe('data(label)')
    expect(rule('edge')?.['label']).toBe('data(label)')
  })
})
