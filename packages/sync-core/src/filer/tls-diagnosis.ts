/**
 * Why a filer's gRPC port refuses us, in words. grpc-js reports most TLS failures as
 * `UNAVAILABLE … Failed to connect`, whatever happened in the handshake; one raw TLS connection
 * with the same material, the HTTP/2 preface and a wait for the server's first frame tells the
 * cases apart: an unknown server CA, a server that wants a client certificate, a client
 * certificate it refuses (TLS 1.3 sends that alert only after the handshake), TLS spoken to a
 * plaintext port, or plaintext spoken to a TLS port.
 */
import { isIP } from 'node:net'
import { connect, type ConnectionOptions, type TLSSocket } from 'node:tls'
import { describeTlsError, type ClusterTls } from './cluster-tls.js'
import { parseFilerAddress } from './filer-address.js'

/** HTTP/2 client connection preface and an empty SETTINGS frame (RFC 9113 §3.4). */
const PREFACE = Buffer.concat([
  Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n'),
  Buffer.from([0, 0, 0, 4, 0, 0, 0, 0, 0]),
])

/**
 * Diagnose the gRPC connection to the filer `address` (`host:port[.grpcPort]`) with `tls`:
 * a sentence starting `TLS handshake failed:` (or saying TLS is missing), or undefined when the
 * connection looks healthy or nothing certain was learnt (the gRPC error then stands).
 */
export async function diagnoseGrpcTls(
  address: string,
  tls: ClusterTls | undefined,
  { timeoutMs = 5000 }: { timeoutMs?: number } = {},
): Promise<string | undefined> {
  const { host, grpcPort } = parseFilerAddress(address)
  const material = tls?.grpc
  if (material === undefined) {
    if (tls?.credentials) return undefined // opaque credentials: nothing to replay
    // Plaintext configured: does the port answer a TLS handshake? Then it wants TLS.
    const outcome = await handshake(host, grpcPort, { rejectUnauthorized: false }, timeoutMs)
    return outcome.secured
      ? 'the filer serves gRPC over TLS: give the cluster its TLS material (CA, client certificate and key)'
      : undefined
  }
  const outcome = await handshake(
    host,
    grpcPort,
    {
      ca: material.ca,
      ...(material.cert === undefined ? {} : { cert: material.cert }),
      ...(material.key === undefined ? {} : { key: material.key }),
      // SeaweedFS checks the chain, not the host name (cluster-tls.ts).
      checkServerIdentity: () => undefined,
    },
    timeoutMs,
  )
  switch (outcome.kind) {
    case 'failed':
      return describeTlsError(outcome.error)
    case 'closed':
      // Our side verified the server; a server that hangs up before its first HTTP/2 frame
      // judged us (Node's TLS servers close without an alert when a certificate fails).
      return material.cert === undefined
        ? 'TLS handshake failed: the server closed the connection: it requires a client certificate and none was sent'
        : 'TLS handshake failed: the server closed the connection: it refused the client certificate (not signed by a CA it trusts)'
    default:
      return undefined
  }
}

/** How the connection ended. */
type Ending =
  { kind: 'answered' } | { kind: 'closed' } | { kind: 'failed'; error: Error } | { kind: 'timeout' }
/** The ending, and whether the TLS handshake had completed on our side first. */
type Outcome = Ending & { secured: boolean }

function handshake(
  host: string,
  port: number,
  options: ConnectionOptions,
  timeoutMs: number,
): Promise<Outcome> {
  return new Promise((resolve) => {
    let socket: TLSSocket | undefined
    let secured = false
    const done = (ending: Ending): void => {
      clearTimeout(timer)
      socket?.destroy()
      resolve({ ...ending, secured })
    }
    const timer = setTimeout(() => done({ kind: 'timeout' }), timeoutMs)
    try {
      socket = connect({
        host,
        port,
        ALPNProtocols: ['h2'],
        // No SNI for an IP address (RFC 6066), as Go does.
        ...(isIP(host) ? {} : { servername: host }),
        ...options,
      })
    } catch (error) {
      done({ kind: 'failed', error: error as Error })
      return
    }
    socket.once('secureConnect', () => {
      secured = true
      socket?.write(PREFACE)
    })
    socket.once('data', () => done({ kind: 'answered' }))
    socket.once('error', (error: Error) => done({ kind: 'failed', error }))
    socket.once('close', () => done({ kind: 'closed' }))
  })
}
