/**
 * Mutual TLS end to end over loopback (spec §1, field notes §3 item 56): two embedded filers that
 * serve gRPC, filer HTTP and volume HTTP over TLS and require client certificates, a replicator
 * that dials each side with that side's material (gRPC credentials, HTTPS for the chunk copies),
 * and the refusals a wrong or missing certificate gets. The material is `fixtures/tls/`.
 */
import { afterEach, describe, expect, it } from 'vitest'
import type { EmbeddedFiler } from '@seasync/embedded-filer'
import { SyncError } from '../../src/errors.js'
import { clusterTls, type ClusterTls } from '../../src/filer/cluster-tls.js'
import { FilerClient } from '../../src/filer/filer-client.js'
import { diagnoseGrpcTls } from '../../src/filer/tls-diagnosis.js'
import { verifySync } from '../../src/verify/verify.js'
import { bytes, filer, replicate, runCleanups } from '../support/replication-harness.js'
import { CLIENT_MATERIAL, httpsCall, SERVER_TLS, TLS } from '../support/tls-fixtures.js'

afterEach(runCleanups)

const tls = clusterTls(CLIENT_MATERIAL)

async function putTls(f: EmbeddedFiler, path: string, body: Buffer | string): Promise<void> {
  const res = await httpsCall(`https://${f.httpAddress}${path}`, { method: 'PUT', body })
  expect(res.status, res.body.toString()).toBe(201)
}

async function getConfiguration(f: EmbeddedFiler, tlsOptions: ClusterTls | undefined) {
  const c = new FilerClient(f.address, { tls: tlsOptions, unaryTimeoutMs: 5000 })
  try {
    return await c.getConfiguration()
  } finally {
    c.close()
  }
}

describe('mutual TLS', () => {
  it('replicates A→B between two filers that require client certificates, chunks over HTTPS', async () => {
    const a = await filer({ tls: SERVER_TLS })
    const b = await filer({ tls: SERVER_TLS })
    expect(a.scheme).toBe('https')
    const big = bytes(2.5 * 2 ** 20, 7) // 1 MiB chunks: three needles on A's HTTPS volume server
    await putTls(a, '/docs/small.txt', 'over TLS')
    await putTls(a, '/docs/big.bin', big)

    const { r } = replicate({
      sourceAddress: a.address,
      targetAddress: b.address,
      sourceTls: tls,
      targetTls: tls,
    })
    await expect
      .poll(async () => (await httpsCall(`https://${b.httpAddress}/docs/big.bin`)).body.length, {
        timeout: 15_000,
      })
      .toBe(big.length)
    expect((await httpsCall(`https://${b.httpAddress}/docs/big.bin`)).body.equals(big)).toBe(true)
    expect((await httpsCall(`https://${b.httpAddress}/docs/small.txt`)).body.toString()).toBe(
      'over TLS',
    )
    expect(r.status().bytesCopied).toBeGreaterThanOrEqual(big.length)

    // filer.sync.verify with the same material: gRPC listings and HTTPS content reads.
    const summary = await verifySync({
      a: a.address,
      b: b.address,
      aTls: tls,
      bTls: tls,
      isActivePassive: true,
      compareContent: true,
    })
    expect(summary).toMatchObject({ files: 2, totalErrors: 0 })
  })

  it('replicates through the filer proxies over HTTPS too', async () => {
    const a = await filer({ tls: SERVER_TLS })
    const b = await filer({ tls: SERVER_TLS })
    const data = bytes(1.5 * 2 ** 20, 3)
    await putTls(a, '/p/file.bin', data)
    replicate({
      sourceAddress: a.address,
      targetAddress: b.address,
      sourceTls: tls,
      targetTls: tls,
      sourceFilerProxy: true,
      targetFilerProxy: true,
    })
    await expect
      .poll(
        async () => (await httpsCall(`https://${b.httpAddress}/p/file.bin`)).body.equals(data),
        {
          timeout: 15_000,
        },
      )
      .toBe(true)
  })

  it('refuses a client without a certificate, and one whose certificate another CA signed', async () => {
    const a = await filer({ tls: SERVER_TLS })
    expect((await getConfiguration(a, tls)).signature).toBe(a.signature)

    const noCert = { grpc: { ca: TLS.ca } }
    await expect(getConfiguration(a, noCert)).rejects.toThrow(SyncError)
    expect(await diagnoseGrpcTls(a.address, noCert)).toBe(
      'TLS handshake failed: the server requires a client certificate and none was sent',
    )

    const otherCert = { grpc: { ca: TLS.ca, cert: TLS.otherClientCert, key: TLS.otherClientKey } }
    await expect(getConfiguration(a, otherCert)).rejects.toThrow(SyncError)
    expect(await diagnoseGrpcTls(a.address, otherCert)).toBe(
      'TLS handshake failed: the server closed the connection: it refused the client certificate (not signed by a CA it trusts)',
    )

    const otherCa = { grpc: { ca: TLS.otherCa, cert: TLS.clientCert, key: TLS.clientKey } }
    await expect(getConfiguration(a, otherCa)).rejects.toThrow(
      /TLS handshake failed: certificate signed by unknown authority/,
    )

    // Plaintext against the TLS port, and TLS against a plaintext filer.
    await expect(getConfiguration(a, undefined)).rejects.toThrow(SyncError)
    expect(await diagnoseGrpcTls(a.address, undefined)).toMatch(/serves gRPC over TLS/)
    const plain = await filer()
    expect(await diagnoseGrpcTls(plain.address, tls)).toBe(
      'TLS handshake failed: the server does not speak TLS on this port (plaintext)',
    )
    expect(await diagnoseGrpcTls(a.address, tls)).toBeUndefined()
  })

  it('the HTTPS volume and filer servers refuse clients without a good certificate', async () => {
    const a = await filer({ tls: SERVER_TLS })
    await putTls(a, '/x.txt', 'x')
    await expect(fetch(`http://${a.volumeUrl}/1,01`)).rejects.toThrow()
    await expect(
      httpsCall(`https://${a.httpAddress}/x.txt`, {
        cert: TLS.otherClientCert,
        key: TLS.otherClientKey,
      }),
    ).rejects.toThrow()
    expect((await httpsCall(`https://${a.httpAddress}/x.txt`)).body.toString()).toBe('x')
  })

  it('TLS material for a plaintext target is an error the replicator reports, never silently ignored', async () => {
    // A is TLS, B is a plain filer: a TLS config on B's side is refused by the plaintext port.
    const a = await filer({ tls: SERVER_TLS })
    const b = await filer()
    await putTls(a, '/f.txt', 'f')
    const { r } = replicate({
      sourceAddress: a.address,
      targetAddress: b.address,
      sourceTls: tls,
      targetTls: tls,
    })
    await expect
      .poll(() => r.status().lastError ?? '', { timeout: 15_000 })
      .toMatch(/TLS|UNAVAILABLE/)
  })
})
