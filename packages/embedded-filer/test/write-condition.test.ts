import * as grpc from '@grpc/grpc-js'
import type {
  CreateEntryResponseOutput,
  LookupDirectoryEntryResponseOutput,
  StreamMutateEntryResponseOutput,
  WriteConditionClause,
} from '@seasync/proto'
import { describe, expect, it } from 'vitest'
import type { Entry } from '../src/filer/entry-form.js'
import { writeConditionSatisfied } from '../src/filer/write-condition.js'
import { file, type TestFilerClient } from './support/filer-client.js'
import { test } from './support/fixtures.js'

const chunk = (fid: string, eTag = ''): Record<string, unknown> => ({
  file_id: fid,
  offset: 0,
  size: 1,
  e_tag: eTag,
})

function entry(fids: string[], extra: Partial<Entry> = {}): Entry {
  return {
    name: 'obj',
    chunks: fids.map((fid) => ({ file_id: fid, offset: '0', size: '100' })),
    extended: {},
    attributes: { mtime: '1700000000', group_name: [] },
    ...extra,
  }
}

const holds = (clause: WriteConditionClause, current: Entry | undefined): boolean =>
  writeConditionSatisfied({ clauses: [{ etags: [], fids: [], ...clause }] } as never, current)

describe('writeConditionSatisfied (HEAD semantics)', () => {
  it('IF_CHUNKS_EQUAL compares fids as a multiset; absent holds only an empty expectation', () => {
    const k = 'IF_CHUNKS_EQUAL' as const
    expect(holds({ kind: k, fids: [] }, undefined)).toBe(true)
    expect(holds({ kind: k, fids: ['3,01'] }, undefined)).toBe(false)
    expect(holds({ kind: k, fids: [] }, entry([]))).toBe(true)
    expect(holds({ kind: k, fids: ['3,01', '3,02'] }, entry(['3,01', '3,02']))).toBe(true)
    expect(holds({ kind: k, fids: ['3,02', '3,01'] }, entry(['3,01', '3,02']))).toBe(true)
    expect(
      holds({ kind: k, fids: ['3,02', '3,01', '3,01'] }, entry(['3,01', '3,01', '3,02'])),
    ).toBe(true)
    expect(holds({ kind: k, fids: ['3,01'] }, entry([]))).toBe(false)
    expect(holds({ kind: k, fids: [] }, entry(['3,01']))).toBe(false)
    expect(holds({ kind: k, fids: ['3,01'] }, entry(['3,01', '3,02']))).toBe(false)
    expect(holds({ kind: k, fids: ['3,01', '3,01'] }, entry(['3,01']))).toBe(false)
    expect(holds({ kind: k, fids: ['3,01'] }, entry(['3,09']))).toBe(false)
  })

  it('existence, ETag (quotes, weak, S3 attribute first) and whole-second times', () => {
    const e = entry([], {
      attributes: { mtime: '1700000000', md5: Buffer.from('abcd', 'hex'), group_name: [] },
    })
    expect(holds({ kind: 'IF_NOT_EXISTS' }, undefined)).toBe(true)
    expect(holds({ kind: 'IF_NOT_EXISTS' }, e)).toBe(false)
    expect(holds({ kind: 'IF_EXISTS' }, e)).toBe(true)
    expect(holds({ kind: 'IF_EXISTS' }, undefined)).toBe(false)
    expect(holds({ kind: 'IF_ETAG_MATCH', etags: ['"abcd"'] }, e)).toBe(true)
    expect(holds({ kind: 'IF_ETAG_MATCH', etags: ['zz', 'abcd'] }, e)).toBe(true)
    expect(holds({ kind: 'IF_ETAG_MATCH', etags: ['W/"abcd"'] }, e)).toBe(false)
    expect(holds({ kind: 'IF_ETAG_MATCH', etags: ['W/"abcd"'], allow_weak: true }, e)).toBe(true)
    expect(holds({ kind: 'IF_ETAG_MATCH', etags: ['abcd'] }, undefined)).toBe(false)
    expect(holds({ kind: 'IF_ETAG_NOT_MATCH', etags: ['abcd'] }, e)).toBe(false)
    expect(holds({ kind: 'IF_ETAG_NOT_MATCH', etags: ['abcd'] }, undefined)).toBe(true)
    const s3 = { ...e, extended: { 'Seaweed-X-Amz-ETag': Buffer.from('"s3etag"') } }
    expect(holds({ kind: 'IF_ETAG_MATCH', etags: ['s3etag'] }, s3)).toBe(true)
    expect(holds({ kind: 'IF_ETAG_MATCH', etags: ['abcd'] }, s3)).toBe(false)
    expect(holds({ kind: 'IF_UNMODIFIED_SINCE', unix_time: 1700000000 }, e)).toBe(true)
    expect(holds({ kind: 'IF_UNMODIFIED_SINCE', unix_time: 1699999999 }, e)).toBe(false)
    expect(holds({ kind: 'IF_MODIFIED_SINCE', unix_time: 1699999999 }, e)).toBe(true)
    expect(holds({ kind: 'IF_MODIFIED_SINCE', unix_time: 1700000000 }, e)).toBe(false)
    expect(holds({ kind: 'IF_UNMODIFIED_SINCE', unix_time: 0 }, undefined)).toBe(true)
  })

  it('extended guards, and an unknown kind fails closed', () => {
    const e = entry([], {
      extended: { lock: Buffer.from('ON'), until: Buffer.from('99999999999') },
    })
    expect(holds({ kind: 'IF_EXTENDED_NOT_EQUAL', ext_key: 'lock', ext_value: 'ON' }, e)).toBe(
      false,
    )
    expect(holds({ kind: 'IF_EXTENDED_NOT_EQUAL', ext_key: 'lock', ext_value: 'OFF' }, e)).toBe(
      true,
    )
    expect(holds({ kind: 'IF_EXTENDED_TIME_ELAPSED', ext_key: 'until' }, e)).toBe(false)
    expect(
      holds(
        { kind: 'IF_EXTENDED_TIME_ELAPSED', ext_key: 'until', gate_key: 'lock', gate_value: 'OFF' },
        e,
      ),
    ).toBe(true)
    expect(holds({ kind: 99 as never }, e)).toBe(false)
  })
})

async function lookup(client: TestFilerClient, directory: string, name: string) {
  const res = await client.call<LookupDirectoryEntryResponseOutput>('LookupDirectoryEntry', {
    directory,
    name,
  })
  return res.entry!
}

describe('conditional CreateEntry and UpdateEntry over gRPC', () => {
  test('CreateEntry: PRECONDITION_FAILED in the response, status OK, nothing written', async ({
    client,
  }) => {
    const v1 = file('f', {
      chunks: [chunk('3,01637037d6')],
      attributes: { mtime: 1, file_mode: 0o644 },
    })
    await client.call('CreateEntry', { directory: '/c', entry: v1 })
    const refused = await client.call<CreateEntryResponseOutput>('CreateEntry', {
      directory: '/c',
      entry: file('f', { attributes: { mtime: 2, file_mode: 0o644 } }),
      condition: { clauses: [{ kind: 'IF_NOT_EXISTS' }] },
    })
    expect(refused.error).toBe('precondition failed')
    expect(refused.error_code).toBe('PRECONDITION_FAILED')
    expect((await lookup(client, '/c', 'f')).attributes?.mtime).toBe('1')
    const stale = await client.call<CreateEntryResponseOutput>('CreateEntry', {
      directory: '/c',
      entry: file('f', { attributes: { mtime: 3, file_mode: 0o644 } }),
      condition: { clauses: [{ kind: 'IF_CHUNKS_EQUAL', fids: ['3,02637037d6'] }] },
    })
    expect(stale.error_code).toBe('PRECONDITION_FAILED')
    const fresh = await client.call<CreateEntryResponseOutput>('CreateEntry', {
      directory: '/c',
      entry: file('f', { attributes: { mtime: 4, file_mode: 0o644 } }),
      condition: { clauses: [{ kind: 'IF_CHUNKS_EQUAL', fids: ['3,01637037d6'] }] },
    })
    expect(fresh.error ?? '').toBe('')
    expect((await lookup(client, '/c', 'f')).attributes?.mtime).toBe('4')
    const created = await client.call<CreateEntryResponseOutput>('CreateEntry', {
      directory: '/c',
      entry: file('g'),
      condition: { clauses: [{ kind: 'IF_NOT_EXISTS' }] },
    })
    expect(created.error ?? '').toBe('')
  })

  test('UpdateEntry: FAILED_PRECONDITION status; a missing entry is still not-found', async ({
    client,
  }) => {
    await client.call('CreateEntry', {
      directory: '/u',
      entry: file('f', {
        chunks: [chunk('3,01637037d6')],
        attributes: { mtime: 1, file_mode: 0o644 },
      }),
    })
    const err = await client
      .call('UpdateEntry', {
        directory: '/u',
        entry: file('f', { attributes: { mtime: 2, file_mode: 0o644 } }),
        condition: { clauses: [{ kind: 'IF_CHUNKS_EQUAL', fids: [] }] },
      })
      .catch((e: grpc.ServiceError) => e)
    expect((err as grpc.ServiceError).code).toBe(grpc.status.FAILED_PRECONDITION)
    expect((err as grpc.ServiceError).details).toBe('precondition failed: /u/f')
    expect((await lookup(client, '/u', 'f')).chunks).toHaveLength(1)
    const missing = await client
      .call('UpdateEntry', {
        directory: '/u',
        entry: file('nope'),
        condition: { clauses: [{ kind: 'IF_EXISTS' }] },
      })
      .catch((e: grpc.ServiceError) => e)
    expect((missing as grpc.ServiceError).details).toContain('no entry is found')
    await client.call('UpdateEntry', {
      directory: '/u',
      entry: file('f', {
        chunks: [chunk('3,01637037d6')],
        attributes: { mtime: 5, file_mode: 0o644 },
      }),
      condition: { clauses: [{ kind: 'IF_CHUNKS_EQUAL', fids: ['3,01637037d6'] }] },
    })
    expect((await lookup(client, '/u', 'f')).attributes?.mtime).toBe('5')
  })

  test('StreamMutateEntry carries the same answers', async ({ client }) => {
    const call = client.raw.StreamMutateEntry()
    const answers: StreamMutateEntryResponseOutput[] = []
    call.on('data', (res: StreamMutateEntryResponseOutput) => answers.push(res))
    const ended = new Promise((resolve) => call.on('end', resolve))
    const cond = { clauses: [{ kind: 'IF_NOT_EXISTS' as const }] }
    call.write({
      request_id: 1,
      create_request: { directory: '/m', entry: file('f'), condition: cond },
    })
    call.write({
      request_id: 2,
      create_request: { directory: '/m', entry: file('f'), condition: cond },
    })
    call.write({
      request_id: 3,
      update_request: { directory: '/m', entry: file('f'), condition: cond },
    })
    call.end()
    await ended
    expect(answers[0]!.create_response?.error ?? '').toBe('')
    expect(answers[1]!.create_response?.error_code).toBe('PRECONDITION_FAILED')
    expect(answers[2]!.error).toBe('precondition failed: /m/f')
  })
})
