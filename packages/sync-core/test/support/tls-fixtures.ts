/**
 * The committed test-only TLS material of `fixtures/tls/` (see its `generate.sh`): a CA, the
 * filers' server certificate (localhost, 127.0.0.1, ::1), a client certificate it signed, and an
 * unrelated CA with a client certificate of its own. Read as committed: no openssl at test time.
 */
import { readFileSync } from 'node:fs'
import { request } from 'node:https'

const dir = new URL('../../../../fixtures/tls/', import.meta.url)
const pem = (name: string): string => readFileSync(new URL(name, dir), 'utf8')

export const TLS = Object.freeze({
  ca: pem('ca.pem'),
  serverCert: pem('server.pem'),
  serverKey: pem('server.key'),
  clientCert: pem('client.pem'),
  clientKey: pem('client.key'),
  otherCa: pem('other-ca.pem'),
  otherClientCert: pem('other-client.pem'),
  otherClientKey: pem('other-client.key'),
})

/** What an embedded filer serves with: the server certificate, client certificates required. */
export const SERVER_TLS = Object.freeze({ ca: TLS.ca, cert: TLS.serverCert, key: TLS.serverKey })

/** The replicator's material: the CA and the client certificate. */
export const CLIENT_MATERIAL = Object.freeze({
  ca: TLS.ca,
  cert: TLS.clientCert,
  key: TLS.clientKey,
})

/** One HTTPS request with the client certificate; resolves to status and body. */
export function httpsCall(
  url: string,
  {
    method = 'GET',
    body,
    cert = TLS.clientCert,
    key = TLS.clientKey,
  }: { method?: string; body?: Buffer | string; cert?: string; key?: string } = {},
): Promise<{ status: number; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, ca: TLS.ca, cert, key, agent: false }, (res) => {
      const pieces: Buffer[] = []
      res.on('data', (piece: Buffer) => pieces.push(piece))
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(pieces) }))
      res.on('error', reject)
    })
    req.on('error', reject)
    req.end(body)
  })
}
