import { createServer, type RequestListener, type Server } from 'node:http'
import { createServer as createHttpsServer } from 'node:https'
import { createServer as createNetServer, type AddressInfo, type Socket } from 'node:net'
import { join } from 'node:path'
import * as grpc from '@grpc/grpc-js'
import { loadFilerProto, serverChannelOptions } from '@seasync/proto'
import { Filer } from './filer/filer.js'
import { createFilerHandlers } from './grpc/filer-service.js'
import { SubscribeDefaults, type SubscribeSettings } from './grpc/subscribe.js'
import { createFilerHttpHandler } from './http/filer-http.js'
import { FilerStore } from './store/filer-store.js'
import { httpsServerOptions, startVolumeServer, type ServerTls } from './volume/volume-server.js'

/** Options of {@link startEmbeddedFiler}; every field has a SeaweedFS-like default. */
export interface EmbeddedFilerOptions {
  /** Address every server binds and advertises. Default `127.0.0.1`. */
  host?: string
  /** Filer HTTP port; 0 = ephemeral. Default 0. */
  port?: number
  /** Filer gRPC port. Default: `port + 10000` when `port` is set, else ephemeral. */
  grpcPort?: number
  /** Volume-server HTTP port; 0 = ephemeral. Default 0. */
  volumePort?: number
  /** Data directory (SQLite + needles); undefined keeps everything in memory. */
  dir?: string
  /** Chunk size of HTTP uploads, MiB (SeaweedFS `-maxMB`). Default 4. */
  maxMB?: number
  /** Files smaller than this many bytes are stored inline in the entry. Default 0 (never). */
  saveToFilerLimit?: number
  /** Files with at least this many data chunks get manifest chunks (SeaweedFS: 10000). */
  manifestBatch?: number
  /** When set, AssignVolume hands out write JWTs and the volume server requires them. */
  jwtSigningKey?: string
  /**
   * Mutual TLS, as a SeaweedFS cluster with `security.toml` `[grpc.filer]`, `[https.filer]` and
   * `[https.volume]`: gRPC with `ServerCredentials.createSsl` and HTTPS for the filer and volume
   * HTTP APIs, all with `cert`/`key`; client certificates must chain to `ca` unless
   * `requireClientCert` is false. The chunk proxy forwards to the volume server with `cert`/`key`
   * as its client identity. Default: plaintext everywhere.
   */
  tls?: ServerTls | undefined
  /** Subscription tunables (heartbeat period, batching age); SeaweedFS's by default. */
  subscribe?: Partial<SubscribeSettings>
  /** Receives one line per notable event (start, errors). Default: silent. */
  logger?: (line: string) => void
}

/** A running embedded filer. */
export interface EmbeddedFiler {
  /** The store signature (random non-zero int32, persisted in KV `filer.store.id`). */
  readonly signature: number
  /** `host:port` of the filer HTTP API. */
  readonly httpAddress: string
  /** `host:grpcPort` of the filer gRPC service. */
  readonly grpcAddress: string
  /** SeaweedFS filer address syntax, `host:port.grpcPort`, as `weed filer.sync -a` takes it. */
  readonly address: string
  /** `https` when started with `tls` (filer and volume HTTP), else `http`. */
  readonly scheme: 'http' | 'https'
  /** `host:port` of the volume-server HTTP API (what `Location.url` carries). */
  readonly volumeUrl: string
  readonly dir: string | undefined
  /** Stop every server and close the store; open streams are cancelled. */
  close(): Promise<void>
}

export const EmbeddedFilerDefaults = Object.freeze({
  host: '127.0.0.1',
  maxMB: 4,
  saveToFilerLimit: 0,
  manifestBatch: 10_000,
})

/** Start a SeaweedFS-compatible filer + volume server (gRPC, filer HTTP, volume HTTP). */
export async function startEmbeddedFiler(
  options: EmbeddedFilerOptions = {},
): Promise<EmbeddedFiler> {
  const host = options.host ?? EmbeddedFilerDefaults.host
  const maxMB = options.maxMB ?? EmbeddedFilerDefaults.maxMB
  const log = options.logger ?? ((): void => {})
  const port = options.port ?? 0
  const grpcPort = options.grpcPort ?? (port !== 0 ? port + 10000 : 0)
  validate({ maxMB, port, grpcPort, volumePort: options.volumePort ?? 0 })

  const volume = await startVolumeServer({
    host,
    port: options.volumePort ?? 0,
    dir: options.dir === undefined ? undefined : join(options.dir, 'volumes'),
    jwtSigningKey: options.jwtSigningKey,
    tls: options.tls,
    logger: log,
  })
  const cleanups: (() => Promise<void> | void)[] = [() => volume.close()]
  try {
    const store = new FilerStore(options.dir)
    cleanups.unshift(() => store.close())
    const filer = new Filer(store, volume)

    const grpcServer = new grpc.Server(serverChannelOptions)
    grpcServer.addService(
      loadFilerProto().filer_pb.SeaweedFiler.service,
      createFilerHandlers({
        filer,
        store,
        volume,
        maxMB,
        subscribe: { ...SubscribeDefaults, ...options.subscribe },
      }) as grpc.UntypedServiceImplementation,
    )
    // Our own listener, its connections handed to grpc-js: Go (SeaweedFS) sets TCP_NODELAY on
    // every connection, and grpc-js's own listener leaves Nagle on, which held small answers on a
    // pipelined stream back until the peer's ACK (ms of round trip on loopback).
    const injector = grpcServer.createConnectionInjector(grpcServerCredentials(options.tls))
    const grpcSockets = new Set<Socket>()
    const grpcListener = createNetServer({ noDelay: true }, (socket) => {
      grpcSockets.add(socket)
      socket.on('close', () => grpcSockets.delete(socket))
      injector.injectConnection(socket)
    })
    await new Promise<void>((resolve, reject) => {
      grpcListener.once('error', reject)
      grpcListener.listen(grpcPort, host, () => {
        grpcListener.off('error', reject)
        resolve()
      })
    })
    cleanups.unshift(async () => {
      injector.destroy()
      grpcServer.forceShutdown()
      await new Promise<void>((resolve) => {
        grpcListener.close(() => resolve())
        for (const socket of grpcSockets) socket.destroy()
      })
    })
    const boundGrpc = (grpcListener.address() as AddressInfo).port

    const handler: RequestListener = createFilerHttpHandler({
      filer,
      volume,
      maxMB,
      saveToFilerLimit: options.saveToFilerLimit ?? EmbeddedFilerDefaults.saveToFilerLimit,
      manifestBatch: options.manifestBatch ?? EmbeddedFilerDefaults.manifestBatch,
      logger: log,
      tls: options.tls,
    })
    const http: Server = options.tls
      ? createHttpsServer(httpsServerOptions(options.tls), handler)
      : createServer(handler)
    const sockets = trackSockets(http)
    await new Promise<void>((resolve, reject) => {
      http.once('error', reject)
      http.listen(port, host, () => resolve())
    })
    cleanups.unshift(() => closeHttp(http, sockets))
    const boundHttp = (http.address() as AddressInfo).port

    const httpAddress = `${formatHost(host)}:${boundHttp}`
    const filerHandle: EmbeddedFiler = {
      signature: filer.signature,
      httpAddress,
      grpcAddress: `${formatHost(host)}:${boundGrpc}`,
      address: `${httpAddress}.${boundGrpc}`,
      scheme: options.tls ? 'https' : 'http',
      volumeUrl: volume.url,
      dir: options.dir,
      close: once(async () => {
        for (const cleanup of cleanups) await cleanup()
      }),
    }
    log(
      `filer ${filerHandle.address}${options.tls ? ' (TLS)' : ''} signature ${filer.signature} volume ${volume.url}`,
    )
    return filerHandle
  } catch (err) {
    for (const cleanup of cleanups) await cleanup()
    throw err
  }
}

/** Plaintext h2c, or TLS with the client certificate checked against `ca` (mutual by default). */
function grpcServerCredentials(tls: ServerTls | undefined): grpc.ServerCredentials {
  if (!tls) return grpc.ServerCredentials.createInsecure()
  return grpc.ServerCredentials.createSsl(
    Buffer.from(tls.ca),
    [{ cert_chain: Buffer.from(tls.cert), private_key: Buffer.from(tls.key) }],
    tls.requireClientCert ?? true,
  )
}

function validate(o: { maxMB: number; port: number; grpcPort: number; volumePort: number }): void {
  if (!Number.isFinite(o.maxMB) || o.maxMB <= 0)
    throw new RangeError(`maxMB must be > 0, got ${o.maxMB}`)
  for (const [name, value] of Object.entries({
    port: o.port,
    grpcPort: o.grpcPort,
    volumePort: o.volumePort,
  })) {
    if (!Number.isInteger(value) || value < 0 || value > 65535) {
      throw new RangeError(`${name} must be an integer 0-65535, got ${value}`)
    }
  }
}

function formatHost(host: string): string {
  return host.includes(':') && !host.startsWith('[') ? `[${host}]` : host
}

function trackSockets(server: Server): Set<Socket> {
  const sockets = new Set<Socket>()
  server.on('connection', (socket) => {
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
  })
  return sockets
}

function closeHttp(server: Server, sockets: Set<Socket>): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve())
    for (const socket of sockets) socket.destroy()
  })
}

function once(fn: () => Promise<void>): () => Promise<void> {
  let promise: Promise<void> | undefined
  return () => (promise ??= fn())
}
