import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { SyncError } from '../../src/errors.js'
import {
  buildSubscribeRequest,
  newClientId,
  type SubscribeRequestParams,
} from '../../src/stream/subscribe-request.js'

const base: SubscribeRequestParams = {
  sourceAddressRaw: 'localhost:8888',
  targetAddressRaw: '10.0.0.2:8889.18889',
  sourcePath: '/data',
  sinceNs: 1_700_000_000_123_456_789n,
  targetSignature: -12345,
  clientId: 42,
  clientEpoch: 1,
}

describe('buildSubscribeRequest (spec §5.1)', () => {
  it('fills every field as filer.sync does', () => {
    expect(buildSubscribeRequest(base)).toEqual({
      client_name: 'syncFrom_localhost:8888_To_10.0.0.2:8889.18889',
      path_prefix: '/data/',
      since_ns: '1700000000123456789',
      signature: -12345,
      path_prefixes: [],
      client_id: 42,
      until_ns: '0',
      client_epoch: 1,
      directories: [],
      client_supports_batching: true,
      client_supports_metadata_chunks: false,
      client_supports_idle_heartbeat: true,
    })
  })

  it.each([
    ['/data', '/data/'],
    ['/data/', '/data/'],
    ['/', '/'],
    ['/a/b', '/a/b/'],
  ])('path_prefix for %j is %j (trailing slash keeps /data from matching /database)', (p, e) => {
    expect(buildSubscribeRequest({ ...base, sourcePath: p }).path_prefix).toBe(e)
  })

  it('keeps the raw address strings in client_name', () => {
    const req = buildSubscribeRequest({
      ...base,
      sourceAddressRaw: 'filer-a:8888',
      targetAddressRaw: 'https://b',
    })
    expect(req.client_name).toBe('syncFrom_filer-a:8888_To_https://b')
  })

  it('encodes since_ns beyond 2^53 exactly', () => {
    const sinceNs = 2n ** 62n + 1n
    expect(buildSubscribeRequest({ ...base, sinceNs }).since_ns).toBe('4611686018427387905')
    expect(buildSubscribeRequest({ ...base, sinceNs: 0n }).since_ns).toBe('0')
  })

  it.each([
    ['clientId 0 (never registered, stream ends once caught up: §5.6)', { clientId: 0 }],
    ['clientId beyond int32', { clientId: 2 ** 31 }],
    ['clientEpoch 0', { clientEpoch: 0 }],
    ['fractional clientEpoch', { clientEpoch: 1.5 }],
    ['targetSignature beyond int32', { targetSignature: 2 ** 32 }],
    ['negative sinceNs', { sinceNs: -1n }],
  ])('rejects %s', (_label, patch) => {
    expect(() => buildSubscribeRequest({ ...base, ...patch })).toThrow(SyncError)
    try {
      buildSubscribeRequest({ ...base, ...patch })
    } catch (err) {
      expect((err as SyncError).code).toBe('SYNC_ERR_OPTIONS')
    }
  })
})

describe('newClientId', () => {
  it('property: always a non-zero int32', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 50 }), (n) => {
        for (let i = 0; i < n; i++) {
          const id = newClientId()
          expect(id).not.toBe(0)
          expect(id | 0).toBe(id)
        }
      }),
      { numRuns: 20 },
    )
  })

  it('retries while the random source yields 0', () => {
    const values = [0, 0, -7]
    expect(newClientId(() => values.shift() ?? 1)).toBe(-7)
  })
})
