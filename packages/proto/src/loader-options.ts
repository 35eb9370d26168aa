import type { Options } from '@grpc/proto-loader'

/**
 * THE proto-loader options, shared by runtime loading (`load.ts`) and type generation
 * (`scripts/generate.ts`), so the generated types describe exactly what the runtime decodes.
 *
 * - `keepCase`: field names as in the proto (`ts_ns`, `new_parent_path`), like every SeaweedFS doc.
 * - `longs: String`: 64-bit integers decode as decimal strings. Timestamps in ns are ~1.8e18, far
 *   above 2^53, so a JS number would silently lose digits (protocol spec §1, pitfall §12.19).
 *   Encoding accepts string, number or bigint-as-string.
 * - `enums: String`: enum values decode as their names (`EXISTING_IS_FILE`).
 * - `defaults: false`: absent sub-messages stay absent; presence of `old_entry` / `new_entry` is
 *   the event-type discriminator (spec §6.1).
 * - `arrays: true`: repeated fields decode to `[]` when absent.
 * - `objects: true`: map fields decode to `{}` when absent.
 * - `oneofs: true`: a virtual property names the member of each oneof that is set.
 */
export const loaderOptions = Object.freeze({
  keepCase: true,
  longs: String,
  enums: String,
  defaults: false,
  arrays: true,
  objects: true,
  oneofs: true,
} satisfies Options)

/** The `proto-loader-gen-types` flags that mirror {@link loaderOptions}. @internal */
export function generatorFlags(): string[] {
  const flags = ['--grpcLib=@grpc/grpc-js']
  if (loaderOptions.keepCase) flags.push('--keepCase')
  flags.push(`--longs=${loaderOptions.longs.name}`)
  flags.push(`--enums=${loaderOptions.enums.name}`)
  if (loaderOptions.defaults) flags.push('--defaults')
  if (loaderOptions.arrays) flags.push('--arrays')
  if (loaderOptions.objects) flags.push('--objects')
  if (loaderOptions.oneofs) flags.push('--oneofs')
  return flags
}
