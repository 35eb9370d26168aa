/**
 * @seasync/proto: the SeaweedFS `filer_pb.SeaweedFiler` wire contract.
 *
 * Message types come in two shapes, as proto-loader generates them: `X` is what a call accepts
 * (permissive: 64-bit values as number | string | Long), `XOutput` is what decoding yields
 * (64-bit values as decimal strings, repeated fields always arrays).
 */
export { loaderOptions } from './loader-options.js'
export { channelOptions, serverChannelOptions, MAX_MESSAGE_BYTES } from './channel-options.js'
export { loadFilerProto, FILER_PROTO_PATH } from './load.js'
export { filerCodec } from './codec.js'
export type { ProtoGrpcType } from './gen/filer.js'
export type {
  SeaweedFilerClient,
  SeaweedFilerHandlers,
  SeaweedFilerDefinition,
} from './gen/filer_pb/SeaweedFiler.js'
export type {
  FilerError,
  FilerError__Output as FilerErrorOutput,
} from './gen/filer_pb/FilerError.js'
export type { SSEType, SSEType__Output as SSETypeOutput } from './gen/filer_pb/SSEType.js'
export type {
  AssignVolumeRequest,
  AssignVolumeRequest__Output as AssignVolumeRequestOutput,
} from './gen/filer_pb/AssignVolumeRequest.js'
export type {
  AssignVolumeResponse,
  AssignVolumeResponse__Output as AssignVolumeResponseOutput,
} from './gen/filer_pb/AssignVolumeResponse.js'
export type {
  AtomicRenameEntryRequest,
  AtomicRenameEntryRequest__Output as AtomicRenameEntryRequestOutput,
} from './gen/filer_pb/AtomicRenameEntryRequest.js'
export type {
  AtomicRenameEntryResponse,
  AtomicRenameEntryResponse__Output as AtomicRenameEntryResponseOutput,
} from './gen/filer_pb/AtomicRenameEntryResponse.js'
export type {
  CreateEntryRequest,
  CreateEntryRequest__Output as CreateEntryRequestOutput,
} from './gen/filer_pb/CreateEntryRequest.js'
export type {
  CreateEntryResponse,
  CreateEntryResponse__Output as CreateEntryResponseOutput,
} from './gen/filer_pb/CreateEntryResponse.js'
export type {
  DeleteEntryRequest,
  DeleteEntryRequest__Output as DeleteEntryRequestOutput,
} from './gen/filer_pb/DeleteEntryRequest.js'
export type {
  DeleteEntryResponse,
  DeleteEntryResponse__Output as DeleteEntryResponseOutput,
} from './gen/filer_pb/DeleteEntryResponse.js'
export type { Entry, Entry__Output as EntryOutput } from './gen/filer_pb/Entry.js'
export type {
  EventNotification,
  EventNotification__Output as EventNotificationOutput,
} from './gen/filer_pb/EventNotification.js'
export type { FileChunk, FileChunk__Output as FileChunkOutput } from './gen/filer_pb/FileChunk.js'
export type {
  FileChunkManifest,
  FileChunkManifest__Output as FileChunkManifestOutput,
} from './gen/filer_pb/FileChunkManifest.js'
export type { FileId, FileId__Output as FileIdOutput } from './gen/filer_pb/FileId.js'
export type {
  FuseAttributes,
  FuseAttributes__Output as FuseAttributesOutput,
} from './gen/filer_pb/FuseAttributes.js'
export type {
  GetFilerConfigurationRequest,
  GetFilerConfigurationRequest__Output as GetFilerConfigurationRequestOutput,
} from './gen/filer_pb/GetFilerConfigurationRequest.js'
export type {
  GetFilerConfigurationResponse,
  GetFilerConfigurationResponse__Output as GetFilerConfigurationResponseOutput,
} from './gen/filer_pb/GetFilerConfigurationResponse.js'
export type {
  KvGetRequest,
  KvGetRequest__Output as KvGetRequestOutput,
} from './gen/filer_pb/KvGetRequest.js'
export type {
  KvGetResponse,
  KvGetResponse__Output as KvGetResponseOutput,
} from './gen/filer_pb/KvGetResponse.js'
export type {
  KvPutRequest,
  KvPutRequest__Output as KvPutRequestOutput,
} from './gen/filer_pb/KvPutRequest.js'
export type {
  KvPutResponse,
  KvPutResponse__Output as KvPutResponseOutput,
} from './gen/filer_pb/KvPutResponse.js'
export type {
  ListEntriesRequest,
  ListEntriesRequest__Output as ListEntriesRequestOutput,
} from './gen/filer_pb/ListEntriesRequest.js'
export type {
  ListEntriesResponse,
  ListEntriesResponse__Output as ListEntriesResponseOutput,
} from './gen/filer_pb/ListEntriesResponse.js'
export type { Location, Location__Output as LocationOutput } from './gen/filer_pb/Location.js'
export type { Locations, Locations__Output as LocationsOutput } from './gen/filer_pb/Locations.js'
export type { LogEntry, LogEntry__Output as LogEntryOutput } from './gen/filer_pb/LogEntry.js'
export type {
  LookupDirectoryEntryRequest,
  LookupDirectoryEntryRequest__Output as LookupDirectoryEntryRequestOutput,
} from './gen/filer_pb/LookupDirectoryEntryRequest.js'
export type {
  LookupDirectoryEntryResponse,
  LookupDirectoryEntryResponse__Output as LookupDirectoryEntryResponseOutput,
} from './gen/filer_pb/LookupDirectoryEntryResponse.js'
export type {
  LookupVolumeRequest,
  LookupVolumeRequest__Output as LookupVolumeRequestOutput,
} from './gen/filer_pb/LookupVolumeRequest.js'
export type {
  LookupVolumeResponse,
  LookupVolumeResponse__Output as LookupVolumeResponseOutput,
} from './gen/filer_pb/LookupVolumeResponse.js'
export type {
  RemoteEntry,
  RemoteEntry__Output as RemoteEntryOutput,
} from './gen/filer_pb/RemoteEntry.js'
export type {
  StreamMutateEntryRequest,
  StreamMutateEntryRequest__Output as StreamMutateEntryRequestOutput,
} from './gen/filer_pb/StreamMutateEntryRequest.js'
export type {
  StreamMutateEntryResponse,
  StreamMutateEntryResponse__Output as StreamMutateEntryResponseOutput,
} from './gen/filer_pb/StreamMutateEntryResponse.js'
export type {
  StreamRenameEntryRequest,
  StreamRenameEntryRequest__Output as StreamRenameEntryRequestOutput,
} from './gen/filer_pb/StreamRenameEntryRequest.js'
export type {
  StreamRenameEntryResponse,
  StreamRenameEntryResponse__Output as StreamRenameEntryResponseOutput,
} from './gen/filer_pb/StreamRenameEntryResponse.js'
export type {
  SubscribeMetadataRequest,
  SubscribeMetadataRequest__Output as SubscribeMetadataRequestOutput,
} from './gen/filer_pb/SubscribeMetadataRequest.js'
export type {
  SubscribeMetadataResponse,
  SubscribeMetadataResponse__Output as SubscribeMetadataResponseOutput,
} from './gen/filer_pb/SubscribeMetadataResponse.js'
export type {
  UpdateEntryRequest,
  UpdateEntryRequest__Output as UpdateEntryRequestOutput,
} from './gen/filer_pb/UpdateEntryRequest.js'
export type {
  UpdateEntryResponse,
  UpdateEntryResponse__Output as UpdateEntryResponseOutput,
} from './gen/filer_pb/UpdateEntryResponse.js'
export type {
  PingRequest,
  PingRequest__Output as PingRequestOutput,
} from './gen/filer_pb/PingRequest.js'
export type {
  PingResponse,
  PingResponse__Output as PingResponseOutput,
} from './gen/filer_pb/PingResponse.js'
export type {
  WriteCondition,
  WriteCondition__Output as WriteConditionOutput,
  _filer_pb_WriteCondition_Clause as WriteConditionClause,
  _filer_pb_WriteCondition_Clause__Output as WriteConditionClauseOutput,
  _filer_pb_WriteCondition_Kind__Output as WriteConditionKind,
} from './gen/filer_pb/WriteCondition.js'
export { formatFid, parseFid, fidVolumeId, fidToProto, fidFromProto } from './fid.js'
export type { FileIdParts } from './fid.js'
