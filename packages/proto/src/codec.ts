import protobuf from 'protobufjs'
import { loaderOptions } from './loader-options.js'
import { FILER_PROTO_PATH } from './load.js'

let root: protobuf.Root | undefined

function filerRoot(): protobuf.Root {
  if (!root) {
    root = new protobuf.Root()
    // keepCase: the same field names the gRPC loader produces.
    root.loadSync(FILER_PROTO_PATH, { keepCase: loaderOptions.keepCase })
    root.resolveAll()
  }
  return root
}

/** Conversion options equal to what grpc-js decodes with, so stored and streamed messages agree. */
const toObjectOptions: protobuf.IConversionOptions = {
  longs: loaderOptions.longs,
  enums: loaderOptions.enums,
  defaults: loaderOptions.defaults,
  arrays: loaderOptions.arrays,
  objects: loaderOptions.objects,
  oneofs: loaderOptions.oneofs,
}

/**
 * Encode and decode `filer_pb` messages outside gRPC, with the same conventions as the gRPC loader:
 * the embedded filer stores entries and metadata-log records as protobuf bytes (as SeaweedFS does),
 * and manifest chunks are serialized `FileChunkManifest` blobs (spec §8.6).
 */
export const filerCodec = Object.freeze({
  /** Serialize a plain object (as the gRPC layer would accept it) as `filer_pb.<typeName>`. */
  encode(typeName: string, value: object): Uint8Array {
    const type = filerRoot().lookupType(`filer_pb.${typeName}`)
    return type.encode(type.fromObject(value)).finish()
  },
  /** Parse `filer_pb.<typeName>` bytes into a plain object shaped like gRPC's decoded messages. */
  decode<T = Record<string, unknown>>(typeName: string, bytes: Uint8Array): T {
    const type = filerRoot().lookupType(`filer_pb.${typeName}`)
    return type.toObject(type.decode(bytes), toObjectOptions) as T
  },
})
