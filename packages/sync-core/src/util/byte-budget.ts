import { SyncStoppedError } from '../errors.js'

/**
 * A weighted semaphore over bytes, FIFO. A request larger than the whole budget is granted when
 * nothing else holds any, so one oversized chunk can never deadlock.
 */
export class ByteBudget {
  private used = 0
  private readonly waiters: { bytes: number; grant: () => void }[] = []

  constructor(readonly totalBytes: number) {}

  /** Wait until `bytes` fit; the returned function gives them back (idempotent). */
  async acquire(bytes: number, signal?: AbortSignal): Promise<() => void> {
    if (signal?.aborted) throw new SyncStoppedError()
    if (this.waiters.length === 0 && this.fits(bytes)) {
      this.used += bytes
      return this.releaser(bytes)
    }
    await new Promise<void>((resolve, reject) => {
      const waiter = {
        bytes,
        grant: () => {
          signal?.removeEventListener('abort', onAbort)
          resolve()
        },
      }
      const onAbort = (): void => {
        const i = this.waiters.indexOf(waiter)
        if (i >= 0) this.waiters.splice(i, 1)
        this.drain()
        reject(new SyncStoppedError())
      }
      signal?.addEventListener('abort', onAbort, { once: true })
      this.waiters.push(waiter)
    })
    return this.releaser(bytes)
  }

  private fits(bytes: number): boolean {
    return this.used + bytes <= this.totalBytes || this.used === 0
  }

  private releaser(bytes: number): () => void {
    let released = false
    return () => {
      if (released) return
      released = true
      this.used -= bytes
      this.drain()
    }
  }

  private drain(): void {
    while (this.waiters.length > 0 && this.fits(this.waiters[0]!.bytes)) {
      const next = this.waiters.shift()!
      this.used += next.bytes
      next.grant()
    }
  }
}
