/**
 * The processed watermark (filer-sync-protocol.md §4.4, §12 item 9): the `ts_ns` such that every
 * event with that timestamp or an earlier one has been applied. It is what the checkpoint saves
 * (§4.3), so resuming from it replays at least every event that was not applied (at-least-once).
 *
 * Differences from Go's `MetadataProcessor`, on purpose:
 * - Jobs are keyed by `(tsNs, seq)`: two events may share a `ts_ns` and Go's map collides them.
 * - A failed job stays unfinished and holds the watermark until it is finished (after a retry) or
 *   skipped by the operator (HEAD 4.41, `TestFailedJobHoldsWatermark`); 4.23 moved past it.
 * - Advance rule: when the oldest unfinished job finishes, the watermark moves to the LARGEST
 *   finished `ts_ns` strictly below the `ts_ns` of the oldest job still unfinished (or to the largest
 *   finished one when none is unfinished). Go jumps only to the finished job's own `ts_ns`, which is
 *   safe but lags; ours is as safe (nothing at or below it is unfinished) and tighter. "Strictly
 *   below" matters for shared timestamps: with (10, 0) finished and (10, 1) running the watermark
 *   stays below 10, because saving 10 would skip (10, 1) on resume.
 * - It never moves backwards (Go can, when timestamps arrive out of order). An event started with a
 *   `ts_ns` at or below the current value (late or replayed) does not lower it, but freezes it until
 *   that event is done.
 * - Empty progress markers never become jobs, so they never touch it
 *   (`TestMetadataProcessorEmptyMarkerKeepsWatermarkStale`): callers do not `start` them.
 *
 * Cost: O(log n) amortized per operation. Memory: one heap entry per job started since the oldest
 * unfinished one, so a long-held failure keeps later finished jobs until it is resolved.
 */
import { SyncError } from '../errors.js'

/** Identifies one job: the event's `ts_ns` and a per-stream sequence number breaking ties. */
export interface WatermarkKey {
  /** Event timestamp, nanoseconds since the Unix epoch. */
  readonly tsNs: bigint
  /** Arrival order among events (unique per stream); orders events sharing a `tsNs`. */
  readonly seq: number
}

/** Total order on keys: by `tsNs`, then `seq`. Negative, zero or positive like `Array.sort`. */
export function compareWatermarkKeys(a: WatermarkKey, b: WatermarkKey): number {
  if (a.tsNs !== b.tsNs) return a.tsNs < b.tsNs ? -1 : 1
  return a.seq - b.seq
}

interface Pending {
  readonly key: WatermarkKey
  failed: boolean
}

/** Tracks in-flight jobs and derives the applied watermark from them. */
export class Watermark {
  #value: bigint
  /** Started and not yet finished or skipped (running or failed), by {@link idOf}. */
  readonly #pending = new Map<string, Pending>()
  /**
   * Started keys not yet absorbed into the watermark. Invariant after every public call: empty, or
   * its minimum is pending (finished keys are popped as soon as they reach the top).
   */
  readonly #heap = new MinHeap<WatermarkKey>(compareWatermarkKeys)

  /** @param initialNs The checkpoint read at (re)subscribe, in ns (§4.4 last bullet). */
  constructor(initialNs: bigint) {
    this.#value = initialNs
  }

  /**
   * The applied watermark in ns: every started event with a `tsNs` ≤ it is done (except late
   * events started at or below it, see the module comment). Never decreases.
   */
  value(): bigint {
    return this.#value
  }

  /** Number of jobs started and not yet finished or skipped (failed ones included). */
  get pendingCount(): number {
    return this.#pending.size
  }

  /** Keys of failed jobs (holding the watermark), oldest first. */
  failedKeys(): WatermarkKey[] {
    const failed: WatermarkKey[] = []
    for (const entry of this.#pending.values()) if (entry.failed) failed.push(entry.key)
    return failed.sort(compareWatermarkKeys)
  }

  /** The oldest job not yet finished or skipped (running or failed): what holds the watermark. */
  oldestUnfinished(): WatermarkKey | undefined {
    return this.#heap.peek()
  }

  /**
   * Record that the job `key` started. Starting a failed key again (a retry) marks it running.
   *
   * @throws {SyncError} `SYNC_ERR_INTERNAL` when `key` is already running or `seq` is not a safe
   *   integer (caller bugs).
   */
  start(key: WatermarkKey): void {
    if (!Number.isSafeInteger(key.seq)) {
      throw new SyncError('SYNC_ERR_INTERNAL', `watermark: seq ${key.seq} is not a safe integer`)
    }
    const id = idOf(key)
    const entry = this.#pending.get(id)
    if (entry !== undefined) {
      if (!entry.failed)
        throw new SyncError('SYNC_ERR_INTERNAL', `watermark: ${id} already started`)
      entry.failed = false
      return
    }
    const copy = { tsNs: key.tsNs, seq: key.seq }
    this.#pending.set(id, { key: copy, failed: false })
    this.#heap.push(copy)
  }

  /**
   * Record that the job `key` was applied (possibly after failing and being retried), and advance
   * the watermark if it was holding it.
   *
   * @throws {SyncError} `SYNC_ERR_INTERNAL` when `key` is not pending.
   */
  finish(key: WatermarkKey): void {
    this.#take(key, 'finish')
    this.#advance()
  }

  /**
   * Record that the job `key` failed: it stays unfinished and holds the watermark (HEAD 4.41,
   * `TestFailedJobHoldsWatermarkAtOldestFailure`) until {@link finish} or {@link skip}.
   *
   * @throws {SyncError} `SYNC_ERR_INTERNAL` when `key` is not pending.
   */
  fail(key: WatermarkKey): void {
    const entry = this.#pending.get(idOf(key))
    if (entry === undefined) {
      throw new SyncError('SYNC_ERR_INTERNAL', `watermark: fail of ${idOf(key)}, not pending`)
    }
    entry.failed = true
  }

  /**
   * Release a failed job the operator chose to skip: it counts as done and the watermark may pass
   * it (the event is lost on the target, deliberately).
   *
   * @throws {SyncError} `SYNC_ERR_INTERNAL` when `key` is not a failed job (a running job cannot
   *   be skipped: it may still write).
   */
  skip(key: WatermarkKey): void {
    if (this.#pending.get(idOf(key))?.failed !== true) {
      throw new SyncError('SYNC_ERR_INTERNAL', `watermark: skip of ${idOf(key)}, not failed`)
    }
    this.#take(key, 'skip')
    this.#advance()
  }

  #take(key: WatermarkKey, op: string): void {
    if (!this.#pending.delete(idOf(key))) {
      throw new SyncError('SYNC_ERR_INTERNAL', `watermark: ${op} of ${idOf(key)}, not pending`)
    }
  }

  /**
   * Pop finished keys off the heap top (they come out in key order) and move the watermark to the
   * largest popped `tsNs` strictly below the `tsNs` of the new top (the oldest unfinished job), or
   * to the largest popped one when the heap empties. Popped keys sharing the new top's `tsNs` are
   * not lost: the watermark can only reach that `tsNs` by absorbing the top itself.
   */
  #advance(): void {
    let last: bigint | undefined
    let beforeLast: bigint | undefined // largest popped tsNs strictly below `last`
    for (let top = this.#heap.peek(); top !== undefined; top = this.#heap.peek()) {
      if (this.#pending.has(idOf(top))) break
      this.#heap.pop()
      if (last !== undefined && top.tsNs > last) beforeLast = last
      last = top.tsNs
    }
    if (last === undefined) return
    const oldest = this.#heap.peek()
    const candidate = oldest === undefined || last < oldest.tsNs ? last : beforeLast
    // Never backwards: late events (tsNs ≤ value) are absorbed without lowering it.
    if (candidate !== undefined && candidate > this.#value) this.#value = candidate
  }
}

function idOf(key: WatermarkKey): string {
  return `${key.tsNs}:${key.seq}`
}

/** Binary min-heap: O(log n) push/pop, O(1) peek. */
class MinHeap<T> {
  readonly #items: T[] = []
  readonly #less: (a: T, b: T) => boolean

  constructor(compare: (a: T, b: T) => number) {
    this.#less = (a, b) => compare(a, b) < 0
  }

  peek(): T | undefined {
    return this.#items[0]
  }

  push(item: T): void {
    const items = this.#items
    items.push(item)
    let i = items.length - 1
    while (i > 0) {
      const parent = (i - 1) >> 1
      if (!this.#less(items[i]!, items[parent]!)) break
      this.#swap(i, parent)
      i = parent
    }
  }

  pop(): T | undefined {
    const items = this.#items
    const top = items[0]
    const last = items.pop()
    if (items.length === 0 || last === undefined) return top
    items[0] = last
    let i = 0
    for (;;) {
      const left = 2 * i + 1
      const right = left + 1
      let smallest = i
      if (left < items.length && this.#less(items[left]!, items[smallest]!)) smallest = left
      if (right < items.length && this.#less(items[right]!, items[smallest]!)) smallest = right
      if (smallest === i) break
      this.#swap(i, smallest)
      i = smallest
    }
    return top
  }

  #swap(i: number, j: number): void {
    const items = this.#items
    const a = items[i]!
    items[i] = items[j]!
    items[j] = a
  }
}
