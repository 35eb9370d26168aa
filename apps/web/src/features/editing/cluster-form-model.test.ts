import { describe, expect, it } from 'vitest'
import { cluster } from '../../test/fixtures'
import {
  checkClusterValues,
  parseAddresses,
  probeResults,
  toClusterCreate,
  toClusterPatch,
} from './cluster-form-model'

describe('cluster form', () => {
  it('reads one address per line (commas and spaces too)', () => {
    expect(parseAddresses('10.0.0.1:8888\n 10.0.0.2:8888.18888, filer:80 ')).toEqual([
      '10.0.0.1:8888',
      '10.0.0.2:8888.18888',
      'filer:80',
    ])
  })

  it('requires a name and host:port addresses', () => {
    expect(checkClusterValues({ name: ' ', addresses: '', filerProxy: false })).toEqual({
      Name: 'A name is required',
      'Filer addresses': 'At least one filer address, host:port',
    })
    expect(
      checkClusterValues({ name: 'x', addresses: 'http://x:1', filerProxy: false })[
        'Filer addresses'
      ],
    ).toContain('http://x:1')
    expect(checkClusterValues({ name: 'x', addresses: 'x:1.2', filerProxy: false })).toEqual({})
  })

  it('creates with trimmed values, and patches only what changed', () => {
    expect(toClusterCreate({ name: ' DC1 ', addresses: 'a:1', filerProxy: true })).toEqual({
      name: 'DC1',
      addresses: ['a:1'],
      filerProxy: true,
    })
    const stored = cluster('dc1', { name: 'DC1', addresses: ['a:1'] })
    expect(
      toClusterPatch(stored, { name: 'DC1', addresses: 'a:1', filerProxy: false }),
    ).toBeUndefined()
    expect(
      toClusterPatch(stored, { name: 'DC 1', addresses: 'a:1\nb:2', filerProxy: false }),
    ).toEqual({
      name: 'DC 1',
      addresses: ['a:1', 'b:2'],
    })
  })

  it('reads the per-address results of a probe refusal', () => {
    const details = {
      clusters: [
        {
          cluster: 'bad',
          addresses: [
            { address: '127.0.0.1:1', reachable: false, error: 'UNAVAILABLE' },
            { address: '127.0.0.1:2', reachable: true, signature: 42 },
          ],
          problems: ['filer 127.0.0.1:1 did not answer'],
        },
      ],
    }
    expect(probeResults(details)).toEqual({
      addresses: [
        { address: '127.0.0.1:1', reachable: false, signature: undefined, error: 'UNAVAILABLE' },
        { address: '127.0.0.1:2', reachable: true, signature: 42, error: undefined },
      ],
      problems: ['filer 127.0.0.1:1 did not answer'],
    })
    expect(probeResults(undefined)).toEqual({ addresses: [], problems: [] })
  })
})
