/**
 * Byte-exact checkpoint encoding of `weed filer.sync` (spec §4.1), so a Go filer.sync and SeaSync
 * can take over from each other without replay. Pure functions, no I/O.
 */

/** The key prefix; the legacy form for a source path of exactly `/` is the bare prefix. */
export const CHECKPOINT_KEY_PREFIX = 'sync.'

/** Length of an encoded checkpoint value, bytes (only 8 are ever written). */
export const CHECKPOINT_VALUE_BYTES = 8

const INT32_MIN = -(2 ** 31)
const UINT32_MAX = 2 ** 32 - 1
const INT64_MIN = -(2n ** 63n)
const UINT64_MAX = 2n ** 64n - 1n

/**
 * The KV key under which the checkpoint of one direction lives in the TARGET filer (§4.1):
 * UTF-8 `"sync."`, then `sourcePath` verbatim unless it is exactly `/` (no normalization: `/data`
 * and `/data/` are different keys), then — upstream after 4.44 (PR #10934, field notes §3 item 25)
 * — `"=>" + targetPath` unless the target path is exactly `/`, followed by the SOURCE filer's
 * signature as 4 bytes big-endian uint32 (two's complement of the int32). With a target path of
 * `/` the key is 4.44's, byte for byte; {@link legacyCheckpointKey} is the key read as a fallback.
 *
 * @param sourcePath the source path (`-a.path` for A→B) exactly as configured
 * @param sourceSignature the source filer's signature, an int32 (a uint32 is accepted too)
 * @param targetPath the target path (`-b.path` for A→B) exactly as configured; default `/`
 * @example checkpointKey('/', -2) // 73 79 6e 63 2e ff ff ff fe
 * @example checkpointKey('/data', 1, '/backup') // "sync./data=>/backup" 00 00 00 01
 */
export function checkpointKey(
  sourcePath: string,
  sourceSignature: number,
  targetPath = '/',
): Buffer {
  if (
    !Number.isInteger(sourceSignature) ||
    sourceSignature < INT32_MIN ||
    sourceSignature > UINT32_MAX
  ) {
    throw new RangeError(`checkpointKey: signature must be an int32, got ${sourceSignature}`)
  }
  const prefix =
    CHECKPOINT_KEY_PREFIX +
    (sourcePath === '/' ? '' : sourcePath) +
    (targetPath === '/' ? '' : `=>${targetPath}`)
  const signature = Buffer.alloc(4)
  signature.writeUInt32BE(sourceSignature >>> 0)
  return Buffer.concat([Buffer.from(prefix, 'utf8'), signature])
}

/**
 * The key of `weed filer.sync` up to 4.44 (no target path): where a direction whose target path
 * is not `/` looks when its own key holds nothing yet, so an upgrade resumes instead of replaying
 * (PR #10934). Undefined when it equals {@link checkpointKey} (target path `/`).
 */
export function legacyCheckpointKey(
  sourcePath: string,
  sourceSignature: number,
  targetPath = '/',
): Buffer | undefined {
  return targetPath === '/' ? undefined : checkpointKey(sourcePath, sourceSignature)
}

/**
 * The checkpoint value: `tsNs` (nanoseconds since the epoch) as 8 bytes big-endian uint64. Go
 * writes `uint64(int64)`, so a negative value is written in two's complement; accepted range is
 * int64 ∪ uint64.
 */
export function encodeCheckpoint(tsNs: bigint): Buffer {
  if (tsNs < INT64_MIN || tsNs > UINT64_MAX) {
    throw new RangeError(`encodeCheckpoint: ${tsNs} does not fit in 64 bits`)
  }
  const out = Buffer.alloc(CHECKPOINT_VALUE_BYTES)
  out.writeBigUInt64BE(BigInt.asUintN(64, tsNs))
  return out
}

/**
 * Decode a checkpoint value exactly as Go does (`int64(util.BytesToUint64(value))` after a
 * `len(value) < 8 → 0` check; spec §4.1):
 *
 * - fewer than 8 bytes (including a missing key, which reads as empty) → `0n`, i.e. replay the
 *   source's whole retained log;
 * - 8 bytes or MORE → every byte is folded in big-endian into a uint64 that wraps, so only the
 *   LAST 8 bytes count; the result is then reinterpreted as int64, so a value with the top bit set
 *   decodes negative (Go then subscribes from a negative `since_ns`, i.e. from the start).
 *
 * @returns the checkpoint in nanoseconds since the epoch, as an int64
 */
export function decodeCheckpoint(value: Uint8Array): bigint {
  if (value.length < CHECKPOINT_VALUE_BYTES) return 0n
  let v = 0n
  for (const byte of value) v = BigInt.asUintN(64, (v << 8n) | BigInt(byte))
  return BigInt.asIntN(64, v)
}
