import { describe, expect, it } from 'vitest'
import {
  describeLoop,
  TopologyChangeError,
  validateChange,
} from '../../src/topology/validate-topology.js'
import { edge, loopEdgeIds } from './topology-fixtures.js'

const chain = [edge('ab', 'A:/', 'B:/'), edge('bc', 'B:/', 'C:/'), edge('cd', 'C:/', 'D:/')]

describe('validateChange', () => {
  it('an empty change returns the same edges, valid', () => {
    expect(validateChange(chain, {})).toEqual({ valid: true, edges: chain })
  })

  it('adding a follower is accepted and appended', () => {
    const ae = edge('ae', 'A:/', 'E:/', 'one-way')
    expect(validateChange(chain, { add: [ae] })).toEqual({ valid: true, edges: [...chain, ae] })
  })

  it('closing the chain into a ring is refused, naming the added edge last', () => {
    const result = validateChange(chain, { add: [edge('da', 'D:/', 'A:/')] })
    expect(result.valid).toBe(false)
    if (result.valid) return
    expect(describeLoop(result.loop)).toBe('A:/ —ab— B:/ —bc— C:/ —cd— D:/ —da— A:/')
    expect(result.edges.map((e) => e.id)).toEqual(['ab', 'bc', 'cd', 'da'])
  })

  it('a replaced edge keeps its place and is the one named when it closes a loop', () => {
    // Moving bc to B:/ ↔ A:/ doubles ab; bc is checked after the unchanged cd, so it closes the loop.
    const result = validateChange(chain, { replace: [edge('bc', 'B:/', 'A:/')] })
    expect(result.valid).toBe(false)
    if (result.valid) return
    expect(loopEdgeIds(result.loop)).toEqual(['ab', 'bc'])
    expect(result.edges.map((e) => e.id)).toEqual(['ab', 'bc', 'cd'])
  })

  it('remove then add re-shapes the ring into a valid chain', () => {
    const ring = [...chain, edge('da', 'D:/', 'A:/')]
    const result = validateChange(ring, {
      remove: ['bc'],
      add: [edge('bc2', 'B:/sub', 'E:/', 'one-way')],
    })
    expect(result.valid).toBe(true)
    expect(result.edges.map((e) => e.id)).toEqual(['ab', 'cd', 'da', 'bc2'])
  })

  it('an id removed in the same change may be reused by an added edge', () => {
    const result = validateChange(chain, { remove: ['cd'], add: [edge('cd', 'C:/', 'F:/')] })
    expect(result.valid).toBe(true)
  })

  it('refuses to apply a change naming an unknown or duplicate edge', () => {
    const attempt = (change: Parameters<typeof validateChange>[1]) => () =>
      validateChange(chain, change)
    expect(attempt({ remove: ['zz'] })).toThrow(TopologyChangeError)
    expect(attempt({ replace: [edge('zz', 'A:/', 'Z:/')] })).toThrow(/no edge with id "zz"/)
    expect(attempt({ remove: ['ab'], replace: [edge('ab', 'A:/', 'Z:/')] })).toThrow(
      TopologyChangeError,
    )
    expect(attempt({ add: [edge('ab', 'A:/', 'Z:/')] })).toThrow(/"ab" is used more than once/)
    try {
      validateChange(chain, { add: [edge('n', 'A:/', 'Y:/'), edge('n', 'A:/', 'Z:/')] })
      expect.unreachable()
    } catch (error) {
      expect(error).toMatchObject({ reason: 'duplicate-edge', edgeId: 'n' })
    }
  })
})
