/**
 * Pure: what setting a direction's checkpoint to a time will do, in words, before it is done.
 * Earlier than the current checkpoint replays (every change since then is applied again,
 * deletes and renames included); later skips (changes in between never reach the target).
 */
import { formatDateTime, formatSeconds } from '../../lib/format'

export interface CheckpointPlan {
  readonly kind: 'replay' | 'skip' | 'same' | 'replay-all'
  readonly text: string
}

export function checkpointWarning(
  currentMs: number | null,
  chosenMs: number,
  source: string,
  target: string,
): CheckpointPlan {
  const chosen = formatDateTime(chosenMs)
  if (currentMs === null) {
    return {
      kind: 'replay-all',
      text:
        `${source} → ${target} has no checkpoint yet. It will start from ${chosen}: every change ` +
        `${source} still has in its log since then is applied to ${target} again.`,
    }
  }
  const delta = (chosenMs - currentMs) / 1000
  if (Math.abs(delta) < 1) {
    return { kind: 'same', text: `This is the current checkpoint (${chosen}): nothing changes.` }
  }
  if (delta < 0) {
    return {
      kind: 'replay',
      text:
        `Replays ${formatSeconds(-delta)} of changes: every change on ${source} since ${chosen} ` +
        `is applied to ${target} again when the edge resumes, deletes and renames included. ` +
        `Files changed on ${target} since then may be overwritten.`,
    }
  }
  return {
    kind: 'skip',
    text:
      `Skips ${formatSeconds(delta)} of changes: changes on ${source} between ` +
      `${formatDateTime(currentMs)} and ${chosen} are never applied to ${target}. ` +
      `Run filer.sync.verify afterwards to find what is missing.`,
  }
}

/** `datetime-local` input value (local time, seconds) ↔ ms since the epoch. */
export function toLocalInput(ms: number): string {
  const d = new Date(ms)
  const p = (n: number) => String(n).padStart(2, '0')
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`
}

export function fromLocalInput(value: string): number | null {
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?$/.test(value)) return null
  const ms = new Date(value).getTime()
  return Number.isFinite(ms) ? ms : null
}
