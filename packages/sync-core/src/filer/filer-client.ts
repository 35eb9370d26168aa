import { setMaxListeners } from 'node:events'
import * as grpc from '@grpc/grpc-js'
import {
  channelOptions,
  loadFilerProto,
  type AssignVolumeRequest,
  type AssignVolumeResponseOutput,
  type AtomicRenameEntryRequest,
  type AtomicRenameEntryResponseOutput,
  type CreateEntryRequest,
  type CreateEntryResponseOutput,
  type DeleteEntryRequest,
  type DeleteEntryResponseOutput,
  type EntryOutput,
  type GetFilerConfigurationResponseOutput,
  type KvGetResponseOutput,
  type KvPutResponseOutput,
  type ListEntriesRequest,
  type ListEntriesResponseOutput,
  type LocationOutput,
  type LookupDirectoryEntryResponseOutput,
  type LookupVolumeResponseOutput,
  type SeaweedFilerClient,
  type SubscribeMetadataRequest,
  type StreamMutateEntryResponseOutput,
  type SubscribeMetadataResponseOutput,
  type UpdateEntryRequest,
  type UpdateEntryResponseOutput,
} from '@seasync/proto'
import { SyncError, SyncStoppedError, type SyncErrorCode } from '../errors.js'
import { linkSignals } from '../util/abort.js'
import { grpcCredentials, type ClusterTls } from './cluster-tls.js'
import { parseFilerAddress, type FilerAddress } from './filer-address.js'
import { bindCallSignal } from './grpc-call-signal.js'
import {
  MutationStream,
  MutationStreamUnsupported,
  type MutationRequest,
} from './mutation-stream.js'
import { isNotFoundText, shouldDropChannel, translateGrpcError } from './grpc-errors.js'

/** Per-call options every {@link FilerClient} method takes. */
export interface FilerCallOptions {
  /** Aborting cancels the call (`call.cancel()`); the method then rejects with SyncStoppedError. */
  signal?: AbortSignal | undefined
  /**
   * Deadline of the call, milliseconds. Unary calls default to
   * {@link FilerClientDefaults.unaryTimeoutMs}; streams have none unless given. `0` or `Infinity`
   * disables it. An elapsed deadline is a retryable `SYNC_ERR_FILER_CALL`.
   */
  timeoutMs?: number | undefined
}

/** Options of {@link FilerClient.listEntries}. */
export interface ListEntriesOptions extends FilerCallOptions {
  /** Only names starting with this. */
  prefix?: string
  /** Start after (or at, with `inclusive`) this name. */
  startFrom?: string
  inclusive?: boolean
  /**
   * At most this many entries, in one request. Without it the listing is paged
   * ({@link FilerClientDefaults.listPageSize} per request, as Go's `ReadDirAllEntries`) to the end.
   */
  limit?: number
}

/** Options of the {@link FilerClient} constructor. */
export interface FilerClientOptions {
  /** Channel credentials (mutual TLS from security.toml, §1). Default: plaintext h2c. */
  credentials?: grpc.ChannelCredentials
  /**
   * The cluster's TLS ({@link ClusterTls}): its `grpc` material or `credentials` dial the filer
   * (chain checked, host name not, as SeaweedFS). `credentials` above wins over it.
   */
  tls?: ClusterTls | undefined
  /** Default deadline of unary calls, milliseconds. Default 60 000. */
  unaryTimeoutMs?: number
  /** Extra grpc-js channel options, over `@seasync/proto`'s `channelOptions`. */
  channelOptions?: grpc.ChannelOptions
}

export const FilerClientDefaults = Object.freeze({
  /** Deadline of unary calls when none is given, milliseconds. */
  unaryTimeoutMs: 60_000,
  /** Entries per ListEntries request when paging (Go's `ReadDirAllEntries` uses 1024). */
  listPageSize: 1024,
})

type UnaryStart<Res> = (
  client: SeaweedFilerClient,
  callOptions: grpc.CallOptions,
  callback: grpc.requestCallback<Res>,
) => grpc.ClientUnaryCall

/**
 * A promise / AsyncIterable facade over the generated `SeaweedFiler` client for one filer.
 *
 * Channels follow Go (spec §1): one cached channel for unary calls, dropped and redialled when a
 * call fails with UNAVAILABLE / CANCELLED / DEADLINE_EXCEEDED / ABORTED / INTERNAL or a
 * transport-ish message; a fresh channel per SubscribeMetadata stream, closed when it ends. Every
 * error goes through `translateGrpcError` once, so callers only ever see `SyncError`s.
 */
export class FilerClient {
  readonly address: FilerAddress
  private readonly credentials: grpc.ChannelCredentials
  private readonly unaryTimeoutMs: number
  private readonly channelOptions: grpc.ChannelOptions
  private readonly closing = new AbortController()
  private cached: SeaweedFilerClient | undefined
  private readonly streams = new Set<SeaweedFilerClient>()
  /** Unary calls in flight, cancelled by close(). */
  private readonly unaryCalls = new Set<grpc.ClientUnaryCall>()
  /** Creates, updates and deletes share one StreamMutateEntry stream (opened on first use). */
  private mutations: MutationStream | undefined

  constructor(address: string | FilerAddress, options: FilerClientOptions = {}) {
    // Every in-flight call links to `closing`: dozens at once is normal, not a leak.
    setMaxListeners(0, this.closing.signal)
    this.address = typeof address === 'string' ? parseFilerAddress(address) : address
    this.credentials = options.credentials ?? grpcCredentials(options.tls)
    this.unaryTimeoutMs = options.unaryTimeoutMs ?? FilerClientDefaults.unaryTimeoutMs
    this.channelOptions = {
      ...channelOptions,
      // A channel of our own per client: grpc-js otherwise shares subchannels (connections)
      // process-wide, so a "fresh" channel would reuse the same possibly broken or backing-off
      // connection, and closing a stream's channel would not close its connection. Go dials a new
      // connection in both cases (§1).
      'grpc.use_local_subchannel_pool': 1,
      ...options.channelOptions,
    }
  }

  /** SubscribeMetadata streams currently open (each on its own channel). @internal For tests. */
  get openStreamCount(): number {
    return this.streams.size
  }

  /** `GetFilerConfiguration`: the filer's store `signature` (§3.1), version, masters… */
  getConfiguration(options: FilerCallOptions = {}): Promise<GetFilerConfigurationResponseOutput> {
    return this.unary<GetFilerConfigurationResponseOutput>(
      'GetFilerConfiguration',
      options,
      (c, o, cb) => c.GetFilerConfiguration({}, o, cb),
    )
  }

  /**
   * `KvGet`: the value stored under `key`; a missing key gives an empty Buffer (§2.2). A non-empty
   * `error` in the response is a retryable `SYNC_ERR_FILER_CALL`.
   */
  async kvGet(key: Uint8Array, options: FilerCallOptions = {}): Promise<Buffer> {
    const res = await this.unary<KvGetResponseOutput>('KvGet', options, (c, o, cb) =>
      c.KvGet({ key }, o, cb),
    )
    if (res.error) throw this.filerError('SYNC_ERR_FILER_CALL', 'KvGet', res.error, true)
    return res.value ?? Buffer.alloc(0)
  }

  /** `KvPut`: store `value` under `key`. An empty value DELETES the key (§2.2). */
  async kvPut(key: Uint8Array, value: Uint8Array, options: FilerCallOptions = {}): Promise<void> {
    const res = await this.unary<KvPutResponseOutput>('KvPut', options, (c, o, cb) =>
      c.KvPut({ key, value }, o, cb),
    )
    if (res.error) throw this.filerError('SYNC_ERR_FILER_CALL', 'KvPut', res.error, true)
  }

  /**
   * `LookupDirectoryEntry`: the entry `directory/name`, or `undefined` when it does not exist —
   * the UNKNOWN status with SeaweedFS's not-found text, or an OK response without `entry` (§2.2).
   * Any other failure throws.
   */
  async lookupEntry(
    directory: string,
    name: string,
    options: FilerCallOptions = {},
  ): Promise<EntryOutput | undefined> {
    const what = `LookupDirectoryEntry ${joinPath(directory, name)}`
    try {
      const res = await this.unary<LookupDirectoryEntryResponseOutput>(what, options, (c, o, cb) =>
        c.LookupDirectoryEntry({ directory, name }, o, cb),
      )
      return res.entry ?? undefined
    } catch (err) {
      if (err instanceof SyncError && err.code === 'SYNC_ERR_NOT_FOUND') return undefined
      throw err
    }
  }

  /**
   * `ListEntries` of `directory` as an AsyncIterable (names in byte order), on the cached channel.
   * Breaking out of the loop cancels the current request.
   */
  async *listEntries(
    directory: string,
    options: ListEntriesOptions = {},
  ): AsyncGenerator<EntryOutput, void, undefined> {
    const paged = options.limit === undefined
    const pageSize = options.limit ?? FilerClientDefaults.listPageSize
    let startFrom = options.startFrom ?? ''
    let inclusive = options.inclusive ?? false
    for (;;) {
      const request: ListEntriesRequest = {
        directory,
        prefix: options.prefix ?? '',
        startFromFileName: startFrom,
        inclusiveStartFrom: inclusive,
        limit: pageSize,
      }
      let count = 0
      for await (const entry of this.listPage(request, options)) {
        count++
        startFrom = entry.name ?? ''
        yield entry
      }
      if (!paged || count < pageSize) return
      inclusive = false
    }
  }

  /**
   * `CreateEntry` (create or overwrite). Refusals — a non-empty `error`, an `error_code` other
   * than OK (e.g. `EXISTING_IS_FILE`), or the filer's own error as an UNKNOWN status (storage rules)
   * — are `SYNC_ERR_FILER_REFUSED` carrying the filer's text (§2.2: check all three).
   */
  async createEntry(
    request: CreateEntryRequest,
    options: FilerCallOptions = {},
  ): Promise<CreateEntryResponseOutput> {
    const what = `CreateEntry ${joinPath(request.directory ?? '', request.entry?.name ?? '')}`
    const res = await this.mutation(
      what,
      options,
      { create_request: request },
      (r) => r.create_response,
      () =>
        this.unary<CreateEntryResponseOutput>(
          what,
          options,
          (c, o, cb) => c.CreateEntry(request, o, cb),
          'SYNC_ERR_FILER_REFUSED',
        ),
    )
    const errorCode = String(res.error_code ?? 'OK')
    // HEAD: a WriteCondition that no longer holds (status OK, error_code PRECONDITION_FAILED = 6).
    if (errorCode === 'PRECONDITION_FAILED' || errorCode === '6') {
      throw this.filerError(
        'SYNC_ERR_PRECONDITION',
        what,
        `(${errorCode}) ${res.error ?? ''}`,
        true,
      )
    }
    if (res.error || (errorCode !== 'OK' && errorCode !== '0')) {
      const text = `${errorCode === 'OK' ? '' : `(${errorCode}) `}${res.error ?? ''}`
      throw this.filerError('SYNC_ERR_FILER_REFUSED', what, text, false)
    }
    return res
  }

  /**
   * `UpdateEntry` (in place). A missing entry is `SYNC_ERR_NOT_FOUND`; other filer errors are
   * `SYNC_ERR_FILER_REFUSED`.
   */
  updateEntry(
    request: UpdateEntryRequest,
    options: FilerCallOptions = {},
  ): Promise<UpdateEntryResponseOutput> {
    const what = `UpdateEntry ${joinPath(request.directory ?? '', request.entry?.name ?? '')}`
    return this.mutation(
      what,
      options,
      { update_request: request },
      (r) => r.update_response,
      () =>
        this.unary<UpdateEntryResponseOutput>(
          what,
          options,
          (c, o, cb) => c.UpdateEntry(request, o, cb),
          'SYNC_ERR_FILER_REFUSED',
        ),
    )
  }

  /**
   * `DeleteEntry`. Deleting a missing entry succeeds: the server swallows not-found, and Go also
   * treats any error text containing the not-found string as success (§2.2). Other failures
   * (e.g. a non-empty folder without `is_recursive`) are `SYNC_ERR_FILER_REFUSED`.
   */
  async deleteEntry(
    request: DeleteEntryRequest,
    options: FilerCallOptions = {},
  ): Promise<DeleteEntryResponseOutput> {
    const what = `DeleteEntry ${joinPath(request.directory ?? '', request.name ?? '')}`
    let res: DeleteEntryResponseOutput
    try {
      res = await this.mutation(
        what,
        options,
        { delete_request: request },
        (r) => r.delete_response,
        () =>
          this.unary<DeleteEntryResponseOutput>(
            what,
            options,
            (c, o, cb) => c.DeleteEntry(request, o, cb),
            'SYNC_ERR_FILER_REFUSED',
          ),
      )
    } catch (err) {
      if (err instanceof SyncError && err.code === 'SYNC_ERR_NOT_FOUND') return {}
      throw err
    }
    if (res.error && !isNotFoundText(res.error)) {
      throw this.filerError('SYNC_ERR_FILER_REFUSED', what, res.error, false)
    }
    return res
  }

  /**
   * `AtomicRenameEntry` ([HEAD ≥4.33] replays a rename, §7.4). A missing source is
   * `SYNC_ERR_NOT_FOUND` (the caller falls back to CreateEntry); other filer errors are
   * `SYNC_ERR_FILER_REFUSED`.
   */
  async atomicRenameEntry(
    request: AtomicRenameEntryRequest,
    options: FilerCallOptions = {},
  ): Promise<void> {
    const from = joinPath(request.old_directory ?? '', request.old_name ?? '')
    const to = joinPath(request.new_directory ?? '', request.new_name ?? '')
    await this.unary<AtomicRenameEntryResponseOutput>(
      `AtomicRenameEntry ${from} -> ${to}`,
      options,
      (c, o, cb) => c.AtomicRenameEntry(request, o, cb),
      'SYNC_ERR_FILER_REFUSED',
    )
  }

  /**
   * `AssignVolume`: a new file id and the volume server to upload it to (§8.4). A non-empty
   * `error` (status OK) or a response without `file_id` / `location` is a retryable
   * `SYNC_ERR_CHUNK_WRITE`.
   */
  async assignVolume(
    request: AssignVolumeRequest,
    options: FilerCallOptions = {},
  ): Promise<AssignVolumeResponseOutput> {
    const what = `AssignVolume ${request.path ?? ''}`.trimEnd()
    const res = await this.unary<AssignVolumeResponseOutput>(what, options, (c, o, cb) =>
      c.AssignVolume(request, o, cb),
    )
    if (res.error) throw this.filerError('SYNC_ERR_CHUNK_WRITE', what, res.error, true)
    if (!res.file_id || !res.location?.url) {
      throw this.filerError('SYNC_ERR_CHUNK_WRITE', what, 'response without file_id/location', true)
    }
    return res
  }

  /**
   * `LookupVolume`: volume id → locations, in the filer's order. Ids must be decimal (strip
   * `,key+cookie` from a fid first); an unknown id fails the whole call (§2.2).
   */
  async lookupVolume(
    volumeIds: readonly string[],
    options: FilerCallOptions = {},
  ): Promise<Record<string, LocationOutput[]>> {
    const res = await this.unary<LookupVolumeResponseOutput>(
      `LookupVolume ${volumeIds.join(',')}`,
      options,
      (c, o, cb) => c.LookupVolume({ volume_ids: [...volumeIds] }, o, cb),
    )
    const out: Record<string, LocationOutput[]> = {}
    for (const [vid, locations] of Object.entries(res.locations_map ?? {})) {
      out[vid] = locations.locations ?? []
    }
    return out
  }

  /**
   * `SubscribeMetadata` on a FRESH channel (Go dials one per stream, §1), closed when the stream
   * ends. Drain it with `for await`: grpc-js reads the next message only when the loop asks (plus
   * a small object buffer), so a slow consumer slows the server (back-pressure, STYLE.md 11).
   * Breaking out of the loop (`return()`) cancels the call. A clean server end (EOF, §5.6) ends
   * the iteration; failures reject it: our own abort → SyncStoppedError, the filer's text →
   * retryable `SYNC_ERR_SUBSCRIBE`, transport → `SYNC_ERR_UNAVAILABLE`.
   */
  async *subscribeMetadata(
    request: SubscribeMetadataRequest,
    options: FilerCallOptions = {},
  ): AsyncGenerator<SubscribeMetadataResponseOutput, void, undefined> {
    const what = `SubscribeMetadata ${request.path_prefix ?? ''} on ${this.address.grpcAddress}`
    const linked = linkSignals(options.signal, this.closing.signal)
    const { signal } = linked
    try {
      if (signal.aborted) throw new SyncStoppedError(`${what}: stopped`, { cause: signal.reason })
      const client = this.newClient()
      this.streams.add(client)
      const call = client.SubscribeMetadata(request, this.streamCallOptions(options))
      // grpc-js emits 'error' after the iterator may have let go of the stream (return()); this
      // listener keeps that late CANCELLED from becoming an uncaught 'error' event.
      call.on('error', () => {})
      const unbind = bindCallSignal(call, signal)
      try {
        for await (const message of call as AsyncIterable<SubscribeMetadataResponseOutput>) {
          // Messages buffered before an abort must not be handed out after it.
          if (signal.aborted)
            throw new SyncStoppedError(`${what}: stopped`, { cause: signal.reason })
          yield message
        }
      } catch (err) {
        throw translateGrpcError(err, {
          what,
          signal,
          refusedCode: 'SYNC_ERR_SUBSCRIBE',
          refusedRetryable: true,
        })
      } finally {
        unbind()
        call.cancel() // no-op when the stream already ended
        this.streams.delete(client)
        client.close()
      }
    } finally {
      linked.cleanup()
    }
  }

  /**
   * Close every channel: in-flight calls and open streams are cancelled (they reject with
   * SyncStoppedError) and later calls reject at once. Idempotent.
   */
  close(): void {
    this.closing.abort(new Error(`FilerClient ${this.address.raw} closed`))
    for (const call of this.unaryCalls) call.cancel()
    this.mutations?.close()
    this.cached?.close()
    this.cached = undefined
    for (const client of this.streams) client.close()
  }

  private newClient(): SeaweedFilerClient {
    const { SeaweedFiler } = loadFilerProto().filer_pb
    return new SeaweedFiler(this.address.grpcAddress, this.credentials, this.channelOptions)
  }

  private unaryClient(): SeaweedFilerClient {
    this.cached ??= this.newClient()
    return this.cached
  }

  /** Go drops a cached channel after transport-ish failures and redials on the next call (§1). */
  private dropUnaryClient(client: SeaweedFilerClient): void {
    if (this.cached !== client) return
    this.cached = undefined
    // Calls already started on it run to completion; only queued ones fail (UNAVAILABLE).
    client.close()
  }

  /**
   * One create, update or delete over the pipelined `StreamMutateEntry` stream, falling back to
   * the unary call (`unary`) on a filer without it. Errors are translated as the unary call's
   * would be: an `error` in the answer is what the unary call gets as status UNKNOWN.
   */
  private async mutation<Res>(
    what: string,
    options: FilerCallOptions,
    request: MutationRequest,
    pick: (res: StreamMutateEntryResponseOutput) => Res | undefined,
    unary: () => Promise<Res>,
  ): Promise<Res> {
    if (this.mutations?.unsupported) return unary()
    const label = `${what} on ${this.address.grpcAddress}`
    // No signal linked to `closing` here: close() closes the stream, which rejects every
    // mutation still waiting (one listener and controller fewer per call, on the hot path).
    const parent = options.signal
    try {
      this.throwIfStopped(label, parent)
      this.mutations ??= new MutationStream(() => this.unaryClient())
      const res = await this.mutations.send(request, {
        signal: parent ?? NEVER_ABORTED,
        timeoutMs: options.timeoutMs ?? this.unaryTimeoutMs,
      })
      if (res.error) {
        // The stream carries the unary call's gRPC error as text only. HEAD's failed
        // UpdateEntry condition reads "precondition failed: <path>"; give it its status back.
        const code = PRECONDITION_TEXT.test(res.error)
          ? grpc.status.FAILED_PRECONDITION
          : grpc.status.UNKNOWN
        throw Object.assign(new Error(res.error), { code, details: res.error })
      }
      const inner = pick(res)
      if (inner === undefined) throw new Error(`${label}: answer without a response`)
      return inner
    } catch (err) {
      if (err instanceof MutationStreamUnsupported) return unary()
      throw translateGrpcError(err, {
        what: label,
        signal: this.stopSignal(parent),
        refusedCode: 'SYNC_ERR_FILER_REFUSED',
      })
    }
  }

  /** Rejects at once when the caller's signal or this client's close() already stopped it. */
  private throwIfStopped(label: string, parent: AbortSignal | undefined): void {
    const stop = this.stopSignal(parent)
    if (stop?.aborted) throw new SyncStoppedError(`${label}: stopped`, { cause: stop.reason })
  }

  /** The signal that stopped a call (the caller's, or close()'s), else the caller's. */
  private stopSignal(parent: AbortSignal | undefined): AbortSignal | undefined {
    if (parent?.aborted) return parent
    return this.closing.signal.aborted ? this.closing.signal : parent
  }

  private async unary<Res>(
    what: string,
    options: FilerCallOptions,
    start: UnaryStart<Res>,
    refusedCode?: SyncErrorCode,
  ): Promise<Res> {
    const label = `${what} on ${this.address.grpcAddress}`
    // The call is bound to the caller's signal only; close() cancels the calls in `unaryCalls`
    // itself (no linked controller per call: its listeners cost more than the call's own work).
    const parent = options.signal
    let unbind = (): void => {}
    let call: grpc.ClientUnaryCall | undefined
    let client: SeaweedFilerClient | undefined
    try {
      this.throwIfStopped(label, parent)
      client = this.unaryClient()
      const callOptions: grpc.CallOptions = {}
      const timeoutMs = options.timeoutMs ?? this.unaryTimeoutMs
      if (timeoutMs > 0 && Number.isFinite(timeoutMs)) callOptions.deadline = Date.now() + timeoutMs
      const activeClient = client
      return await new Promise<Res>((resolve, reject) => {
        call = start(activeClient, callOptions, (err, res) => {
          if (err) reject(err)
          else if (res === undefined) reject(new Error('empty response'))
          else resolve(res)
        })
        this.unaryCalls.add(call)
        unbind = bindCallSignal(call, parent)
      })
    } catch (err) {
      const signal = this.stopSignal(parent)
      if (client && shouldDropChannel(err, signal)) this.dropUnaryClient(client)
      throw translateGrpcError(err, { what: label, signal, refusedCode })
    } finally {
      if (call) this.unaryCalls.delete(call)
      unbind()
    }
  }

  /** One ListEntries request, streamed; on the cached channel (it is a short, bounded stream). */
  private async *listPage(
    request: ListEntriesRequest,
    options: FilerCallOptions,
  ): AsyncGenerator<EntryOutput, void, undefined> {
    const what = `ListEntries ${request.directory ?? ''} on ${this.address.grpcAddress}`
    const linked = linkSignals(options.signal, this.closing.signal)
    const { signal } = linked
    let client: SeaweedFilerClient | undefined
    try {
      if (signal.aborted) throw new SyncStoppedError(`${what}: stopped`, { cause: signal.reason })
      client = this.unaryClient()
      const call = client.ListEntries(request, this.streamCallOptions(options))
      call.on('error', () => {}) // see subscribeMetadata
      const unbind = bindCallSignal(call, signal)
      try {
        for await (const message of call as AsyncIterable<ListEntriesResponseOutput>) {
          if (signal.aborted)
            throw new SyncStoppedError(`${what}: stopped`, { cause: signal.reason })
          if (message.entry) yield message.entry
        }
      } finally {
        unbind()
        call.cancel()
      }
    } catch (err) {
      if (client && shouldDropChannel(err, signal)) this.dropUnaryClient(client)
      throw translateGrpcError(err, { what, signal })
    } finally {
      linked.cleanup()
    }
  }

  private streamCallOptions(options: FilerCallOptions): grpc.CallOptions {
    const { timeoutMs } = options
    return timeoutMs !== undefined && timeoutMs > 0 && Number.isFinite(timeoutMs)
      ? { deadline: Date.now() + timeoutMs }
      : {}
  }

  private filerError(
    code: SyncErrorCode,
    what: string,
    text: string,
    retryable: boolean,
  ): SyncError {
    return new SyncError(code, `${what} on ${this.address.grpcAddress}: ${text}`, { retryable })
  }
}

/** For calls without a signal of their own. */
const NEVER_ABORTED = new AbortController().signal

/** A failed HEAD write condition as text (`precondition failed: <path>`, possibly wrapped). */
const PRECONDITION_TEXT = /(^|desc = )precondition failed/

/** `dir/name` for messages, without doubling the root's slash. */
function joinPath(directory: string, name: string): string {
  if (name === '') return directory
  return directory.endsWith('/') ? `${directory}${name}` : `${directory}/${name}`
}
