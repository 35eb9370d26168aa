import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { SyncError, SyncErrorCodes, SyncStoppedError, toSyncError } from '../../src/errors.js'

const spec = readFileSync(new URL('../../SPEC.md', import.meta.url), 'utf8')

describe('the error catalogue', () => {
  it.each(Object.keys(SyncErrorCodes))(
    '%s is documented in SPEC.md with its retryable flag',
    (code) => {
      const row = spec.split('\n').find((line) => line.startsWith(`| \`${code}\` |`))
      expect(row, `SPEC.md has no row for ${code}`).toBeDefined()
      const retryable = SyncErrorCodes[code as keyof typeof SyncErrorCodes].retryable
      expect(row).toContain(retryable ? '| yes |' : '| no |')
    },
  )

  it('documents the stop code too', () => {
    expect(spec).toContain('| `SYNC_ERR_STOPPED` |')
  })

  it('normalizes anything thrown, keeping the cause', () => {
    const cause = new Error('boom')
    const e = toSyncError(cause, 'SYNC_ERR_CHUNK_READ')
    expect(e).toBeInstanceOf(SyncError)
    expect(e.code).toBe('SYNC_ERR_CHUNK_READ')
    expect(e.retryable).toBe(true)
    expect(e.cause).toBe(cause)
    expect(toSyncError(e)).toBe(e)
    expect(toSyncError('text').message).toBe('text')
  })

  it('treats our own abort as a stop, never a failure', () => {
    const abort = Object.assign(new Error('aborted'), { name: 'AbortError' })
    const e = toSyncError(abort)
    expect(e).toBeInstanceOf(SyncStoppedError)
    expect(e.retryable).toBe(false)
  })
})
