/**
 * @seasync/sync-core: the replicator library. One direction X→Y of `weed filer.sync` with the
 * protocol semantics of `shared/spec/filer-sync-protocol.md` (HEAD fixes where 4.23 loses data).
 */
export { SyncError, SyncStoppedError, SyncErrorCodes, toSyncError } from './errors.js'
export type { SyncErrorCode, SyncErrorOptions } from './errors.js'
export { ReplicatorDefaults, validateOptions } from './options.js'
export type { ReplicatorOptions, ResolvedReplicatorOptions, TargetPlacement } from './options.js'
export { canTransition } from './replicator-state.js'
export type { ReplicatorState } from './replicator-state.js'
export { LARGE_FILE_BYTES, LARGE_FILES_SHOWN, NotificationHub } from './notifications.js'
export type {
  FailedEvent,
  InFlightTransfer,
  LargeFileTransfer,
  NotificationListener,
  ReplicatorNotification,
  ReplicatorStatus,
} from './notifications.js'

// Filer access
export { FilerClient, FilerClientDefaults } from './filer/filer-client.js'
export type {
  FilerCallOptions,
  FilerClientOptions,
  ListEntriesOptions,
} from './filer/filer-client.js'
export { parseFilerAddress } from './filer/filer-address.js'
export {
  clusterTls,
  describeTlsError,
  grpcCredentials,
  httpTransport,
} from './filer/cluster-tls.js'
export { diagnoseGrpcTls } from './filer/tls-diagnosis.js'
export type { ClusterTls, HttpsClientTls, HttpTransport, TlsMaterial } from './filer/cluster-tls.js'
export type { FilerAddress } from './filer/filer-address.js'

// Checkpoints (byte-compatible with weed filer.sync)
export {
  checkpointKey,
  legacyCheckpointKey,
  decodeCheckpoint,
  encodeCheckpoint,
  CHECKPOINT_KEY_PREFIX,
} from './checkpoint/checkpoint-key.js'
export type { CheckpointStore } from './checkpoint/checkpoint-store.js'
export { FilerKvCheckpointStore } from './checkpoint/filer-kv-checkpoint-store.js'

// Building blocks, exported for the server and tests. @internal
export { PathScheduler } from './scheduler/path-scheduler.js'
export { Watermark } from './scheduler/watermark.js'
export type { WatermarkKey } from './scheduler/watermark.js'
export { planEvent, targetKey, targetPathToSourcePath } from './apply/scope.js'
export type { Plan } from './apply/scope.js'
export { entryETag, entryMtimeNs } from './apply/etag.js'
export { ChunkCopier } from './apply/chunk-copier.js'
export { BackoffDefaults, backoffDelayMs } from './util/backoff.js'
export { isEqualOrUnder } from './util/paths.js'
export { Replicator } from './replicator.js'
export type { StopResult } from './replicator.js'
export { EntryApplier } from './apply/entry-applier.js'
export type { ApplyOutcome } from './apply/entry-applier.js'
export { verifySync, VerifyDefaults } from './verify/verify.js'
export type { VerifyFiler, VerifyOptions, VerifySummary } from './verify/verify.js'
export type {
  MtimeRelation,
  VerifyDiffRecord,
  VerifyDiffType,
  VerifyEntrySide,
  VerifyErrorRecord,
  VerifyHint,
  VerifyRecord,
} from './verify/verify-record.js'
