import { describe, expect, it } from 'vitest'
import { area, summarize } from '../src/profile-summary.js'

const frame = (functionName: string, url = '', lineNumber = 0) => ({
  functionName,
  url,
  lineNumber,
})

describe('profile summary', () => {
  it('sorts frames into areas', () => {
    expect(
      area(frame('makeUnaryRequest', '/x/node_modules/@grpc/grpc-js/build/src/client.js')),
    ).toBe('grpc-js')
    expect(area(frame('Entry$decode'))).toBe('protobuf')
    expect(area(frame('ClientRequest', 'node:_http_client'))).toBe('node http')
    expect(area(frame('create', 'file:///w/packages/sync-core/src/apply/entry-applier.ts'))).toBe(
      'packages/sync-core',
    )
    expect(area(frame('(garbage collector)'))).toBe('(garbage collector)')
    expect(area(frame('writev'))).toBe('native writev')
  })

  it('adds self time per function and counts a recursive function once per stack', () => {
    // root → a → a → b; samples: 2 ms in b, 1 ms in the inner a.
    const profile = {
      nodes: [
        { id: 1, callFrame: frame('(root)'), children: [2] },
        { id: 2, callFrame: frame('a', 'file:///w/packages/p/src/a.ts'), children: [3] },
        { id: 3, callFrame: frame('a', 'file:///w/packages/p/src/a.ts'), children: [4] },
        { id: 4, callFrame: frame('b', 'file:///w/packages/p/src/b.ts') },
      ],
      samples: [4, 4, 3],
      timeDeltas: [1000, 1000, 1000],
    }
    const text = summarize(profile, 5)
    expect(text).toContain('3 ms sampled')
    expect(text).toMatch(/3 ms\s+100\.0%\s+packages\/p/)
    expect(text).toMatch(/2 ms\s+66\.7%\s+b src\/b\.ts:1/)
    // Inclusive: a covers all 3 ms, not 5 (the recursion is not counted twice).
    expect(text).toMatch(/inclusive[\s\S]*3 ms\s+100\.0%\s+a src\/a\.ts:1/)
  })
})
