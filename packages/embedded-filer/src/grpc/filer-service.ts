import * as grpc from '@grpc/grpc-js'
import type {
  AssignVolumeRequestOutput,
  AssignVolumeResponse,
  AtomicRenameEntryRequestOutput,
  CreateEntryRequestOutput,
  CreateEntryResponse,
  DeleteEntryRequestOutput,
  DeleteEntryResponse,
  GetFilerConfigurationResponse,
  KvGetRequestOutput,
  KvPutRequestOutput,
  ListEntriesRequestOutput,
  ListEntriesResponse,
  LookupDirectoryEntryRequestOutput,
  LookupVolumeRequestOutput,
  SeaweedFilerHandlers,
  StreamMutateEntryRequestOutput,
  StreamMutateEntryResponse,
  StreamRenameEntryRequestOutput,
  StreamRenameEntryResponse,
  UpdateEntryRequestOutput,
  UpdateEntryResponse,
} from '@seasync/proto'
import {
  EntryNotFoundError,
  FilerOperationError,
  NOT_FOUND_TEXT,
  PreconditionFailedError,
} from '../filer/filer-errors.js'
import type { Filer, MutationResult } from '../filer/filer.js'
import { joinPath, normalizePath } from '../filer/paths.js'
import type { VolumeServer } from '../volume/volume-types.js'
import { serveSubscription, SubscriberRegistry, type SubscribeSettings } from './subscribe.js'
import type { FilerStore } from '../store/filer-store.js'

/** The version this filer reports: SeaweedFS's format, `<size limit> <major>.<minor>`. */
export const FILER_VERSION = { major: 4, minor: 44, text: '30GB 4.44' } as const

/** SeaweedFS's default directory listing limit when a request's limit is 0. */
const DIR_LISTING_LIMIT = 100_000

export interface FilerServiceContext {
  filer: Filer
  store: FilerStore
  volume: VolumeServer
  maxMB: number
  subscribe: SubscribeSettings
}

/**
 * `filer_pb.SeaweedFiler` handlers with SeaweedFS 4.44 (HEAD) semantics on the surface
 * `weed filer.sync` uses. Methods not listed answer UNIMPLEMENTED (grpc-js default).
 */
export function createFilerHandlers(ctx: FilerServiceContext): Partial<SeaweedFilerHandlers> {
  const { filer, volume } = ctx
  const registry = new SubscriberRegistry()
  const subscribeContext = {
    store: ctx.store,
    log: filer.log,
    signature: filer.signature,
    registry,
    settings: ctx.subscribe,
  }

  /** StreamRenameEntry: the rename, then each event it logged, streamed back. */
  async function streamRename(
    call: grpc.ServerWritableStream<StreamRenameEntryRequestOutput, StreamRenameEntryResponse>,
  ): Promise<void> {
    try {
      const req = call.request
      const { events } = await filer.renameEntry(
        req.old_directory ?? '',
        req.old_name ?? '',
        req.new_directory ?? '',
        req.new_name ?? '',
        req.signatures,
      )
      for (const e of events) {
        call.write({
          directory: e.directory,
          event_notification: e.event_notification,
          ts_ns: e.ts_ns,
        })
      }
      call.end()
    } catch (err) {
      call.emit('error', toServiceError(err))
    }
  }

  async function createEntry(req: CreateEntryRequestOutput): Promise<CreateEntryResponse> {
    try {
      const { events } = await filer.createEntry(
        req.directory ?? '/',
        req.entry ?? { chunks: [], extended: {} },
        {
          oExcl: req.o_excl ?? false,
          skipCheckParentDirectory: req.skip_check_parent_directory ?? false,
          signatures: req.signatures,
          isFromOtherCluster: req.is_from_other_cluster ?? false,
          condition: req.condition,
        },
      )
      return loggedAs(events)
    } catch (err) {
      // CreateEntry reports refusals in the response (error + error_code), not as a gRPC status;
      // a failed write condition with HEAD's exact text.
      if (err instanceof PreconditionFailedError) {
        return { error: 'precondition failed', error_code: 'PRECONDITION_FAILED' }
      }
      if (err instanceof FilerOperationError) {
        return { error: err.message, error_code: err.code ?? 'OK' }
      }
      throw err
    }
  }

  /** CreateEntry/UpdateEntry's answer: the last event logged, its ts and this filer's signature. */
  function loggedAs(events: MutationResult['events']) {
    const last = events[events.length - 1]
    return last
      ? { metadata_event: last, log_ts_ns: last.ts_ns, log_signature: filer.signature }
      : {}
  }

  async function updateEntry(req: UpdateEntryRequestOutput): Promise<UpdateEntryResponse> {
    const { events } = await filer.updateEntry(
      req.directory ?? '/',
      req.entry ?? { chunks: [], extended: {} },
      {
        signatures: req.signatures,
        isFromOtherCluster: req.is_from_other_cluster ?? false,
        condition: req.condition,
      },
    )
    return loggedAs(events)
  }

  async function deleteEntry(req: DeleteEntryRequestOutput): Promise<DeleteEntryResponse> {
    try {
      const { events } = await filer.deleteEntry(req.directory ?? '/', req.name ?? '', {
        isRecursive: req.is_recursive ?? false,
        ignoreRecursiveError: req.ignore_recursive_error ?? false,
        isDeleteData: req.is_delete_data ?? false,
        ifNotModifiedAfter: Number(req.if_not_modified_after ?? 0),
        signatures: req.signatures,
        isFromOtherCluster: req.is_from_other_cluster ?? false,
      })
      const last = events[events.length - 1]
      return last ? { metadata_event: last } : {}
    } catch (err) {
      // Go puts every delete failure other than not-found into `error` (spec §2.2).
      if (err instanceof FilerOperationError) return { error: err.message }
      throw err
    }
  }

  /**
   * StreamMutateEntry: creates, updates and deletes pipelined over one stream. Each request is
   * applied the moment it arrives, in arrival order (the store applies a mutation synchronously
   * inside its open group commit), and answered once committed, in the same order, with its
   * `request_id` and `is_last`. What the unary call would answer as a gRPC error goes into
   * `error`; refusals stay in the inner response as there. Renames are not supported here
   * (`error`); use AtomicRenameEntry.
   */
  function streamMutate(
    call: grpc.ServerDuplexStream<StreamMutateEntryRequestOutput, StreamMutateEntryResponse>,
  ): void {
    let answered: Promise<void> = Promise.resolve()
    const apply = (req: StreamMutateEntryRequestOutput): Promise<StreamMutateEntryResponse> => {
      const base = { request_id: req.request_id ?? '0', is_last: true }
      const failed = (err: unknown): StreamMutateEntryResponse => ({
        ...base,
        error: err instanceof Error ? err.message : String(err),
      })
      try {
        switch (req.request) {
          case 'create_request':
            return createEntry(req.create_request!).then(
              (create_response) => ({ ...base, create_response }),
              failed,
            )
          case 'update_request':
            return updateEntry(req.update_request!).then(
              (update_response) => ({ ...base, update_response }),
              failed,
            )
          case 'delete_request':
            return deleteEntry(req.delete_request!).then(
              (delete_response) => ({ ...base, delete_response }),
              failed,
            )
          default:
            return Promise.resolve(
              failed(new Error(`StreamMutateEntry: unsupported request ${req.request ?? 'none'}`)),
            )
        }
      } catch (err) {
        return Promise.resolve(failed(err))
      }
    }
    call.on('data', (req: StreamMutateEntryRequestOutput) => {
      const response = apply(req)
      answered = answered.then(async () => {
        const res = await response
        if (!call.cancelled && !call.destroyed) call.write(res)
      })
    })
    call.on('end', () => {
      void answered.then(() => {
        if (!call.cancelled && !call.destroyed) call.end()
      })
    })
    call.on('error', () => {})
  }

  return {
    GetFilerConfiguration: unary((): GetFilerConfigurationResponse => ({
      masters: [],
      replication: '',
      collection: '',
      max_mb: ctx.maxMB,
      dir_buckets: '/buckets',
      cipher: false,
      signature: filer.signature,
      metrics_address: '',
      metrics_interval_sec: 15,
      version: FILER_VERSION.text,
      cluster_id: '',
      filer_group: '',
      major_version: FILER_VERSION.major,
      minor_version: FILER_VERSION.minor,
    })),

    KvGet: unary((req: KvGetRequestOutput) => ({
      value: filer.kvGet(Buffer.from(req.key ?? [])),
      error: '',
    })),

    KvPut: unary(async (req: KvPutRequestOutput) => {
      await filer.kvPut(Buffer.from(req.key ?? []), Buffer.from(req.value ?? []))
      return { error: '' }
    }),

    LookupDirectoryEntry: unary((req: LookupDirectoryEntryRequestOutput) => {
      const dir = req.directory ?? ''
      const name = req.name ?? ''
      const entry = filer.findEntry(joinPath(dir, name))
      // Go: "<name> not found under <dir>: filer: no entry is found in filer store" (UNKNOWN).
      if (!entry) throw new EntryNotFoundError(`${name} not found under ${dir}: ${NOT_FOUND_TEXT}`)
      return { entry }
    }),

    ListEntries: (
      call: grpc.ServerWritableStream<ListEntriesRequestOutput, ListEntriesResponse>,
    ) => {
      try {
        const req = call.request
        const limit = req.limit && req.limit > 0 ? req.limit : DIR_LISTING_LIMIT
        const entries = filer.listEntries(req.directory ?? '/', {
          prefix: req.prefix ?? '',
          startFrom: req.startFromFileName ?? '',
          inclusive: req.inclusiveStartFrom ?? false,
          limit,
        })
        const snapshot =
          req.snapshot_ts_ns && req.snapshot_ts_ns !== '0'
            ? req.snapshot_ts_ns
            : filer.log.committedHeadNs().toString()
        entries.forEach((entry, i) => {
          if (req.omit_chunks) entry.chunks = []
          call.write(i === 0 ? { entry, snapshot_ts_ns: snapshot } : { entry })
        })
        call.end()
      } catch (err) {
        call.emit('error', toServiceError(err))
      }
    },

    CreateEntry: unary(createEntry),

    UpdateEntry: unary(updateEntry),

    DeleteEntry: unary(deleteEntry),

    StreamMutateEntry: (
      call: grpc.ServerDuplexStream<StreamMutateEntryRequestOutput, StreamMutateEntryResponse>,
    ) => streamMutate(call),

    AtomicRenameEntry: unary(async (req: AtomicRenameEntryRequestOutput) => {
      await filer.renameEntry(
        req.old_directory ?? '',
        req.old_name ?? '',
        req.new_directory ?? '',
        req.new_name ?? '',
        req.signatures,
      )
      return {}
    }),

    StreamRenameEntry: (
      call: grpc.ServerWritableStream<StreamRenameEntryRequestOutput, StreamRenameEntryResponse>,
    ) => {
      void streamRename(call)
    },

    AssignVolume: unary((req: AssignVolumeRequestOutput): AssignVolumeResponse => {
      try {
        const collection = req.collection || bucketCollection(req.path ?? '')
        const { fid } = volume.assign({
          collection,
          replication: req.replication ?? '',
          ttlSec: req.ttl_sec ?? 0,
          diskType: req.disk_type ?? '',
        })
        const [, port] = splitHostPort(volume.url)
        return {
          file_id: fid,
          count: 1,
          auth: volume.writeJwt(fid),
          collection,
          replication: req.replication || '000',
          error: '',
          location: {
            url: volume.url,
            public_url: volume.publicUrl,
            grpc_port: Number(port) + 10000,
            data_center: '',
          },
        }
      } catch (err) {
        // AssignVolume reports failures in `error` with status OK (spec §2.2).
        return { error: err instanceof Error ? err.message : String(err) }
      }
    }),

    LookupVolume: unary((req: LookupVolumeRequestOutput) => {
      const locationsMap: Record<string, { locations: { url: string; public_url: string }[] }> = {}
      for (const vid of req.volume_ids) {
        // Decimal volume ids only; anything else fails the whole call (spec §2.2).
        if (!/^\d+$/.test(vid))
          throw new Error(
            `invalid volume id ${vid}: strconv.Atoi: parsing "${vid}": invalid syntax`,
          )
        if (!volume.hasVolume(Number(vid))) throw new Error(`volume ${vid} not found`)
        locationsMap[vid] = { locations: [{ url: volume.url, public_url: volume.publicUrl }] }
      }
      return { locations_map: locationsMap }
    }),

    SubscribeMetadata: (call) => {
      void serveSubscription(call, subscribeContext, false)
    },

    SubscribeLocalMetadata: (call) => {
      void serveSubscription(call, subscribeContext, true)
    },

    Ping: unary(() => {
      const now = Date.now() * 1_000_000
      return { start_time_ns: now, remote_time_ns: now, stop_time_ns: now }
    }),
  }
}

/** `/buckets/<name>/…` → collection `<name>` (SeaweedFS's bucket rule for AssignVolume). */
export function bucketCollection(path: string): string {
  const p = normalizePath(path)
  const m = /^\/buckets\/([^/]+)(\/|$)/.exec(p)
  return m?.[1] ?? ''
}

function splitHostPort(url: string): [string, string] {
  const colon = url.lastIndexOf(':')
  return [url.slice(0, colon), url.slice(colon + 1)]
}

/** Wrap a handler: its (awaited) return value is the response, a throw becomes a gRPC error. */
function unary<Req, Res>(fn: (req: Req) => Res | Promise<Res>): grpc.handleUnaryCall<Req, Res> {
  return (call, callback) => {
    Promise.resolve()
      .then(() => fn(call.request))
      .then(
        (res) => callback(null, res),
        (err: unknown) => callback(toServiceError(err)),
      )
  }
}

/**
 * Errors as SeaweedFS's server delivers them: plain Go errors become status UNKNOWN with the
 * message text; clients match substrings (spec §5.7).
 */
function toServiceError(err: unknown): Partial<grpc.StatusObject> {
  // HEAD's UpdateEntry: status.Errorf(codes.FailedPrecondition, "precondition failed: %s", path).
  if (err instanceof PreconditionFailedError) {
    return { code: grpc.status.FAILED_PRECONDITION, details: err.message }
  }
  const details = err instanceof Error ? err.message : String(err)
  return { code: grpc.status.UNKNOWN, details }
}
