import type { ChannelOptions } from '@grpc/grpc-js'

/** 1 GiB, as SeaweedFS's Go client and server (weed/pb/grpc_client_server.go). */
export const MAX_MESSAGE_BYTES = 1 << 30

/**
 * grpc-js channel options every SeaSync client and the embedded filer's server use.
 *
 * - Max send/receive 1 GiB: grpc-js defaults to a 4 MiB receive limit, and a SubscribeMetadata
 *   batch (up to 256 events) or an entry with thousands of chunks exceeds it (spec §1).
 * - Keepalive ping every 60 s with a 20 s timeout, and none without active calls: SeaweedFS
 *   filers enforce a 20 s minimum ping interval and answer faster pings with GOAWAY
 *   `too_many_pings`.
 */
export const channelOptions: Readonly<ChannelOptions> = Object.freeze({
  'grpc.max_send_message_length': MAX_MESSAGE_BYTES,
  'grpc.max_receive_message_length': MAX_MESSAGE_BYTES,
  'grpc.keepalive_time_ms': 60_000,
  'grpc.keepalive_timeout_ms': 20_000,
  'grpc.keepalive_permit_without_calls': 0,
})

/**
 * Server-side options: same message limits; accept client pings down to every 20 s, also between
 * calls (SeaweedFS `PermitWithoutStream: true`).
 */
export const serverChannelOptions: Readonly<ChannelOptions> = Object.freeze({
  'grpc.max_send_message_length': MAX_MESSAGE_BYTES,
  'grpc.max_receive_message_length': MAX_MESSAGE_BYTES,
  'grpc.http2.min_ping_interval_without_data_ms': 20_000,
  'grpc.keepalive_permit_without_calls': 1,
})
