import * as grpc from '@grpc/grpc-js'
import {
  channelOptions,
  loadFilerProto,
  type SeaweedFilerClient,
  type SubscribeMetadataRequest,
  type SubscribeMetadataResponseOutput,
} from '@seasync/proto'

/** A promise facade over the generated client, for tests. */
export interface TestFilerClient {
  raw: SeaweedFilerClient
  call<Res>(method: string, request: object): Promise<Res>
  /** Collect a server stream to its end. */
  collect<Res>(method: string, request: object): Promise<Res[]>
  /** Open a SubscribeMetadata stream and read messages on demand. */
  subscribe(request: SubscribeMetadataRequest, local?: boolean): Subscription
  close(): void
}

export interface Subscription {
  /** Next message, or rejects after `timeoutMs`. */
  next(timeoutMs?: number): Promise<SubscribeMetadataResponseOutput>
  /** Read until `predicate` holds for the collected list (or time out). */
  until(
    predicate: (all: SubscribeMetadataResponseOutput[]) => boolean,
    timeoutMs?: number,
  ): Promise<SubscribeMetadataResponseOutput[]>
  /** Resolves with 'end' on a clean end, or the error. */
  ended: Promise<'end' | grpc.ServiceError>
  cancel(): void
}

export function connect(grpcAddress: string): TestFilerClient {
  const proto = loadFilerProto()
  const raw = new proto.filer_pb.SeaweedFiler(
    grpcAddress,
    grpc.credentials.createInsecure(),
    channelOptions,
  )
  const open: grpc.ClientReadableStream<unknown>[] = []
  const anyClient = raw as unknown as Record<string, (...args: unknown[]) => unknown>
  return {
    raw,
    call<Res>(method: string, request: object): Promise<Res> {
      return new Promise((resolve, reject) => {
        anyClient[method]!.call(raw, request, (err: grpc.ServiceError | null, res: Res) =>
          err ? reject(err) : resolve(res),
        )
      })
    },
    async collect<Res>(method: string, request: object): Promise<Res[]> {
      const stream = anyClient[method]!.call(raw, request) as grpc.ClientReadableStream<Res>
      const out: Res[] = []
      for await (const msg of stream) out.push(msg as Res)
      return out
    },
    subscribe(request, local = false) {
      const stream = local ? raw.SubscribeLocalMetadata(request) : raw.SubscribeMetadata(request)
      open.push(stream)
      const queue: SubscribeMetadataResponseOutput[] = []
      let wake: (() => void) | undefined
      let failure: grpc.ServiceError | undefined
      let done = false
      const ended = new Promise<'end' | grpc.ServiceError>((resolve) => {
        stream.on('data', (msg: SubscribeMetadataResponseOutput) => {
          queue.push(msg)
          wake?.()
        })
        stream.on('end', () => {
          done = true
          wake?.()
          resolve('end')
        })
        stream.on('error', (err: grpc.ServiceError) => {
          failure = err
          done = true
          wake?.()
          resolve(err)
        })
      })
      const next = async (timeoutMs = 5000): Promise<SubscribeMetadataResponseOutput> => {
        const deadline = Date.now() + timeoutMs
        while (queue.length === 0) {
          if (done) throw failure ?? new Error('stream ended')
          const left = deadline - Date.now()
          if (left <= 0) throw new Error(`no message within ${timeoutMs} ms`)
          await new Promise<void>((resolve) => {
            const t = setTimeout(resolve, left)
            wake = () => {
              clearTimeout(t)
              resolve()
            }
          })
          wake = undefined
        }
        return queue.shift()!
      }
      return {
        next,
        async until(predicate, timeoutMs = 5000) {
          const all: SubscribeMetadataResponseOutput[] = []
          const deadline = Date.now() + timeoutMs
          while (!predicate(all)) all.push(await next(Math.max(1, deadline - Date.now())))
          return all
        },
        ended,
        cancel: () => stream.cancel(),
      }
    },
    close() {
      for (const s of open) s.cancel()
      raw.close()
    },
  }
}

/** Flatten responses into events (top-level plus batched `events`), as a client must (§5.5). */
export function flattenEvents(
  responses: SubscribeMetadataResponseOutput[],
): SubscribeMetadataResponseOutput[] {
  return responses.flatMap((r) => [r, ...r.events])
}

/** Only real changes: responses with an event_notification carrying an old or new entry. */
export function changes(
  responses: SubscribeMetadataResponseOutput[],
): SubscribeMetadataResponseOutput[] {
  return flattenEvents(responses).filter(
    (r) =>
      r.event_notification && (r.event_notification.old_entry || r.event_notification.new_entry),
  )
}

/** A short description of an event for readable assertions: `create /a/b`, `rename /a -> /b`… */
export function describeEvent(r: SubscribeMetadataResponseOutput): string {
  const n = r.event_notification
  if (!n) return 'heartbeat'
  const dir = r.directory ?? ''
  const join = (d: string, name: string): string => (d === '/' ? `/${name}` : `${d}/${name}`)
  if (n.old_entry && n.new_entry) {
    const from = join(dir, n.old_entry.name ?? '')
    const to = join(n.new_parent_path || dir, n.new_entry.name ?? '')
    return from === to ? `update ${from}` : `rename ${from} -> ${to}`
  }
  if (n.new_entry) return `create ${join(dir, n.new_entry.name ?? '')}`
  if (n.old_entry) return `delete ${join(dir, n.old_entry.name ?? '')}`
  return 'marker'
}

export function file(name: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    name,
    is_directory: false,
    attributes: { file_size: 0, mtime: Math.floor(Date.now() / 1000), file_mode: 0o644, mime: '' },
    ...extra,
  }
}

export function dir(name: string): Record<string, unknown> {
  return {
    name,
    is_directory: true,
    attributes: { mtime: Math.floor(Date.now() / 1000), file_mode: 0x80000000 | 0o755 },
  }
}
