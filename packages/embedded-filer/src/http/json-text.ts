/**
 * JSON text with exact 64-bit integers. Go's encoding/json writes int64/uint64 fields as bare
 * numbers (a chunk's `modified_ts_ns` is ~1.8e18, far above 2^53), and `JSON.stringify` can
 * neither take a bigint nor print a decimal string as a number (Node 20 has no `JSON.rawJSON`).
 */

/** A JSON number given by its decimal digits, written verbatim (no quotes, no rounding). */
export class RawNumber {
  constructor(readonly digits: string) {
    if (!/^-?\d+$/.test(digits)) throw new TypeError(`not an integer: ${JSON.stringify(digits)}`)
  }
}

/** A 64-bit proto value (decimal string, number or undefined) as an exact JSON number; absent → 0. */
export function int64(value: string | number | bigint | undefined | null): RawNumber {
  if (value === undefined || value === null || value === '') return new RawNumber('0')
  return new RawNumber(typeof value === 'number' ? Math.trunc(value).toString() : value.toString())
}

/**
 * Serialize like `JSON.stringify(value, null, indent)`, plus {@link RawNumber}. Object properties
 * whose value is `undefined` are left out, as JSON.stringify does.
 */
export function toJsonText(value: unknown, indent = 0): string {
  return write(value, indent, '')
}

function write(value: unknown, indent: number, pad: string): string {
  if (value instanceof RawNumber) return value.digits
  if (value === null || value === undefined) return 'null'
  if (Array.isArray(value)) {
    if (value.length === 0) return '[]'
    const inner = pad + ' '.repeat(indent)
    const items = value.map((item) => write(item, indent, inner))
    return indent === 0
      ? `[${items.join(',')}]`
      : `[\n${inner}${items.join(`,\n${inner}`)}\n${pad}]`
  }
  switch (typeof value) {
    case 'string':
    case 'number':
    case 'boolean':
      return JSON.stringify(value)
    case 'bigint':
      return value.toString()
    case 'object': {
      const inner = pad + ' '.repeat(indent)
      const fields = Object.entries(value as Record<string, unknown>)
        .filter(([, v]) => v !== undefined)
        .map(
          ([k, v]) => `${JSON.stringify(k)}:${indent === 0 ? '' : ' '}${write(v, indent, inner)}`,
        )
      if (fields.length === 0) return '{}'
      return indent === 0
        ? `{${fields.join(',')}}`
        : `{\n${inner}${fields.join(`,\n${inner}`)}\n${pad}}`
    }
    default:
      return 'null'
  }
}
