/**
 * Minimal HS256 JWTs, as SeaweedFS uses them to authorize volume-server writes (spec §8.4, §8.6;
 * Go: weed/security/jwt.go). Only what the volume server needs: sign `{fid, exp}` claims and
 * verify a token's signature and time claims.
 */
import { createHmac, timingSafeEqual } from 'node:crypto'

/** Defaults mirroring SeaweedFS's `jwt.signing.expires_after_seconds`. */
export const JwtDefaults = Object.freeze({
  /** Lifetime of a volume-server write token, in seconds (SeaweedFS default 10). */
  expiresAfterSec: 10,
})

/** Claims of a volume-server token: `fid` is the textual fid, `exp` unix seconds. */
export interface FidJwtClaims {
  fid: string
  exp: number
}

/** Outcome of {@link verifyJwt}: the decoded claims, or why the token was refused. */
export type JwtVerification =
  { ok: true; claims: Record<string, unknown> } | { ok: false; reason: string }

// Header JSON exactly as golang-jwt encodes it for HS256.
const headerSegment = Buffer.from('{"alg":"HS256","typ":"JWT"}').toString('base64url')

/** Sign arbitrary claims with HS256. `signingKey` is used as raw UTF-8 bytes, like Go's `[]byte(key)`. */
export function signJwt(signingKey: string, claims: Record<string, unknown>): string {
  const payload = Buffer.from(JSON.stringify(claims)).toString('base64url')
  const signingInput = `${headerSegment}.${payload}`
  const signature = createHmac('sha256', signingKey).update(signingInput).digest('base64url')
  return `${signingInput}.${signature}`
}

/**
 * Sign a volume-server token for `fid`, as Go's `security.GenJwtForVolumeServer`: claims
 * `{"fid": fid, "exp": now + expiresAfterSec}` (`exp` in whole unix seconds).
 */
export function signFidJwt(
  signingKey: string,
  fid: string,
  options: { expiresAfterSec?: number; nowMs?: number } = {},
): string {
  const nowSec = Math.floor((options.nowMs ?? Date.now()) / 1000)
  const claims: FidJwtClaims = {
    fid,
    exp: nowSec + (options.expiresAfterSec ?? JwtDefaults.expiresAfterSec),
  }
  return signJwt(signingKey, { ...claims })
}

/**
 * Verify an HS256 token: algorithm, signature (constant-time compare), `exp` (valid while
 * now < exp) and `nbf` (valid once now >= nbf). Like golang-jwt v4, a missing `exp` is accepted.
 * `nowMs` is milliseconds since the epoch.
 */
export function verifyJwt(signingKey: string, token: string, nowMs = Date.now()): JwtVerification {
  const parts = token.split('.')
  if (parts.length !== 3) return { ok: false, reason: 'malformed token' }
  const [headerPart, payloadPart, signaturePart] = parts as [string, string, string]
  const header = decodeJsonSegment(headerPart)
  if (header?.['alg'] !== 'HS256') return { ok: false, reason: 'unexpected signing method' }
  const expected = createHmac('sha256', signingKey).update(`${headerPart}.${payloadPart}`).digest()
  const actual = Buffer.from(signaturePart, 'base64url')
  if (actual.length !== expected.length || !timingSafeEqual(actual, expected)) {
    return { ok: false, reason: 'signature is invalid' }
  }
  const claims = decodeJsonSegment(payloadPart)
  if (claims === undefined) return { ok: false, reason: 'malformed claims' }
  const exp = claims['exp']
  if (exp !== undefined && (typeof exp !== 'number' || !(nowMs < exp * 1000))) {
    return { ok: false, reason: 'token is expired' }
  }
  const nbf = claims['nbf']
  if (nbf !== undefined && (typeof nbf !== 'number' || !(nowMs >= nbf * 1000))) {
    return { ok: false, reason: 'token is not valid yet' }
  }
  return { ok: true, claims }
}

function decodeJsonSegment(segment: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(Buffer.from(segment, 'base64url').toString('utf8'))
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined
  } catch {
    return undefined
  }
}
