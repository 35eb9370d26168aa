import { SyncStoppedError } from '../errors.js'

/** A counting semaphore with FIFO waiters and abortable acquisition. */
export class Semaphore {
  private available: number
  private readonly waiters: { resolve: () => void; reject: (err: Error) => void }[] = []

  constructor(readonly size: number) {
    this.available = size
  }

  /** Wait for a slot; the returned function gives it back (call it exactly once). */
  async acquire(signal?: AbortSignal): Promise<() => void> {
    if (signal?.aborted) throw new SyncStoppedError()
    if (this.available > 0) {
      this.available--
      return this.releaser()
    }
    await new Promise<void>((resolve, reject) => {
      const waiter = {
        resolve: () => {
          signal?.removeEventListener('abort', onAbort)
          resolve()
        },
        reject,
      }
      const onAbort = (): void => {
        const i = this.waiters.indexOf(waiter)
        if (i >= 0) this.waiters.splice(i, 1)
        reject(new SyncStoppedError())
      }
      signal?.addEventListener('abort', onAbort, { once: true })
      this.waiters.push(waiter)
    })
    return this.releaser()
  }

  private releaser(): () => void {
    let released = false
    return () => {
      if (released) return
      released = true
      const next = this.waiters.shift()
      if (next) next.resolve()
      else this.available++
    }
  }
}
