import { randomInt } from 'node:crypto'
import type { SubscribeMetadataRequest } from '@seasync/proto'
import { SyncError } from '../errors.js'

const INT32_MIN = -0x8000_0000
const INT32_MAX = 0x7fff_ffff

/** Inputs of {@link buildSubscribeRequest} for one direction X→Y (the call is made on X). */
export interface SubscribeRequestParams {
  /** X's address exactly as the user gave it (e.g. `localhost:8888`); only used in `client_name`. */
  sourceAddressRaw: string
  /** Y's address exactly as the user gave it; only used in `client_name`. */
  targetAddressRaw: string
  /** The watched source directory (`-a.path`), e.g. `/data` or `/`. */
  sourcePath: string
  /** Resume point in ns since the epoch: the checkpoint read from Y (0n on first run). Exclusive. */
  sinceNs: bigint
  /** Y's filer signature (int32): events already carrying it are not sent (loop prevention). */
  targetSignature: number
  /** Non-zero int32 chosen once per process ({@link newClientId}). */
  clientId: number
  /** int32 ≥ 1, incremented before every (re)subscribe of either direction. */
  clientEpoch: number
}

function isInt32(n: number): boolean {
  return Number.isInteger(n) && n >= INT32_MIN && n <= INT32_MAX
}

/**
 * The `SubscribeMetadataRequest` filer.sync sends for X→Y, field for field as in spec §5.1.
 *
 * Throws `SyncError('SYNC_ERR_OPTIONS')` for inputs the server would mishandle silently: a zero or
 * non-int32 `clientId` (a zero id is never registered and the server ends the stream once caught
 * up, §5.6), an epoch outside 1..2^31-1, a negative `sinceNs` or a non-int32 signature.
 */
export function buildSubscribeRequest(params: SubscribeRequestParams): SubscribeMetadataRequest {
  const { sourcePath, sinceNs, targetSignature, clientId, clientEpoch } = params
  if (!isInt32(clientId) || clientId === 0) {
    throw new SyncError('SYNC_ERR_OPTIONS', `clientId must be a non-zero int32, got ${clientId}`)
  }
  if (!isInt32(clientEpoch) || clientEpoch < 1) {
    throw new SyncError('SYNC_ERR_OPTIONS', `clientEpoch must be an int32 ≥ 1, got ${clientEpoch}`)
  }
  if (!isInt32(targetSignature)) {
    throw new SyncError(
      'SYNC_ERR_OPTIONS',
      `targetSignature must be an int32, got ${targetSignature}`,
    )
  }
  if (sinceNs < 0n) {
    throw new SyncError('SYNC_ERR_OPTIONS', `sinceNs must be ≥ 0, got ${sinceNs}`)
  }
  return {
    // §5.1: the raw command-line strings, so server-side metrics/logs match a Go filer.sync.
    client_name: `syncFrom_${params.sourceAddressRaw}_To_${params.targetAddressRaw}`,
    // §5.1 / field notes §3 item 54: the server filter is a raw string prefix, so the trailing
    // `/` keeps `/data` from matching `/database`. `/` already ends in one and stays `/`.
    path_prefix: sourcePath.endsWith('/') ? sourcePath : `${sourcePath}/`,
    // int64 as a decimal string: ns timestamps exceed 2^53 (§1, §12.19).
    since_ns: sinceNs.toString(),
    signature: targetSignature,
    path_prefixes: [],
    client_id: clientId,
    until_ns: '0',
    client_epoch: clientEpoch,
    directories: [],
    client_supports_batching: true,
    client_supports_metadata_chunks: false,
    // [HEAD ≥4.28] caught-up streams get `{ts_ns}`-only responses every ≤5 s; older filers ignore
    // field 13 (§5.7).
    client_supports_idle_heartbeat: true,
  }
}

/**
 * A random non-zero int32 for `client_id` (spec §5.6: zero is never registered; §12.18). Choose
 * it once per process and share it between both directions.
 *
 * @param randomInt32 source of uniformly random int32 values (defaults to `node:crypto`); retried
 *   while it yields 0.
 */
export function newClientId(
  randomInt32: () => number = () => randomInt(INT32_MIN, INT32_MAX + 1),
): number {
  for (;;) {
    const id = randomInt32() | 0
    if (id !== 0) return id
  }
}
