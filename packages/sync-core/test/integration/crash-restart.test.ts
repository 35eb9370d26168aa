/**
 * Restart safety (issue: "kill -9 during 5,000 file writes, restart, verify shows zero
 * differences"): the CLI runs as a real process, is killed with SIGKILL mid-stream (no shutdown
 * save), restarted, and filer.sync.verify then finds A and B identical, contents included.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { startEmbeddedFiler, type EmbeddedFiler } from '@seasync/embedded-filer'
import { afterEach, expect, it } from 'vitest'
import { FilerClient } from '../../src/filer/filer-client.js'
import { verifySync } from '../../src/verify/verify.js'
import type { VerifyRecord } from '../../src/verify/verify-record.js'

const bin = fileURLToPath(new URL('../../../../bin/seasync', import.meta.url))
const cleanups: (() => Promise<void> | void)[] = []
afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn()
})

function startSync(a: EmbeddedFiler, b: EmbeddedFiler): ChildProcess {
  const child = spawn(bin, ['filer.sync', '-a', a.address, '-b', b.address, '-isActivePassive'], {
    stdio: ['ignore', 'ignore', 'pipe'],
  })
  child.stderr.resume()
  cleanups.push(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
  })
  return child
}

it('kill -9 during 5,000 writes, restart: verify finds zero differences', async () => {
  const a = await startEmbeddedFiler({ subscribe: { heartbeatIntervalMs: 500 } })
  const b = await startEmbeddedFiler({ subscribe: { heartbeatIntervalMs: 500 } })
  cleanups.push(
    () => a.close(),
    () => b.close(),
  )
  const first = startSync(a, b)
  const onB = new FilerClient(b.address)
  cleanups.push(() => onB.close())

  const TOTAL = 5000
  let written = 0
  let killed = false
  const writer = (async () => {
    const workers = Array.from({ length: 16 }, async () => {
      while (written < TOTAL) {
        const i = written++
        const res = await fetch(`http://${a.httpAddress}/load/d${i % 50}/f${i}.txt`, {
          method: 'PUT',
          body: `file ${i}`,
        })
        expect(res.status).toBe(201)
      }
    })
    await Promise.all(workers)
  })()
  // Kill once replication is visibly under way (some files already on B), mid-stream.
  await expect
    .poll(
      async () => {
        let n = 0
        for await (const _ of onB.listEntries('/load/d0')) n++
        return n
      },
      { timeout: 30_000, interval: 100 },
    )
    .toBeGreaterThan(5)
  first.kill('SIGKILL')
  killed = true
  await new Promise((resolve) => first.once('exit', resolve))
  await writer
  expect(killed).toBe(true)

  startSync(a, b)
  const records: VerifyRecord[] = []
  await expect
    .poll(
      async () => {
        records.length = 0
        const summary = await verifySync({
          a: a.address,
          b: b.address,
          isActivePassive: true,
          compareContent: true,
          onRecord: (r) => records.push(r),
        })
        return summary.totalErrors
      },
      { timeout: 60_000, interval: 1000 },
    )
    .toBe(0)
  expect(records).toEqual([])
}, 120_000)
