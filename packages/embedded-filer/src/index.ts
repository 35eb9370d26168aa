/**
 * @seasync/embedded-filer: a SeaweedFS-compatible filer and volume server on SQLite. It speaks
 * `filer_pb.SeaweedFiler` gRPC, the filer HTTP API and the volume-server HTTP API with SeaweedFS
 * 4.44's observable semantics; it is the demo cluster and the peer of every integration test.
 */
export { startEmbeddedFiler, EmbeddedFilerDefaults } from './embedded-filer.js'
export type { EmbeddedFiler, EmbeddedFilerOptions } from './embedded-filer.js'
export type { ServerTls } from './volume/volume-server.js'
export { SubscribeDefaults } from './grpc/subscribe.js'
export type { SubscribeSettings } from './grpc/subscribe.js'
export { NOT_FOUND_TEXT } from './filer/filer-errors.js'
