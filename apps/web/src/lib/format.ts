/**
 * Formatting for people: lag and durations, byte counts and rates, nanosecond timestamps. Pure
 * and locale-independent where tests read the text (`0 s`, `12.4 s`), so the e2e tests and the
 * unit tests can match it exactly.
 */
import type { LagState } from './states'

/**
 * A duration in seconds: `0 s`, `0.4 s`, `12.4 s`, `3 min 5 s`, `2 h 10 min`, `3 d 4 h`. Below a
 * minute, one decimal (dropped when it is 0); negative or non-finite values read as `0 s`.
 */
export function formatSeconds(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds <= 0) return '0 s'
  if (seconds < 59.95) {
    const rounded = Math.round(seconds * 10) / 10
    return `${Number.isInteger(rounded) ? rounded.toFixed(0) : rounded.toFixed(1)} s`
  }
  const whole = Math.round(seconds)
  if (whole < 3600) return pair(Math.floor(whole / 60), 'min', whole % 60, 's')
  if (whole < 86_400)
    return pair(Math.floor(whole / 3600), 'h', Math.floor((whole % 3600) / 60), 'min')
  return pair(Math.floor(whole / 86_400), 'd', Math.floor((whole % 86_400) / 3600), 'h')
}

function pair(major: number, majorUnit: string, minor: number, minorUnit: string): string {
  return minor === 0 ? `${major} ${majorUnit}` : `${major} ${majorUnit} ${minor} ${minorUnit}`
}

const BYTE_UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'] as const

/** A byte count in binary units: `0 B`, `512 B`, `1.5 KiB`, `3 MiB`. */
export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes) || bytes <= 0) return '0 B'
  let value = bytes
  let unit = 0
  while (value >= 1024 && unit < BYTE_UNITS.length - 1) {
    value /= 1024
    unit += 1
  }
  const text = unit === 0 || value >= 100 ? value.toFixed(0) : trimZero(value.toFixed(1))
  return `${text} ${BYTE_UNITS[unit]}`
}

/** Events per second: `0/s`, `0.3/s`, `12/s`, `1,204/s`. */
export function formatEventRate(perSecond: number): string {
  if (!Number.isFinite(perSecond) || perSecond <= 0) return '0/s'
  if (perSecond < 10) return `${trimZero(perSecond.toFixed(1))}/s`
  return `${Math.round(perSecond).toLocaleString('en-US')}/s`
}

/** Bytes per second: `0 B/s`, `1.5 MiB/s`. */
export function formatByteRate(perSecond: number): string {
  return `${formatBytes(perSecond)}/s`
}

function trimZero(text: string): string {
  return text.endsWith('.0') ? text.slice(0, -2) : text
}

/**
 * A SeaweedFS nanosecond timestamp (decimal string) as ms since the epoch; `null` for `0` (none)
 * or anything unparsable. Exact to the millisecond: the division is done on BigInt.
 */
export function nsToMs(ns: string | null | undefined): number | null {
  if (ns === null || ns === undefined || !/^-?[0-9]+$/.test(ns)) return null
  const value = BigInt(ns)
  if (value <= 0n) return null
  return Number(value / 1_000_000n)
}

/** How long ago `ms` was, relative to `nowMs`: `just now`, `5 s ago`, `3 min ago`. */
export function formatAgo(ms: number, nowMs: number): string {
  const seconds = (nowMs - ms) / 1000
  if (seconds < 1) return 'just now'
  return `${formatSeconds(Math.round(seconds))} ago`
}

/** A time for tables and tooltips: `2026-11-24 23:29:26` in the viewer's time zone. */
export function formatDateTime(ms: number): string {
  const d = new Date(ms)
  const p = (n: number) => String(n).padStart(2, '0')
  return (
    `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ` +
    `${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`
  )
}

/** A short clock time for chart axes: `23:29`. */
export function formatClock(ms: number): string {
  const d = new Date(ms)
  return `${String(d.getHours()).padStart(2, '0')}:${String(d.getMinutes()).padStart(2, '0')}`
}

/** The words for a state, as the dashboard shows them everywhere: `in-sync` → `in sync`. */
export function stateText(state: LagState): string {
  return state.replace('-', ' ')
}
