import { describe, expect, it } from 'vitest'
import {
  assessLag,
  historyWindowMs,
  lagSeconds,
  LagThresholdDefaults,
  nextCaughtUpNs,
  showsHeartbeat,
  type DirectionReading,
  type LagObservation,
  type LagState,
} from '../../src/runtime/lag-state.js'

const S = 1_000_000_000n
const NOW = 1_700_000_000_000

/** A streaming, caught-up direction with heartbeats; fields overridden per row. */
function reading(overrides: Partial<DirectionReading> = {}): DirectionReading {
  return {
    replicatorState: 'streaming',
    paused: false,
    streamed: true,
    appliedNs: 1000n * S,
    headNs: 1000n * S,
    backlog: 0,
    failures: 0,
    eventsTotal: 0,
    bytesTotal: 0,
    caughtUpNs: 0n,
    heartbeats: true,
    ...overrides,
  }
}

/** Observations every second for `seconds`, ending 1 s before NOW; `at(i)` shapes each one. */
function history(
  seconds: number,
  at: (secondsAgo: number) => Partial<LagObservation> = () => ({}),
): LagObservation[] {
  const out: LagObservation[] = []
  for (let ago = seconds; ago >= 1; ago--) {
    out.push({
      atMs: NOW - ago * 1000,
      appliedNs: 1000n * S,
      headNs: 1000n * S,
      backlog: 0,
      eventsTotal: 0,
      bytesTotal: 0,
      lagSeconds: 0,
      ...at(ago),
    })
  }
  return out
}

describe('lagSeconds', () => {
  it.each([
    ['nothing pending: 0 however far the head is', { backlog: 0, headNs: 2000n * S }, 0],
    ['pending: head minus watermark', { backlog: 3, headNs: 1010n * S }, 10],
    [
      'pending after idle: measured from the caught-up floor, not the old watermark',
      { backlog: 1, headNs: 4601n * S, caughtUpNs: 4600n * S },
      1,
    ],
    [
      'floor below the watermark: the watermark counts',
      { backlog: 1, headNs: 1005n * S, caughtUpNs: 10n * S },
      5,
    ],
    ['head behind the watermark (clock quirk): 0', { backlog: 1, headNs: 999n * S }, 0],
    [
      'back-pressure: the stream is read late, so the head is old too; the oldest pending event is 2 s old on the source clock',
      {
        backlog: 33,
        appliedNs: 1000n * S,
        headNs: 1000n * S + S / 5n,
        oldestPendingNs: 1000n * S + S / 10n,
        sourceNowMs: 1002_100,
      },
      2,
    ],
    [
      'catch-up from an old checkpoint: head minus watermark when it is the larger',
      { backlog: 500, headNs: 2000n * S, oldestPendingNs: 1500n * S, sourceNowMs: 1600_000 },
      1000,
    ],
    [
      'nothing pending: 0 whatever the clock says',
      { backlog: 0, headNs: 1003n * S, oldestPendingNs: 1001n * S, sourceNowMs: 9000_000 },
      0,
    ],
    [
      'oldest pending unknown (0): head minus watermark',
      { backlog: 3, headNs: 1010n * S, oldestPendingNs: 0n, sourceNowMs: 9000_000 },
      10,
    ],
  ] as const)('%s', (_name, overrides, expected) => {
    expect(lagSeconds(reading(overrides))).toBe(expected)
  })
})

describe('nextCaughtUpNs and showsHeartbeat', () => {
  it.each([
    ['caught up: the head', 5n, { headNs: 9n, backlog: 0, failures: 0 }, 9n],
    ['pending: unchanged', 5n, { headNs: 9n, backlog: 1, failures: 0 }, 5n],
    ['failures: unchanged', 5n, { headNs: 9n, backlog: 0, failures: 1 }, 5n],
    ['never moves back', 9n, { headNs: 5n, backlog: 0, failures: 0 }, 9n],
  ] as const)('nextCaughtUpNs, %s', (_name, previous, r, expected) => {
    expect(nextCaughtUpNs(previous, r)).toBe(expected)
  })

  it.each([
    [
      'head past the watermark with nothing pending',
      { headNs: 9n, appliedNs: 5n, backlog: 0, failures: 0 },
      true,
    ],
    ['head at the watermark', { headNs: 5n, appliedNs: 5n, backlog: 0, failures: 0 }, false],
    [
      'head past the watermark because of pending events',
      { headNs: 9n, appliedNs: 5n, backlog: 2, failures: 0 },
      false,
    ],
  ] as const)('showsHeartbeat, %s', (_name, r, expected) => {
    expect(showsHeartbeat(r)).toBe(expected)
  })
})

describe('assessLag: the state table', () => {
  const t = LagThresholdDefaults
  const stallSeconds = t.stallAfterMs / 1000
  const staleSeconds = t.headStaleMs / 1000
  const rows: [string, Partial<DirectionReading>, LagObservation[], LagState][] = [
    ['paused wins over everything', { paused: true, failures: 2, backlog: 5 }, [], 'paused'],
    ['replicator failed', { replicatorState: 'failed' }, [], 'error'],
    ['subscription backing off', { replicatorState: 'backing-off' }, [], 'error'],
    ['failed events', { failures: 1, backlog: 1, headNs: 1001n * S }, [], 'error'],
    ['not streamed yet', { replicatorState: 'connecting', streamed: false }, [], 'starting'],
    [
      'no replicator and not paused',
      { replicatorState: undefined, streamed: false },
      [],
      'starting',
    ],
    ['nothing pending, head fresh', {}, history(5), 'in-sync'],
    [
      'nothing pending, head moved by heartbeats',
      { headNs: 1030n * S },
      history(30, (ago) => ({ headNs: (1030n - BigInt(ago)) * S })),
      'in-sync',
    ],
    [
      'nothing pending, heartbeats known, head unmoved for the stale threshold',
      {},
      history(staleSeconds),
      'stalled',
    ],
    [
      'nothing pending, head unmoved but the source never sent heartbeats (old filer)',
      { heartbeats: false },
      history(staleSeconds * 3),
      'in-sync',
    ],
    [
      'pending, watermark unmoved for the stall threshold',
      { backlog: 4, headNs: 1100n * S },
      history(stallSeconds, () => ({ backlog: 4 })),
      'stalled',
    ],
    [
      'pending, watermark unmoved for less than the stall threshold',
      { backlog: 4, headNs: 1001n * S },
      history(stallSeconds - 5, () => ({ backlog: 4, lagSeconds: 1 })),
      'catching-up',
    ],
    [
      'pending, watermark moving, lag growing over the trend window',
      { backlog: 50, appliedNs: 1020n * S, headNs: 1040n * S },
      history(15, (ago) => ({
        backlog: 50,
        appliedNs: (1020n - BigInt(ago)) * S,
        lagSeconds: 20 - ago * 0.5,
      })),
      'falling-behind',
    ],
    [
      'pending, watermark moving, lag shrinking',
      { backlog: 50, appliedNs: 1020n * S, headNs: 1022n * S },
      history(15, (ago) => ({
        backlog: 50,
        appliedNs: (1020n - BigInt(ago)) * S,
        lagSeconds: 2 + ago,
      })),
      'catching-up',
    ],
    [
      'pending, lag growing but a caught-up moment inside the window: no trend',
      { backlog: 5, appliedNs: 1020n * S, headNs: 1030n * S },
      history(15, (ago) => ({
        backlog: ago === 8 ? 0 : 5,
        appliedNs: (1020n - BigInt(ago)) * S,
        lagSeconds: ago === 8 ? 0 : 10 - ago * 0.5,
      })),
      'catching-up',
    ],
    [
      'pending, a trend needs half the window covered',
      { backlog: 5, appliedNs: 1020n * S, headNs: 1030n * S },
      history(3, (ago) => ({ backlog: 5, appliedNs: (1020n - BigInt(ago)) * S, lagSeconds: 1 })),
      'catching-up',
    ],
  ]

  it.each(rows)('%s → %s', (_name, overrides, observations, expected) => {
    expect(assessLag(NOW, reading(overrides), observations, t).state).toBe(expected)
  })

  it('every state has a row', () => {
    expect(new Set(rows.map((row) => row[3]))).toEqual(
      new Set([
        'paused',
        'error',
        'starting',
        'in-sync',
        'stalled',
        'catching-up',
        'falling-behind',
      ]),
    )
  })

  it('a watermark that moved once inside the stall window is not stalled', () => {
    const observations = history(stallSeconds + 10, (ago) => ({
      backlog: 4,
      appliedNs: ago > stallSeconds - 10 ? 999n * S : 1000n * S,
    }))
    const result = assessLag(NOW, reading({ backlog: 4, headNs: 1001n * S }), observations, t)
    expect(result.state).toBe('catching-up')
  })
})

describe('assessLag: lag and rates', () => {
  it('paused with writes waiting: lag grows with the head, state paused', () => {
    const before = assessLag(NOW, reading({ paused: true, backlog: 1, headNs: 1005n * S }), [])
    const later = assessLag(NOW, reading({ paused: true, backlog: 1, headNs: 1009n * S }), [])
    expect([before.state, before.lagSeconds, later.lagSeconds]).toEqual(['paused', 5, 9])
  })

  it('events/s and bytes/s over the rate window, from the oldest observation inside it', () => {
    const observations = history(20, (ago) => ({
      eventsTotal: (20 - ago) * 10,
      bytesTotal: (20 - ago) * 1000,
    }))
    const result = assessLag(NOW, reading({ eventsTotal: 200, bytesTotal: 20_000 }), observations)
    // The oldest inside 10 s is 10 s ago with 100 events and 10 000 bytes.
    expect(result.eventsPerSecond).toBeCloseTo(10)
    expect(result.bytesPerSecond).toBeCloseTo(1000)
  })

  it('no rates without history, and never negative', () => {
    expect(assessLag(NOW, reading({ eventsTotal: 5 }), []).eventsPerSecond).toBe(0)
    const observations = history(3, () => ({ eventsTotal: 100 }))
    expect(assessLag(NOW, reading({ eventsTotal: 5 }), observations).eventsPerSecond).toBe(0)
  })

  it('says why', () => {
    const stalled = assessLag(
      NOW,
      reading({ backlog: 4, headNs: 1100n * S }),
      history(61, () => ({ backlog: 4 })),
    )
    expect(stalled.reason).toMatch(/4 pending, watermark unmoved for 61 s/)
  })

  it('keeps observations for the longest window', () => {
    expect(historyWindowMs(LagThresholdDefaults)).toBe(60_000)
    expect(historyWindowMs({ ...LagThresholdDefaults, headStaleMs: 90_000 })).toBe(90_000)
  })
})
