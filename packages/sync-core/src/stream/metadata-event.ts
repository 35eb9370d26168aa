/**
 * Normalize `SubscribeMetadata` responses into a flat, ordered list of items: freshness signals
 * (heartbeats, progress markers) and classified changes (create / delete / update / rename).
 * Pure: no I/O, no clock.
 */
import {
  fidFromProto,
  type EntryOutput,
  type FileChunkOutput,
  type SubscribeMetadataResponseOutput,
} from '@seasync/proto'
import { joinPath } from '../util/paths.js'

/**
 * An idle heartbeat (spec §5.7): a response with no `event_notification`. A freshness signal for
 * lag gauges only; never a checkpoint (field notes §3 item 8).
 */
export interface HeartbeatItem {
  type: 'heartbeat'
  /** Server clock when sent, ns since the epoch. */
  tsNs: bigint
  /** [HEAD] `flushed_ts_ns` when the server sent it, ns since the epoch. */
  flushedTsNs?: bigint
}

/**
 * A progress marker (spec §5.4): an `event_notification` with neither entry, sent after >1000
 * filtered events. Not a change; it must not move the watermark (§12.9; field notes §3 item 7).
 */
export interface MarkerItem {
  type: 'marker'
  /** ts of the last event the server examined, ns since the epoch. */
  tsNs: bigint
}

/** The kind of a change, by spec §6.1. */
export type ChangeKind = 'create' | 'delete' | 'update' | 'rename'

/** One metadata change (spec §6.1), with entries normalized by {@link normalizeEntryChunks}. */
export interface ChangeEvent {
  type: 'change'
  kind: ChangeKind
  /** Event time, ns since the epoch: the checkpoint unit. */
  tsNs: bigint
  /** Position in the stream from the {@link EventSequencer}; breaks ties between equal `tsNs`. */
  seq: number
  /** `r.directory`: parent of the OLD entry (of the new entry for creates). */
  directory: string
  oldEntry?: EntryOutput
  newEntry?: EntryOutput
  /** Target (new-side) directory: `new_parent_path` when non-empty, else `directory`. */
  newParentPath: string
  /** Source key of the old entry: `directory` + `/` + old name. Set iff `oldEntry` is. */
  oldKey?: string
  /** Source key of the new entry: `newParentPath` + `/` + new name. Set iff `newEntry` is. */
  newKey?: string
  /** `n.delete_chunks` (see spec §6.1 for its meaning per kind). */
  deleteChunks: boolean
  /** Signatures the event carries (already including the source filer's own, §5.3). */
  signatures: number[]
  /** Whether the entry (new if present, else old) is a directory. */
  isDirectory: boolean
  /** The response element this change came from (for a batch envelope: without its `events`). */
  raw: SubscribeMetadataResponseOutput
}

/** What {@link flattenMetadataResponse} yields, in stream order. */
export type MetadataItem = HeartbeatItem | MarkerItem | ChangeEvent

/**
 * Hands out stream positions (`seq`) to changes: 0, 1, 2, … Keep one per replicator direction
 * (not per stream), so positions stay unique and increasing across reconnects.
 */
export class EventSequencer {
  #next: number

  /** @param start first value handed out (default 0). */
  constructor(start = 0) {
    this.#next = start
  }

  /** The next position. */
  next(): number {
    return this.#next++
  }

  /** The value the next call to {@link next} will return. */
  peek(): number {
    return this.#next
  }
}

function toBigInt(value: string | undefined): bigint {
  return value === undefined || value === '' ? 0n : BigInt(value)
}

/**
 * A chunk's textual fid: `file_id`, or derived from the structured `fid` when the string is empty
 * (spec §2.2: events may carry only the structured form). `''` when neither is set.
 */
export function chunkFileId(chunk: FileChunkOutput): string {
  if (chunk.file_id) return chunk.file_id
  return chunk.fid ? fidFromProto(chunk.fid) : ''
}

/** A chunk's textual source fid: `source_file_id`, or derived from `source_fid` (spec §2.2). */
export function sourceFileId(chunk: FileChunkOutput): string {
  if (chunk.source_file_id) return chunk.source_file_id
  return chunk.source_fid ? fidFromProto(chunk.source_fid) : ''
}

/**
 * A copy of `entry` whose chunks have `file_id` / `source_file_id` filled from `fid` /
 * `source_fid` where the strings were empty (spec §2.2), so that chunk comparisons by fid string
 * work. The input is not modified; chunks that need no change are shared.
 */
export function normalizeEntryChunks(entry: EntryOutput): EntryOutput {
  const chunks = entry.chunks.map((chunk) => {
    const fileId = chunkFileId(chunk)
    const srcId = sourceFileId(chunk)
    if (fileId === (chunk.file_id ?? '') && srcId === (chunk.source_file_id ?? '')) return chunk
    const copy: FileChunkOutput = { ...chunk }
    if (fileId !== '') copy.file_id = fileId
    if (srcId !== '') copy.source_file_id = srcId
    return copy
  })
  return { ...entry, chunks }
}

/** Classify one response element that carries an `event_notification` (spec §6.1). */
function classify(
  element: SubscribeMetadataResponseOutput,
  raw: SubscribeMetadataResponseOutput,
  sequencer: EventSequencer,
): MarkerItem | ChangeEvent {
  const n = element.event_notification
  const tsNs = toBigInt(element.ts_ns)
  const oldRaw = n?.old_entry
  const newRaw = n?.new_entry
  // §5.4: neither entry → progress marker.
  if (oldRaw === undefined && newRaw === undefined) return { type: 'marker', tsNs }

  const directory = element.directory ?? ''
  const newParentRaw = n?.new_parent_path ?? ''
  // §6.1: the new side lives in new_parent_path, falling back to directory when it is empty.
  const newParentPath = newParentRaw !== '' ? newParentRaw : directory
  let kind: ChangeKind
  if (oldRaw === undefined) kind = 'create'
  else if (newRaw === undefined) kind = 'delete'
  // §6.1: in-place only when directory equals new_parent_path as an exact string AND the names
  // are equal; a legacy event with empty new_parent_path is therefore a "rename".
  else if (directory === newParentRaw && (oldRaw.name ?? '') === (newRaw.name ?? '')) {
    kind = 'update'
  } else kind = 'rename'

  const oldEntry = oldRaw && normalizeEntryChunks(oldRaw)
  const newEntry = newRaw && normalizeEntryChunks(newRaw)
  const change: ChangeEvent = {
    type: 'change',
    kind,
    tsNs,
    seq: sequencer.next(),
    directory,
    newParentPath,
    deleteChunks: n?.delete_chunks === true,
    signatures: [...(n?.signatures ?? [])],
    isDirectory: (newEntry ?? oldEntry)?.is_directory === true,
    raw,
  }
  if (oldEntry) {
    change.oldEntry = oldEntry
    change.oldKey = joinPath(directory, oldEntry.name ?? '')
  }
  if (newEntry) {
    change.newEntry = newEntry
    change.newKey = joinPath(newParentPath, newEntry.name ?? '')
  }
  return change
}

/**
 * Flatten one `SubscribeMetadataResponse` into items, in the order they must be processed
 * (spec §5.5): the top-level event if `event_notification` is present, then each element of
 * `events`. Each element is classified on its own (field notes §3 items 6–8):
 * - no `event_notification` → {@link HeartbeatItem} (a top-level one only when `events` is empty:
 *   a batch envelope without its own event is just a carrier);
 * - `event_notification` with neither entry → {@link MarkerItem};
 * - otherwise a {@link ChangeEvent} with the next `seq` from `sequencer`.
 *
 * Freshness signals with `ts_ns` 0 carry no information and are dropped (Go ignores them too).
 * Elements nested inside `events` elements are not expected and are ignored.
 */
export function flattenMetadataResponse(
  resp: SubscribeMetadataResponseOutput,
  sequencer: EventSequencer,
): MetadataItem[] {
  const items: MetadataItem[] = []
  const events = resp.events ?? []
  const push = (element: SubscribeMetadataResponseOutput, raw: SubscribeMetadataResponseOutput) => {
    if (element.event_notification === undefined) {
      const tsNs = toBigInt(element.ts_ns)
      if (tsNs <= 0n) return
      const heartbeat: HeartbeatItem = { type: 'heartbeat', tsNs }
      if (element.flushed_ts_ns !== undefined && element.flushed_ts_ns !== '') {
        heartbeat.flushedTsNs = toBigInt(element.flushed_ts_ns)
      }
      items.push(heartbeat)
      return
    }
    const item = classify(element, raw, sequencer)
    if (item.type === 'marker' && item.tsNs <= 0n) return
    items.push(item)
  }
  if (resp.event_notification !== undefined || events.length === 0) {
    // The envelope's own `raw` drops `events` so a job does not pin the whole batch in memory.
    push(resp, events.length === 0 ? resp : { ...resp, events: [] })
  }
  for (const element of events) push(element, element)
  return items
}
