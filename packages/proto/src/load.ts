import { fileURLToPath } from 'node:url'
import * as grpc from '@grpc/grpc-js'
import * as protoLoader from '@grpc/proto-loader'
import { loaderOptions } from './loader-options.js'
import type { ProtoGrpcType } from './gen/filer.js'

/** Absolute path of our `filer.proto`. */
export const FILER_PROTO_PATH = fileURLToPath(new URL('../proto/filer.proto', import.meta.url))

let cached: ProtoGrpcType | undefined

/** The package definition (proto-loader), loaded once with {@link loaderOptions}. @internal */
export function loadFilerPackageDefinition(): protoLoader.PackageDefinition {
  return protoLoader.loadSync(FILER_PROTO_PATH, { ...loaderOptions })
}

/** The typed `filer_pb` namespace: `SeaweedFiler` client constructor and service definition. */
export function loadFilerProto(): ProtoGrpcType {
  cached ??= grpc.loadPackageDefinition(loadFilerPackageDefinition()) as unknown as ProtoGrpcType
  return cached
}
