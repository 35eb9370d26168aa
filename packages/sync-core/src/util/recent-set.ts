/**
 * A set that keeps at most `capacity` keys, forgetting the oldest inserted first. For hints that
 * are only an optimisation (losing one costs a round trip, never correctness), so memory stays
 * bounded however many keys pass through.
 */
export class RecentSet {
  private readonly keys = new Set<string>()

  constructor(private readonly capacity: number) {
    if (!(capacity > 0)) throw new RangeError(`capacity must be positive, got ${capacity}`)
  }

  get size(): number {
    return this.keys.size
  }

  has(key: string): boolean {
    return this.keys.has(key)
  }

  add(key: string): void {
    // Re-adding moves the key to the newest end.
    this.keys.delete(key)
    this.keys.add(key)
    if (this.keys.size > this.capacity) {
      const oldest = this.keys.values().next()
      if (!oldest.done) this.keys.delete(oldest.value)
    }
  }

  delete(key: string): void {
    this.keys.delete(key)
  }
}
