import { describe, expect, it } from 'vitest'
import { checkpointWarning, fromLocalInput, toLocalInput } from './checkpoint-warning'

const NOW = new Date(2026, 10, 24, 23, 0, 0).getTime()

describe('checkpointWarning', () => {
  it('an earlier time replays, and says how much and what it touches', () => {
    const plan = checkpointWarning(NOW, NOW - 3_600_000, 'dc1', 'dc2')
    expect(plan.kind).toBe('replay')
    expect(plan.text).toContain('Replays 1 h of changes')
    expect(plan.text).toContain('deletes and renames included')
  })

  it('a later time skips changes, which never reach the target', () => {
    const plan = checkpointWarning(NOW, NOW + 90_000, 'dc1', 'dc2')
    expect(plan.kind).toBe('skip')
    expect(plan.text).toContain('Skips 1 min 30 s of changes')
    expect(plan.text).toContain('never applied to dc2')
  })

  it('no checkpoint yet, or the same time', () => {
    expect(checkpointWarning(null, NOW, 'dc1', 'dc2').kind).toBe('replay-all')
    expect(checkpointWarning(NOW, NOW + 200, 'dc1', 'dc2').kind).toBe('same')
  })
})

it('datetime-local values round-trip in local time, to the second', () => {
  const ms = new Date(2026, 0, 2, 3, 4, 5).getTime()
  expect(toLocalInput(ms)).toBe('2026-01-02T03:04:05')
  expect(fromLocalInput('2026-01-02T03:04:05')).toBe(ms)
  expect(fromLocalInput('2026-01-02T03:04')).toBe(ms - 5000)
  expect(fromLocalInput('yesterday')).toBeNull()
})
