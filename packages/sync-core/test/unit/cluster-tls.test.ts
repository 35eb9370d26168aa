import { describe, expect, it } from 'vitest'
import {
  clusterTls,
  describeTlsError,
  grpcCredentials,
  httpTransport,
} from '../../src/filer/cluster-tls.js'
import { SyncError } from '../../src/errors.js'

describe('cluster TLS', () => {
  it('clusterTls uses one set of material for gRPC and HTTPS, or gRPC only', () => {
    const material = { ca: 'CA', cert: 'CERT', key: 'KEY' }
    expect(clusterTls(material)).toEqual({ grpc: material, https: material })
    expect(clusterTls(material, { https: false })).toEqual({ grpc: material })
  })

  it('the HTTP scheme follows the side: http without TLS, https with', () => {
    expect(httpTransport(undefined).url('10.0.0.1:8080', '/3,01ab?readDeleted=true')).toBe(
      'http://10.0.0.1:8080/3,01ab?readDeleted=true',
    )
    expect(httpTransport({ https: { insecureSkipVerify: true } }).url('v:1', '/x')).toBe(
      'https://v:1/x',
    )
  })

  it('a certificate without its key (or a key without its certificate) is an options error', () => {
    expect(() => grpcCredentials({ grpc: { ca: 'CA', cert: 'CERT' } })).toThrow(SyncError)
    expect(() => httpTransport({ https: { key: 'KEY' } })).toThrow(
      /a client certificate needs its key/,
    )
  })

  it('describes TLS failures as Go words them, and nothing else', () => {
    const withCode = (code: string, message: string) => Object.assign(new Error(message), { code })
    expect(describeTlsError(withCode('SELF_SIGNED_CERT_IN_CHAIN', 'self-signed certificate'))).toBe(
      "TLS handshake failed: certificate signed by unknown authority (the server's certificate does not chain to the cluster's CA)",
    )
    expect(
      describeTlsError(
        'No connection established. Last error: Error: unable to verify the first certificate',
      ),
    ).toMatch(/unknown authority/)
    expect(
      describeTlsError(new Error('fetch failed', { cause: withCode('CERT_HAS_EXPIRED', 'x') })),
    ).toBe("TLS handshake failed: the server's certificate has expired")
    expect(describeTlsError('SSL routines::tlsv13 alert certificate required')).toMatch(
      /requires a client certificate/,
    )
    expect(describeTlsError('SSL routines::tlsv1 alert unknown ca')).toMatch(
      /refused the client certificate/,
    )
    expect(describeTlsError('SSL routines::wrong version number')).toMatch(/does not speak TLS/)
    expect(describeTlsError(withCode('ECONNREFUSED', 'connect ECONNREFUSED'))).toBeUndefined()
    expect(describeTlsError(undefined)).toBeUndefined()
  })
})
