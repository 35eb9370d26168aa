import { describe, expect, it } from 'vitest'
import {
  ReplicatorTransitions,
  canTransition,
  type ReplicatorState,
} from '../../src/replicator-state.js'

describe('replicator lifecycle', () => {
  const states = Object.keys(ReplicatorTransitions) as ReplicatorState[]

  it('can always be stopped, except once stopped', () => {
    for (const s of states.filter((s) => s !== 'stopped' && s !== 'stopping')) {
      expect(canTransition(s, 'stopping') || canTransition(s, 'stopped'), s).toBe(true)
    }
    expect(states.filter((s) => canTransition('stopped', s))).toEqual([])
  })

  it('only reaches streaming through connecting, and backs off only from a live attempt', () => {
    expect(states.filter((s) => canTransition(s, 'streaming'))).toEqual(['connecting'])
    expect(states.filter((s) => canTransition(s, 'backing-off')).sort()).toEqual([
      'connecting',
      'streaming',
    ])
  })

  it('leaves failed only by stopping', () => {
    expect(ReplicatorTransitions.failed).toEqual(['stopping', 'stopped'])
  })
})
