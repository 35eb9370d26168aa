/**
 * One cluster's TLS as `weed filer.sync` uses it (spec §1, field notes §3 item 56): mutual TLS for
 * the filer's gRPC (`security.toml` `[grpc] ca` + `[grpc.client] cert`/`key`) and, separately,
 * HTTPS for the cluster's volume-server and filer HTTP (`[https.client]`). Each direction builds
 * its own clients from its own side's settings, so two clusters with two CAs work in one process.
 *
 * Server names follow SeaweedFS. gRPC verifies the chain against the CA only: "the host name is
 * not checked, so the PEM files can be shared" (security.toml template; Go `LoadClientTLS` uses
 * advancedtls `CertVerification` and sends the host without the port as SNI). HTTPS is Go's
 * `net/http` client: chain AND host name are checked, unless `insecureSkipVerify`.
 */
import { Agent as HttpAgent } from 'node:http'
import { Agent as HttpsAgent } from 'node:https'
import * as grpc from '@grpc/grpc-js'
import { SyncError } from '../errors.js'

/** PEM texts of mutual TLS. */
export interface TlsMaterial {
  /** CA certificate(s) the servers' certificates must chain to, PEM. */
  ca: string | Buffer
  /** Client certificate presented to the servers, PEM (with `key`). */
  cert?: string | Buffer | undefined
  /** The client certificate's private key, PEM. */
  key?: string | Buffer | undefined
}

/** `[https.client]`: HTTPS for volume-server and filer HTTP. */
export interface HttpsClientTls {
  /** CA of the HTTPS servers, PEM; absent: Node's default roots (as Go's system pool). */
  ca?: string | Buffer | undefined
  cert?: string | Buffer | undefined
  key?: string | Buffer | undefined
  /** Accept any server certificate (`insecure_skip_verify`). Default false. */
  insecureSkipVerify?: boolean | undefined
}

/**
 * One side's TLS. Every part is optional: without `grpc`/`credentials` gRPC is plaintext h2c,
 * without `https` chunk and filer HTTP is plain `http://` (spec §1, "without security.toml
 * everything is plaintext"). {@link clusterTls} builds the common case: one set of material for
 * both.
 */
export interface ClusterTls {
  /** gRPC mutual TLS from PEM material. */
  grpc?: TlsMaterial | undefined
  /** Ready grpc-js channel credentials; used instead of `grpc` when both are given. */
  credentials?: grpc.ChannelCredentials | undefined
  /** HTTPS for the cluster's volume servers and filer HTTP (LookupVolume URLs have no scheme). */
  https?: HttpsClientTls | undefined
}

/** One set of material for gRPC and HTTPS alike (the SeaSync server's per-cluster TLS). */
export function clusterTls(material: TlsMaterial, { https = true } = {}): ClusterTls {
  return { grpc: material, ...(https ? { https: { ...material } } : {}) }
}

/**
 * grpc-js credentials of `tls`: `credentials` as given, else `createSsl(ca, key, cert)` checking
 * the chain but not the host name (SeaweedFS's convention, see the module comment), else
 * plaintext. A malformed PEM is `SYNC_ERR_OPTIONS`.
 */
export function grpcCredentials(tls: ClusterTls | undefined): grpc.ChannelCredentials {
  if (tls?.credentials) return tls.credentials
  const material = tls?.grpc
  if (!material) return grpc.credentials.createInsecure()
  pairCheck(material, 'grpc')
  try {
    return grpc.credentials.createSsl(
      toBuffer(material.ca),
      material.key === undefined ? null : toBuffer(material.key),
      material.cert === undefined ? null : toBuffer(material.cert),
      { checkServerIdentity: () => undefined },
    )
  } catch (err) {
    throw new SyncError('SYNC_ERR_OPTIONS', `TLS material (grpc): ${(err as Error).message}`, {
      cause: err,
    })
  }
}

/** How one side's HTTP requests go out: the scheme and a keep-alive agent carrying the TLS. */
export interface HttpTransport {
  readonly scheme: 'http' | 'https'
  readonly agent: HttpAgent
  /** `<scheme>://<hostPort><pathAndQuery>`; `hostPort` as LookupVolume or a filer address gives it. */
  url(hostPort: string, pathAndQuery: string): string
}

/** Options of the agents (sockets per host). */
const AGENT_OPTIONS = { keepAlive: true, maxSockets: 64 } as const

const plainTransport: HttpTransport = Object.freeze({
  scheme: 'http' as const,
  agent: new HttpAgent(AGENT_OPTIONS),
  url: (hostPort: string, pathAndQuery: string) => `http://${hostPort}${pathAndQuery}`,
})

/**
 * The HTTP transport of a side: plain `http` with a shared agent, or `https` with an agent of its
 * own holding the CA and client certificate (Go's per-cluster HTTP client, 4.19).
 */
export function httpTransport(tls: ClusterTls | undefined): HttpTransport {
  const https = tls?.https
  if (!https) return plainTransport
  pairCheck(https, 'https')
  let agent: HttpsAgent
  try {
    agent = new HttpsAgent({
      ...AGENT_OPTIONS,
      ...(https.ca === undefined ? {} : { ca: toBuffer(https.ca) }),
      ...(https.cert === undefined ? {} : { cert: toBuffer(https.cert) }),
      ...(https.key === undefined ? {} : { key: toBuffer(https.key) }),
      rejectUnauthorized: https.insecureSkipVerify !== true,
    })
  } catch (err) {
    throw new SyncError('SYNC_ERR_OPTIONS', `TLS material (https): ${(err as Error).message}`, {
      cause: err,
    })
  }
  return Object.freeze({
    scheme: 'https' as const,
    agent,
    url: (hostPort: string, pathAndQuery: string) => `https://${hostPort}${pathAndQuery}`,
  })
}

function pairCheck(material: { cert?: unknown; key?: unknown }, what: string): void {
  if ((material.cert === undefined) !== (material.key === undefined)) {
    throw new SyncError(
      'SYNC_ERR_OPTIONS',
      `TLS material (${what}): a client certificate needs its key and a key its certificate`,
    )
  }
}

function toBuffer(pem: string | Buffer): Buffer {
  return typeof pem === 'string' ? Buffer.from(pem) : pem
}

/** OpenSSL / Node codes of a server certificate that does not chain to the CA we trust. */
const UNKNOWN_AUTHORITY = new Set([
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_SIGNATURE_FAILURE',
])

/**
 * A TLS failure in words, Go's where there is one ("certificate signed by unknown authority"):
 * `TLS handshake failed: …`. Undefined when `err` (or its cause chain) is not a TLS failure.
 * Recognises Node's TLS error codes and OpenSSL's texts, as grpc-js passes them on inside its
 * `UNAVAILABLE` details.
 */
export function describeTlsError(err: unknown): string | undefined {
  let current: unknown = err
  for (let depth = 0; depth < 5 && current !== undefined && current !== null; depth++) {
    if (typeof current === 'string') {
      const why = tlsReason('', current)
      return why === undefined ? undefined : `TLS handshake failed: ${why}`
    }
    const e = current as { code?: unknown; message?: unknown; cause?: unknown }
    const code = typeof e.code === 'string' ? e.code : ''
    const text = typeof e.message === 'string' ? e.message : ''
    const why = tlsReason(code, text)
    if (why) return `TLS handshake failed: ${why}`
    current = e.cause
  }
  return undefined
}

function tlsReason(code: string, text: string): string | undefined {
  const lower = text.toLowerCase()
  if (
    UNKNOWN_AUTHORITY.has(code) ||
    /self[- ]signed certificate|unable to (get|verify) (local )?issuer|unable to verify the first certificate/.test(
      lower,
    )
  ) {
    return "certificate signed by unknown authority (the server's certificate does not chain to the cluster's CA)"
  }
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID' || lower.includes('hostname/ip does not match')) {
    return `the server's certificate does not name this host (${text})`
  }
  if (code === 'CERT_HAS_EXPIRED' || lower.includes('certificate has expired')) {
    return "the server's certificate has expired"
  }
  if (
    lower.includes('alert certificate required') ||
    (lower.includes('alert handshake failure') && lower.includes('tlsv13'))
  ) {
    return 'the server requires a client certificate and none was sent'
  }
  if (
    lower.includes('alert unknown ca') ||
    lower.includes('alert bad certificate') ||
    lower.includes('alert certificate unknown')
  ) {
    return 'the server refused the client certificate (not signed by a CA it trusts)'
  }
  if (
    lower.includes('wrong version number') ||
    lower.includes('packet length too long') ||
    code === 'ERR_SSL_WRONG_VERSION_NUMBER'
  ) {
    return 'the server does not speak TLS on this port (plaintext)'
  }
  return undefined
}
