/**
 * Creates, updates and deletes pipelined over one `StreamMutateEntry` stream (SeaweedFS HEAD):
 * one HTTP/2 stream for all of them instead of one call each, which is where a grpc-js client
 * spends its CPU (~250 µs per unary call). The filer applies requests in arrival order and answers
 * each with its `request_id`. A filer without the RPC answers UNIMPLEMENTED: the caller then uses
 * the unary calls for good ({@link MutationStreamUnsupported}).
 */
import * as grpc from '@grpc/grpc-js'
import type {
  CreateEntryRequest,
  DeleteEntryRequest,
  SeaweedFilerClient,
  StreamMutateEntryRequest,
  StreamMutateEntryResponseOutput,
  UpdateEntryRequest,
} from '@seasync/proto'
import { SyncError, SyncStoppedError } from '../errors.js'

/** The stream is not available on this filer (UNIMPLEMENTED): use the unary call. */
export class MutationStreamUnsupported extends Error {}

export type MutationRequest =
  | { create_request: CreateEntryRequest }
  | { update_request: UpdateEntryRequest }
  | { delete_request: DeleteEntryRequest }

interface Pending {
  resolve: (res: StreamMutateEntryResponseOutput) => void
  reject: (err: unknown) => void
  /** `performance.now()` past which it fails with SYNC_ERR_FILER_CALL; Infinity for never. */
  deadline: number
  timeoutMs: number
}

type Duplex = grpc.ClientDuplexStream<StreamMutateEntryRequest, StreamMutateEntryResponseOutput>

/** How often deadlines are checked: one timer for the stream, not one per mutation. */
const SWEEP_MS = 250

export class MutationStream {
  /** Set once the filer answered UNIMPLEMENTED. */
  unsupported = false
  private call: Duplex | undefined
  private nextId = 1
  private readonly pending = new Map<string, Pending>()
  private sweeper: NodeJS.Timeout | undefined

  constructor(private readonly client: () => SeaweedFilerClient) {}

  /**
   * Send one mutation; resolves with the filer's answer (its `error` not yet interpreted). Rejects
   * with {@link MutationStreamUnsupported}, a SyncStoppedError on abort, a retryable
   * `SYNC_ERR_FILER_CALL` on deadline (checked every {@link SWEEP_MS}), or the stream's gRPC error
   * when it broke.
   */
  send(
    request: MutationRequest,
    { signal, timeoutMs }: { signal: AbortSignal; timeoutMs: number },
  ): Promise<StreamMutateEntryResponseOutput> {
    if (this.unsupported) return Promise.reject(new MutationStreamUnsupported())
    if (signal.aborted) return Promise.reject(new SyncStoppedError('stopped'))
    const call = this.open()
    const id = String(this.nextId++)
    return new Promise((resolve, reject) => {
      const done = (): void => {
        this.pending.delete(id)
        signal.removeEventListener('abort', onAbort)
      }
      // A mutation already sent may still be applied: as with a cancelled unary call, the caller
      // only learns that it does not know (an event retried later finds the target's state).
      const onAbort = (): void => {
        done()
        reject(new SyncStoppedError('stopped', { cause: signal.reason }))
      }
      signal.addEventListener('abort', onAbort, { once: true })
      const bounded = timeoutMs > 0 && Number.isFinite(timeoutMs)
      this.pending.set(id, {
        resolve: (res) => {
          done()
          resolve(res)
        },
        reject: (err) => {
          done()
          reject(err instanceof Error ? err : new Error(String(err)))
        },
        deadline: bounded ? performance.now() + timeoutMs : Number.POSITIVE_INFINITY,
        timeoutMs,
      })
      if (bounded) this.sweep()
      call.write({ request_id: id, ...request })
    })
  }

  /** Fails the mutations past their deadline; runs while any is pending. */
  private sweep(): void {
    if (this.sweeper !== undefined) return
    this.sweeper = setInterval(() => {
      const now = performance.now()
      for (const p of [...this.pending.values()]) {
        if (p.deadline <= now) {
          p.reject(
            new SyncError(
              'SYNC_ERR_FILER_CALL',
              `StreamMutateEntry: no answer in ${p.timeoutMs} ms`,
            ),
          )
        }
      }
      if (this.pending.size === 0) {
        clearInterval(this.sweeper)
        this.sweeper = undefined
      }
    }, SWEEP_MS)
    this.sweeper.unref()
  }

  /** Ends the stream; pending mutations reject. */
  close(): void {
    const call = this.call
    this.call = undefined
    call?.cancel()
    this.failAll(new SyncStoppedError('closed'))
  }

  private open(): Duplex {
    if (this.call) return this.call
    const call = this.client().StreamMutateEntry() as Duplex
    this.call = call
    call.on('data', (res: StreamMutateEntryResponseOutput) => {
      this.pending.get(String(res.request_id ?? ''))?.resolve(res)
    })
    const broken = (err: unknown): void => {
      if (this.call === call) this.call = undefined
      if ((err as { code?: number }).code === grpc.status.UNIMPLEMENTED) {
        this.unsupported = true
        this.failAll(new MutationStreamUnsupported())
      } else {
        this.failAll(err)
      }
    }
    call.on('error', broken)
    call.on('end', () =>
      broken(
        Object.assign(new Error('stream ended'), {
          code: grpc.status.UNAVAILABLE,
          details: 'StreamMutateEntry ended',
        }),
      ),
    )
    return call
  }

  private failAll(err: unknown): void {
    for (const p of [...this.pending.values()]) p.reject(err)
  }
}
