import { startEmbeddedFiler, type EmbeddedFiler } from '@seasync/embedded-filer'
import type { VerifyOptions, VerifyRecord, VerifySummary } from '@seasync/sync-core'
import { afterEach, describe, expect, it, vi } from 'vitest'
import {
  createFilerSyncVerifyCommand,
  filerSyncVerifyFlags,
  formatRfc3339,
  verifyOptionsFromFlags,
} from '../../src/cli/filer-sync-verify-command.js'
import { parseFlags } from '../../src/cli/go-flags.js'
import { main } from '../../src/cli/main.js'
import { recordingIo } from '../support/cli-io.js'

const NOW = Date.UTC(2025, 0, 2, 3, 4, 5)

function summary(overrides: Partial<VerifySummary> = {}): VerifySummary {
  return {
    directories: 0,
    files: 0,
    skippedRecent: 0,
    missing: 0,
    sizeMismatch: 0,
    etagMismatch: 0,
    chunkReorder: 0,
    onlyInB: 0,
    totalErrors: 0,
    contentMismatch: 0,
    readErrors: 0,
    listErrors: 0,
    ...overrides,
  }
}

/** A command whose walk replays `records` and resolves to `result`. */
function scripted(records: VerifyRecord[], result: VerifySummary) {
  const verify = vi.fn((options: VerifyOptions) => {
    for (const record of records) options.onRecord?.(record)
    return Promise.resolve(result)
  })
  return { verify, command: createFilerSyncVerifyCommand({ verify, now: () => NOW }) }
}

const DIFFS: VerifyRecord[] = [
  { type: 'MISSING', path: '/d', isDirectory: true, a: { size: 0, mtime: 1, etag: 'e0' } },
  { type: 'MISSING', path: '/d/f', a: { size: 12, mtime: 1, etag: 'abc' } },
  { type: 'ONLY_IN_B', path: '/b/x', b: { size: 3, mtime: 1, etag: 'e' } },
  {
    type: 'SIZE_MISMATCH',
    path: '/s',
    a: { size: 10, mtime: 1, etag: 'x' },
    b: { size: 7, mtime: 43, etag: 'y' },
    mtimeRelation: 'B_NEWER',
    mtimeDelta: '42s',
    hint: 'late_updates_skip_likely',
  },
  {
    type: 'ETAG_MISMATCH',
    path: '/e',
    a: { size: 4, mtime: 1, etag: 'aaa' },
    b: { size: 4, mtime: 1, etag: 'bbb' },
    mtimeRelation: 'EQUAL',
    mtimeDelta: '0s',
  },
  {
    type: 'ETAG_MISMATCH',
    path: '/e2',
    a: { size: 4, mtime: 7201, etag: 'aaa' },
    b: { size: 4, mtime: 1, etag: 'bbb' },
    mtimeRelation: 'A_NEWER',
    mtimeDelta: '2h',
    hint: 'sync_lag_or_event_miss',
  },
  {
    type: 'CHUNK_REORDER',
    path: '/r',
    a: { size: 9, mtime: 1, etag: 'r1-3' },
    b: { size: 9, mtime: 1, etag: 'r2-3' },
    mtimeRelation: 'EQUAL',
    mtimeDelta: '0s',
  },
  { type: 'LIST_ERROR', path: '/broken', side: 'b', message: 'connection reset' },
]

const DIFF_SUMMARY = summary({
  directories: 3,
  files: 4,
  skippedRecent: 2,
  missing: 2,
  sizeMismatch: 1,
  etagMismatch: 2,
  chunkReorder: 1,
  onlyInB: 1,
  listErrors: 1,
  totalErrors: 7,
})

describe('seasync filer.sync.verify output (spec §10)', () => {
  it('prints Go’s text lines and Summary block, exit 2 on differences', async () => {
    const { command, verify } = scripted(DIFFS, DIFF_SUMMARY)
    const io = recordingIo()
    expect(await main(['filer.sync.verify', '-a', 'fa:8888', '-b=fb:8889'], io, [command])).toBe(2)
    expect(io.out.join('')).toBe(
      'Comparing fa:8888/ => fb:8889/ (isActivePassive=false)\n\n' +
        '[MISSING]       /d/ (directory)\n' +
        '[MISSING]       /d/f (size=12, etag=abc)\n' +
        '[ONLY_IN_B]     /b/x\n' +
        '[SIZE_MISMATCH] /s (a=10, b=7, B newer +42s [late-updates skip likely])\n' +
        '[ETAG_MISMATCH] /e (a=aaa, b=bbb, mtime equal [chunk-level issue])\n' +
        '[ETAG_MISMATCH] /e2 (a=aaa, b=bbb, A newer +2h [sync lag or event miss])\n' +
        '[LIST_ERROR]    /broken (filer B: connection reset)\n' +
        '\nSummary:\n' +
        '  Directories compared: 3\n' +
        '  Files verified:       4\n' +
        '  Skipped (too recent): 2\n' +
        '  Missing in B:         2\n' +
        '  Size mismatch:        1\n' +
        '  ETag mismatch:        2\n' +
        '  Chunk reorder (equal): 1  (content-equal, not an error; use -v=1 to list)\n' +
        '  Only in B:            1\n' +
        '  Listing errors:       1  (walk incomplete)\n' +
        '  Total errors:         7\n',
    )
    expect(io.err.join('')).toBe('filer.sync.verify: found 7 differences\n')
    expect(verify.mock.calls[0]![0]).toMatchObject({
      a: 'fa:8888',
      b: 'fb:8889',
      aPath: '/',
      bPath: '/',
      isActivePassive: false,
      modifiedTimeAgoMs: 0,
      compareContent: false,
    })
  })

  it('lists CHUNK_REORDER at -v=1', async () => {
    const { command } = scripted(DIFFS, DIFF_SUMMARY)
    const io = recordingIo()
    await main(['filer.sync.verify', '-a=x:1', '-b=y:2', '-v=1'], io, [command])
    expect(io.out.join('')).toContain(
      '[CHUNK_REORDER] /r (a=r1-3, b=r2-3, content-equal: chunks differ only in slice order)\n',
    )
  })

  it('prints NDJSON records and the SUMMARY with Go’s fields, exit 2', async () => {
    const { command } = scripted(DIFFS, DIFF_SUMMARY)
    const io = recordingIo()
    expect(
      await main(['filer.sync.verify', '-a=x:1', '-b=y:2', '-jsonOutput'], io, [command]),
    ).toBe(2)
    const lines = io.out.join('').trimEnd().split('\n')
    expect(lines).toHaveLength(DIFFS.length + 1)
    expect(lines.slice(0, -1).map((line) => JSON.parse(line) as unknown)).toEqual(DIFFS)
    expect(lines[3]).toBe(
      '{"type":"SIZE_MISMATCH","path":"/s","a":{"size":10,"mtime":1,"etag":"x"},' +
        '"b":{"size":7,"mtime":43,"etag":"y"},"mtimeRelation":"B_NEWER","mtimeDelta":"42s",' +
        '"hint":"late_updates_skip_likely"}',
    )
    expect(lines.at(-1)).toBe(
      '{"type":"SUMMARY","directories":3,"files":4,"skippedRecent":2,"missing":2,' +
        '"sizeMismatch":1,"etagMismatch":2,"chunkReorder":1,"onlyInB":1,"totalErrors":7,' +
        '"listErrors":1}',
    )
  })

  it('exit 0 without differences; active-passive omits the Only in B line', async () => {
    const { command } = scripted([], summary({ directories: 1, files: 2 }))
    const io = recordingIo()
    expect(
      await main(['filer.sync.verify', '-a=x:1', '-b=y:2', '-isActivePassive'], io, [command]),
    ).toBe(0)
    expect(io.out.join('')).toBe(
      'Comparing x:1/ => y:2/ (isActivePassive=true)\n\n' +
        '\nSummary:\n' +
        '  Directories compared: 1\n' +
        '  Files verified:       2\n' +
        '  Missing in B:         0\n' +
        '  Size mismatch:        0\n' +
        '  ETag mismatch:        0\n' +
        '  Total errors:         0\n',
    )
    expect(io.err).toEqual([])
  })

  it('-compareContent adds its record, summary lines and JSON fields', async () => {
    const record: VerifyRecord = {
      type: 'CONTENT_MISMATCH',
      path: '/c',
      a: { size: 4, mtime: 1, etag: 'm', contentMd5: 'ca' },
      b: { size: 4, mtime: 1, etag: 'm', contentMd5: 'cb' },
      mtimeRelation: 'EQUAL',
      mtimeDelta: '0s',
    }
    const result = summary({ directories: 1, files: 1, contentMismatch: 1, totalErrors: 1 })
    const text = recordingIo()
    const { command, verify } = scripted([record], result)
    expect(
      await main(['filer.sync.verify', '-a=x:1', '-b=y:2', '-compareContent'], text, [command]),
    ).toBe(2)
    expect(verify.mock.calls[0]![0].compareContent).toBe(true)
    expect(text.out.join('')).toContain(
      '[CONTENT_MISMATCH] /c (a=ca, b=cb, mtime equal [chunk-level issue])\n',
    )
    expect(text.out.join('')).toContain(
      '  Only in B:            0\n  Content mismatch:     1\n  Read errors:          0\n  Total errors:         1\n',
    )
    const json = recordingIo()
    await main(['filer.sync.verify', '-a=x:1', '-b=y:2', '-compareContent', '-jsonOutput'], json, [
      command,
    ])
    expect(json.out.at(-1)).toMatch(/"totalErrors":1,"contentMismatch":1,"readErrors":0}\n$/)
  })

  it.each([
    ['10m', 600_000, '10m0s'],
    ['1h30m', 5_400_000, '1h30m0s'],
    ['45s', 45_000, '45s'],
  ])('-modifiedTimeAgo %s → %d ms and the cutoff header', async (text, ms, goText) => {
    const { command, verify } = scripted([], summary())
    const io = recordingIo()
    await main(['filer.sync.verify', '-a=x:1', '-b=y:2', '-modifiedTimeAgo', text], io, [command])
    expect(verify.mock.calls[0]![0]).toMatchObject({ modifiedTimeAgoMs: ms, nowMs: NOW })
    expect(io.out[0]).toBe(
      `Verifying files modified before ${formatRfc3339(NOW - ms)} (modifiedTimeAgo=${goText})\n`,
    )
  })

  it('formats RFC3339 like Go, with the local offset', () => {
    const text = formatRfc3339(NOW)
    expect(text).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(Z|[+-]\d\d:\d\d)$/)
    expect(Date.parse(text)).toBe(NOW)
  })

  it.each([
    [['-b=y:2'], 'flag -a is required'],
    [['-a=x:1'], 'flag -b is required'],
    [['-a=x:1', '-b=y:2', 'extra'], 'unexpected argument: extra'],
    [['-a=x:1', '-b=y:2', '-modifiedTimeAgo=10x'], 'invalid value "10x" for flag -modifiedTimeAgo'],
  ])('refuses %j with the usage, exit 2', async (argv, message) => {
    const { command, verify } = scripted([], summary())
    const io = recordingIo()
    expect(await main(['filer.sync.verify', ...argv], io, [command])).toBe(2)
    expect(io.err.join('')).toContain(message)
    expect(io.err.join('')).toContain('Usage: seasync filer.sync.verify')
    expect(verify).not.toHaveBeenCalled()
  })

  it('turns an invalid filer address into a usage error, exit 2', async () => {
    const command = createFilerSyncVerifyCommand({
      verify: () =>
        Promise.reject(
          Object.assign(new Error('invalid filer address "x:y": HTTP port "y" is not a number'), {
            code: 'SYNC_ERR_OPTIONS',
          }),
        ),
    })
    const io = recordingIo()
    expect(await main(['filer.sync.verify', '-a=x:y', '-b=y:2'], io, [command])).toBe(2)
    expect(io.err.join('')).toMatch(/^invalid filer address "x:y"/)
  })

  it('an -a.security file that cannot be read is a usage error (exit 2), never plaintext', async () => {
    const { command } = scripted([], summary())
    const io = recordingIo()
    const argv = ['-a=x:1', '-b=y:2', '-a.security=/nonexistent/seasync/a.toml']
    expect(await main(['filer.sync.verify', ...argv], io, [command])).toBe(2)
    expect(io.err.join('')).toMatch(/^-a\.security: cannot read \/nonexistent\/seasync\/a\.toml: /)
  })

  it('prints no summary when stopped mid-walk, exit 2', async () => {
    const io = recordingIo()
    const command = createFilerSyncVerifyCommand({
      verify: (options) =>
        new Promise((_resolve, reject) =>
          options.signal?.addEventListener('abort', () => reject(new Error('stopped'))),
        ),
    })
    const exit = main(['filer.sync.verify', '-a=x:1', '-b=y:2'], io, [command])
    io.stop('SIGINT')
    expect(await exit).toBe(2)
    expect(io.out.join('')).not.toContain('Summary')
    expect(io.err.join('')).toContain('stopped (SIGINT); the walk is incomplete')
  })

  it('maps the flags to frozen library options', () => {
    const { values } = parseFlags(filerSyncVerifyFlags, [
      '-a=x:1',
      '-b=y:2',
      '-a.path=/src',
      '-b.path',
      '/dst',
      '-modifiedTimeAgo=-5m',
    ])
    const options = verifyOptionsFromFlags(values, NOW)
    expect(options).toMatchObject({ aPath: '/src', bPath: '/dst', modifiedTimeAgoMs: 0 })
    expect(Object.isFrozen(options)).toBe(true)
  })
})

describe('seasync filer.sync.verify against two embedded filers', () => {
  const filers: EmbeddedFiler[] = []
  afterEach(async () => {
    for (const filer of filers.splice(0)) await filer.close()
  })

  async function put(filer: EmbeddedFiler, path: string, text: string): Promise<void> {
    const res = await fetch(`http://${filer.httpAddress}${path}`, { method: 'PUT', body: text })
    expect(res.status).toBe(201)
  }

  it('exit 0 when B has everything; exit 2 and NDJSON once A gains a file', async () => {
    const a = await startEmbeddedFiler()
    const b = await startEmbeddedFiler()
    filers.push(a, b)
    await put(a, '/docs/readme.txt', 'hello')
    await put(b, '/docs/readme.txt', 'hello')
    await put(b, '/docs/extra.txt', 'only in b')

    const passive = recordingIo()
    const argv = ['filer.sync.verify', '-a', a.address, '-b', b.address, '-isActivePassive']
    expect(await main([...argv, '-compareContent'], passive)).toBe(0)
    expect(passive.out.join('')).toContain('  Files verified:       1\n')

    const active = recordingIo()
    expect(await main(['filer.sync.verify', `-a=${a.address}`, `-b=${b.address}`], active)).toBe(2)
    expect(active.out.join('')).toContain('[ONLY_IN_B]     /docs/extra.txt\n')

    await put(a, '/docs/new.txt', 'new')
    const json = recordingIo()
    expect(await main([...argv, '-jsonOutput', '-a.path=/docs', '-b.path=/docs'], json)).toBe(2)
    const lines = json.out
      .join('')
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>)
    expect(lines).toEqual([
      {
        type: 'MISSING',
        path: '/docs/new.txt',
        a: {
          size: 3,
          mtime: expect.any(Number) as number,
          etag: '22af645d1859cb5ca6da0c484f1f37ea',
        },
      },
      {
        type: 'SUMMARY',
        directories: 1,
        files: 1,
        skippedRecent: 0,
        missing: 1,
        sizeMismatch: 0,
        etagMismatch: 0,
        chunkReorder: 0,
        onlyInB: 0,
        totalErrors: 1,
      },
    ])
  })
})
