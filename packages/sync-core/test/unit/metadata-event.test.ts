import type {
  EntryOutput,
  EventNotificationOutput,
  FileChunkOutput,
  SubscribeMetadataResponseOutput,
} from '@seasync/proto'
import { fidFromProto } from '@seasync/proto'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  chunkFileId,
  EventSequencer,
  flattenMetadataResponse,
  normalizeEntryChunks,
  sourceFileId,
  type ChangeEvent,
  type MetadataItem,
} from '../../src/stream/metadata-event.js'

const entry = (name: string, extra: Partial<EntryOutput> = {}): EntryOutput => ({
  name,
  chunks: [],
  extended: {},
  ...extra,
})

const notification = (n: Partial<EventNotificationOutput>): EventNotificationOutput => ({
  signatures: [],
  ...n,
})

const resp = (r: Partial<SubscribeMetadataResponseOutput>): SubscribeMetadataResponseOutput => ({
  events: [],
  log_file_refs: [],
  ...r,
})

const change = (items: MetadataItem[], i = 0): ChangeEvent => {
  const item = items[i]
  if (item?.type !== 'change') throw new Error(`item ${i} is ${item?.type ?? 'missing'}`)
  return item
}

describe('classification (spec §6.1)', () => {
  const classify = (r: Partial<SubscribeMetadataResponseOutput>) =>
    change(flattenMetadataResponse(resp(r), new EventSequencer()))

  it('create: only new_entry; keys from new_parent_path', () => {
    const c = classify({
      directory: '/data',
      ts_ns: '1700000000000000001',
      event_notification: notification({
        new_entry: entry('a.txt'),
        new_parent_path: '/data',
        signatures: [7],
      }),
    })
    expect(c).toMatchObject({
      kind: 'create',
      tsNs: 1700000000000000001n,
      directory: '/data',
      newParentPath: '/data',
      newKey: '/data/a.txt',
      deleteChunks: false,
      signatures: [7],
      isDirectory: false,
    })
    expect(c.oldKey).toBeUndefined()
    expect(c.oldEntry).toBeUndefined()
  })

  it('delete: only old_entry; delete_chunks passed on; target dir falls back to directory', () => {
    const c = classify({
      directory: '/data/sub',
      ts_ns: '5',
      event_notification: notification({
        old_entry: entry('d', { is_directory: true }),
        delete_chunks: true,
      }),
    })
    expect(c).toMatchObject({
      kind: 'delete',
      oldKey: '/data/sub/d',
      newParentPath: '/data/sub',
      deleteChunks: true,
      isDirectory: true,
    })
    expect(c.newKey).toBeUndefined()
  })

  it('update: both entries, directory === new_parent_path exactly and same name', () => {
    const c = classify({
      directory: '/data',
      ts_ns: '5',
      event_notification: notification({
        old_entry: entry('f'),
        new_entry: entry('f'),
        new_parent_path: '/data',
        delete_chunks: true,
      }),
    })
    expect(c).toMatchObject({ kind: 'update', oldKey: '/data/f', newKey: '/data/f' })
  })

  it('rename: same directory, different name', () => {
    const c = classify({
      directory: '/data',
      ts_ns: '5',
      event_notification: notification({
        old_entry: entry('f'),
        new_entry: entry('g'),
        new_parent_path: '/data',
      }),
    })
    expect(c).toMatchObject({ kind: 'rename', oldKey: '/data/f', newKey: '/data/g' })
  })

  it('rename: different directory, same name', () => {
    const c = classify({
      directory: '/data/a',
      ts_ns: '5',
      event_notification: notification({
        old_entry: entry('f'),
        new_entry: entry('f'),
        new_parent_path: '/data/b',
      }),
    })
    expect(c).toMatchObject({ kind: 'rename', oldKey: '/data/a/f', newKey: '/data/b/f' })
  })

  it('rename: directory compared as an exact string (trailing slash differs)', () => {
    const c = classify({
      directory: '/data/',
      ts_ns: '5',
      event_notification: notification({
        old_entry: entry('f'),
        new_entry: entry('f'),
        new_parent_path: '/data',
      }),
    })
    expect(c.kind).toBe('rename')
  })

  it('legacy event with empty new_parent_path and both entries is a rename', () => {
    const c = classify({
      directory: '/data',
      ts_ns: '5',
      event_notification: notification({ old_entry: entry('f'), new_entry: entry('f') }),
    })
    expect(c).toMatchObject({
      kind: 'rename',
      newParentPath: '/data',
      oldKey: '/data/f',
      newKey: '/data/f',
    })
  })

  it('root directory keys have a single slash', () => {
    const c = classify({
      directory: '/',
      ts_ns: '5',
      event_notification: notification({ new_entry: entry('top'), new_parent_path: '/' }),
    })
    expect(c.newKey).toBe('/top')
  })
})

describe('flattenMetadataResponse: markers, heartbeats, batches (§5.4, §5.5, §5.7)', () => {
  it('a response without event_notification is an idle heartbeat (field notes §3 item 8)', () => {
    const items = flattenMetadataResponse(
      resp({ ts_ns: '1700000000000000000', flushed_ts_ns: '1699999999000000000' }),
      new EventSequencer(),
    )
    expect(items).toEqual([
      { type: 'heartbeat', tsNs: 1700000000000000000n, flushedTsNs: 1699999999000000000n },
    ])
  })

  it('an empty notification is a progress marker, not a change (field notes §3 item 7)', () => {
    const seq = new EventSequencer()
    const items = flattenMetadataResponse(
      resp({ ts_ns: '99', directory: '', event_notification: notification({}) }),
      seq,
    )
    expect(items).toEqual([{ type: 'marker', tsNs: 99n }])
    expect(seq.peek()).toBe(0)
  })

  it('freshness signals with ts 0 are dropped', () => {
    const seq = new EventSequencer()
    expect(flattenMetadataResponse(resp({}), seq)).toEqual([])
    expect(flattenMetadataResponse(resp({ event_notification: notification({}) }), seq)).toEqual([])
  })

  it('batch: envelope first, then each of events, with markers and heartbeats inside (field notes §3 item 6)', () => {
    const seq = new EventSequencer(10)
    const items = flattenMetadataResponse(
      resp({
        directory: '/d',
        ts_ns: '1',
        event_notification: notification({ new_entry: entry('a'), new_parent_path: '/d' }),
        events: [
          resp({ ts_ns: '2' }),
          resp({ directory: '/d', ts_ns: '3', event_notification: notification({}) }),
          resp({
            directory: '/d',
            ts_ns: '4',
            event_notification: notification({ old_entry: entry('a') }),
          }),
          resp({
            directory: '/d',
            ts_ns: '4',
            event_notification: notification({ new_entry: entry('b'), new_parent_path: '/d' }),
          }),
        ],
      }),
      seq,
    )
    expect(items.map((i) => [i.type, i.tsNs, i.type === 'change' ? i.seq : null])).toEqual([
      ['change', 1n, 10],
      ['heartbeat', 2n, null],
      ['marker', 3n, null],
      ['change', 4n, 11],
      ['change', 4n, 12],
    ])
    expect(change(items, 0).kind).toBe('create')
    expect(change(items, 3).kind).toBe('delete')
    // The envelope's raw does not pin the batch.
    expect(change(items, 0).raw.events).toEqual([])
    expect(seq.peek()).toBe(13)
  })

  it('batch envelope without its own event_notification contributes nothing itself', () => {
    const items = flattenMetadataResponse(
      resp({
        ts_ns: '1',
        events: [
          resp({
            directory: '/d',
            ts_ns: '2',
            event_notification: notification({ new_entry: entry('a'), new_parent_path: '/d' }),
          }),
        ],
      }),
      new EventSequencer(),
    )
    expect(items).toHaveLength(1)
    expect(change(items)).toMatchObject({ kind: 'create', tsNs: 2n, seq: 0 })
  })

  it('property: changes get strictly increasing seq in stream order across responses', () => {
    const element = fc.oneof(
      fc.constant(resp({ ts_ns: '7' })),
      fc.constant(resp({ ts_ns: '7', event_notification: notification({}) })),
      fc.constant(
        resp({
          directory: '/x',
          ts_ns: '7',
          event_notification: notification({ new_entry: entry('n'), new_parent_path: '/x' }),
        }),
      ),
    )
    fc.assert(
      fc.property(fc.array(fc.array(element, { maxLength: 6 }), { maxLength: 6 }), (batches) => {
        const seq = new EventSequencer()
        const seqs: number[] = []
        let expectedChanges = 0
        for (const batch of batches) {
          const [first, ...rest] = batch
          const r = first ? { ...first, events: rest } : resp({ ts_ns: '7' })
          expectedChanges += batch.filter((e) => e.event_notification?.new_entry).length
          for (const item of flattenMetadataResponse(r, seq)) {
            if (item.type === 'change') seqs.push(item.seq)
          }
        }
        expect(seqs).toEqual(seqs.map((_, i) => i))
        expect(seqs).toHaveLength(expectedChanges)
      }),
    )
  })
})

describe('chunk fids (spec §2.2)', () => {
  const fid = { volume_id: 3, file_key: '2748', cookie: 0x12345678 }
  const fidText = fidFromProto(fid)

  it('derives file_id / source_file_id from the structured form when the string is empty', () => {
    const chunk: FileChunkOutput = { fid, source_fid: fid, file_id: '' }
    expect(fidText).toBe('3,0abc12345678')
    expect(chunkFileId(chunk)).toBe(fidText)
    expect(sourceFileId(chunk)).toBe(fidText)
  })

  it('prefers the string form and yields "" when neither form is set', () => {
    expect(chunkFileId({ file_id: '9,01ff00000001', fid })).toBe('9,01ff00000001')
    expect(chunkFileId({})).toBe('')
    expect(sourceFileId({})).toBe('')
  })

  it('normalizeEntryChunks fills strings without mutating the input', () => {
    const original = entry('f', {
      chunks: [{ fid, offset: '0', size: '5' }, { file_id: '1,0100000001' }],
    })
    const normalized = normalizeEntryChunks(original)
    expect(normalized.chunks[0]).toMatchObject({ file_id: fidText, fid, offset: '0', size: '5' })
    expect(normalized.chunks[0]?.source_file_id).toBeUndefined()
    expect(normalized.chunks[1]).toBe(original.chunks[1])
    expect(original.chunks[0]?.file_id).toBeUndefined()
  })

  it('change events carry normalized entries', () => {
    const items = flattenMetadataResponse(
      resp({
        directory: '/d',
        ts_ns: '1',
        event_notification: notification({
          new_entry: entry('f', { chunks: [{ fid, source_fid: fid }] }),
          new_parent_path: '/d',
        }),
      }),
      new EventSequencer(),
    )
    expect(change(items).newEntry?.chunks[0]).toMatchObject({
      file_id: fidText,
      source_file_id: fidText,
    })
  })
})
