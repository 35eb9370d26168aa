import { describe, expect, it } from 'vitest'
import { SyncError } from '../../src/errors.js'
import { joinHostPort, parseFilerAddress } from '../../src/filer/filer-address.js'

describe('parseFilerAddress (spec §1)', () => {
  it('host:port → gRPC port = HTTP port + 10000', () => {
    expect(parseFilerAddress('10.0.0.5:8888')).toEqual({
      raw: '10.0.0.5:8888',
      host: '10.0.0.5',
      httpPort: 8888,
      grpcPort: 18888,
      httpAddress: '10.0.0.5:8888',
      grpcAddress: '10.0.0.5:18888',
    })
  })

  it('host:http.grpc → explicit gRPC port; raw keeps the text verbatim', () => {
    const a = parseFilerAddress('10.0.0.5:8888.19999')
    expect(a).toMatchObject({ host: '10.0.0.5', httpPort: 8888, grpcPort: 19999 })
    expect(a.raw).toBe('10.0.0.5:8888.19999')
    expect(a.httpAddress).toBe('10.0.0.5:8888')
    expect(a.grpcAddress).toBe('10.0.0.5:19999')
  })

  it('splits at the LAST colon, then at the LAST dot after it (dotted host names stay whole)', () => {
    const a = parseFilerAddress('filer.example.com:8888.18890')
    expect(a).toMatchObject({ host: 'filer.example.com', httpPort: 8888, grpcPort: 18890 })
    expect(parseFilerAddress('filer.example.com:9000').grpcPort).toBe(19000)
  })

  it('bracketed IPv6 with ports', () => {
    const a = parseFilerAddress('[2001:db8::1]:8888.18889')
    expect(a).toMatchObject({ host: '2001:db8::1', httpPort: 8888, grpcPort: 18889 })
    expect(a.httpAddress).toBe('[2001:db8::1]:8888')
    expect(a.grpcAddress).toBe('[2001:db8::1]:18889')
    expect(parseFilerAddress('[::1]:8888').grpcAddress).toBe('[::1]:18888')
  })

  it('an address without a port keeps its whole host and gets the default ports', () => {
    expect(parseFilerAddress('[2001:db8::1]')).toMatchObject({
      host: '2001:db8::1',
      httpPort: 8888,
      grpcPort: 18888,
      httpAddress: '[2001:db8::1]:8888',
    })
    expect(parseFilerAddress('filer.local')).toMatchObject({
      host: 'filer.local',
      httpAddress: 'filer.local:8888',
      grpcAddress: 'filer.local:18888',
    })
  })

  it('an unbracketed IPv6 host with a port is split at the last colon and bracketed on output', () => {
    const a = parseFilerAddress('2001:db8::1:8888')
    expect(a.host).toBe('2001:db8::1')
    expect(a.httpAddress).toBe('[2001:db8::1]:8888')
    expect(a.grpcAddress).toBe('[2001:db8::1]:18888')
  })

  it.each([
    ['', 'empty'],
    [' filer:8888', 'whitespace'],
    ['filer:', 'missing port'],
    ['filer:http', 'non-numeric port'],
    ['filer:8888.', 'empty gRPC port'],
    ['filer:.18888', 'empty HTTP port'],
    ['filer:0', 'port 0'],
    ['filer:65536', 'port too large'],
    ['filer:60000', 'implied gRPC port above 65535'],
    [':8888', 'empty host'],
    ['[::1:8888', 'unbalanced bracket'],
    ['[]:8888', 'empty brackets'],
    ['::1', 'unbracketed IPv6 without port'],
    ['http://filer:8888', 'URL, not an address'],
    ['filer:8888:18888', 'colon-separated ports'],
  ])('rejects %j (%s) with SYNC_ERR_OPTIONS', (raw) => {
    let caught: unknown
    try {
      parseFilerAddress(raw)
    } catch (err) {
      caught = err
    }
    expect(caught).toBeInstanceOf(SyncError)
    expect((caught as SyncError).code).toBe('SYNC_ERR_OPTIONS')
    expect((caught as SyncError).message).toContain('invalid filer address')
  })

  it('accepts a high HTTP port when the gRPC port is explicit', () => {
    expect(parseFilerAddress('filer:60000.60001')).toMatchObject({
      httpPort: 60000,
      grpcPort: 60001,
    })
  })

  it('joinHostPort brackets hosts containing a colon', () => {
    expect(joinHostPort('::1', 1)).toBe('[::1]:1')
    expect(joinHostPort('a.b', 2)).toBe('a.b:2')
  })
})
