import { isIPv6 } from 'node:net'
import { SyncError } from '../errors.js'

/** A filer address split into its HTTP and gRPC endpoints (spec §1). */
export interface FilerAddress {
  /** The text as given (with any `.grpcPort`): what `client_name` and logs use (spec §1, §5.1). */
  readonly raw: string
  /** Host without brackets: `10.0.0.5`, `filer.local`, `2001:db8::1`. */
  readonly host: string
  /** Filer HTTP port (1–65535). */
  readonly httpPort: number
  /** Filer gRPC port (1–65535): explicit, or `httpPort + 10000`. */
  readonly grpcPort: number
  /** `host:httpPort`, IPv6 hosts bracketed: the filer-proxy URL authority, metric labels. */
  readonly httpAddress: string
  /** `host:grpcPort`, IPv6 hosts bracketed: what the gRPC channel dials. */
  readonly grpcAddress: string
}

/** SeaweedFS's default filer ports, used when an address names only a host (spec §1). */
export const FilerAddressDefaults = Object.freeze({
  httpPort: 8888,
  /** The gRPC port is always HTTP + 10000 unless given explicitly. */
  grpcPortOffset: 10000,
})

/**
 * Parse a filer address as SeaweedFS's `pb.ServerAddress` does (spec §1): `host:httpPort` or
 * `host:httpPort.grpcPort`.
 *
 * - Split at the LAST `:`; in the text after it, split at the LAST `.`: before it is the HTTP port,
 *   after it the gRPC port. No dot → gRPC port = HTTP port + 10000. Because only the last colon
 *   counts, bracketed IPv6 works: `[2001:db8::1]:8888.18889`.
 * - An address without a port keeps its whole host (`filer`, `[2001:db8::1]` → `2001:db8::1`) and
 *   gets the default ports 8888 / 18888.
 * - An unbracketed IPv6 host with a port (`2001:db8::1:8888`) is taken at the last colon as Go
 *   does, and bracketed when the addresses are built (`[2001:db8::1]:8888`).
 *
 * Throws `SyncError('SYNC_ERR_OPTIONS')` naming the problem for empty text, whitespace, a missing
 * or non-numeric port, a port outside 1–65535 (including an implied gRPC port above 65535), or a
 * malformed host (empty, stray brackets, `/`, or a colon in something that is not an IPv6
 * literal — e.g. an unbracketed IPv6 address without a port, which the last-colon rule misreads).
 */
export function parseFilerAddress(raw: string): FilerAddress {
  const fail = (why: string): never => {
    throw new SyncError('SYNC_ERR_OPTIONS', `invalid filer address ${JSON.stringify(raw)}: ${why}`)
  }
  if (raw === '') fail('empty')
  if (/\s/.test(raw)) fail('contains whitespace')

  let hostText: string
  let portsText: string | undefined
  const lastColon = raw.lastIndexOf(':')
  if (lastColon < 0 || (raw.startsWith('[') && raw.endsWith(']'))) {
    // No port at all: `filer`, `10.0.0.5`, `[2001:db8::1]` (the colons are inside the brackets).
    hostText = raw
  } else {
    hostText = raw.slice(0, lastColon)
    portsText = raw.slice(lastColon + 1)
  }

  const host = parseHost(hostText, fail)
  let httpPort: number = FilerAddressDefaults.httpPort
  let grpcPort: number | undefined
  if (portsText !== undefined) {
    const dot = portsText.lastIndexOf('.')
    httpPort = parsePort(dot < 0 ? portsText : portsText.slice(0, dot), 'HTTP port', fail)
    if (dot >= 0) grpcPort = parsePort(portsText.slice(dot + 1), 'gRPC port', fail)
  }
  if (grpcPort === undefined) {
    grpcPort = httpPort + FilerAddressDefaults.grpcPortOffset
    if (grpcPort > 65535) {
      fail(
        `implied gRPC port ${grpcPort} (HTTP port + 10000) exceeds 65535; give it as host:http.grpc`,
      )
    }
  }
  return Object.freeze({
    raw,
    host,
    httpPort,
    grpcPort,
    httpAddress: joinHostPort(host, httpPort),
    grpcAddress: joinHostPort(host, grpcPort),
  })
}

/** `host:port`, bracketing hosts that contain `:` (Go `net.JoinHostPort`). */
export function joinHostPort(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`
}

function parseHost(text: string, fail: (why: string) => never): string {
  let host = text
  if (text.startsWith('[')) {
    if (!text.endsWith(']')) fail('unbalanced "[" in host')
    host = text.slice(1, -1)
  }
  if (host === '') fail('empty host')
  if (/[[\]/]/.test(host)) fail(`malformed host ${JSON.stringify(host)}`)
  // A colon can only be part of an IPv6 literal; anything else (`filer:8888` left of a last colon,
  // or `2001:db8:` from an unbracketed address without a port) is a typo, not a host.
  if (host.includes(':') && !isIPv6(host)) {
    fail(`malformed host ${JSON.stringify(host)}; bracket IPv6 hosts, e.g. [2001:db8::1]:8888`)
  }
  return host
}

function parsePort(text: string, what: string, fail: (why: string) => never): number {
  if (!/^\d{1,5}$/.test(text)) fail(`${what} ${JSON.stringify(text)} is not a number`)
  const port = Number(text)
  if (port < 1 || port > 65535) fail(`${what} ${port} is outside 1-65535`)
  return port
}
