/**
 * @seasync/sync-core: the replicator library. One direction X→Y of `weed filer.sync` with the
 * protocol semantics of `shared/spec/filer-sync-protocol.md` (HEAD fixes where 4.23 loses data).
 */
export { SyncError, SyncStoppedError, SyncErrorCodes, toSyncError } from './errors.js'
export type { SyncErrorCode, SyncErrorOptions } from './errors.js'
