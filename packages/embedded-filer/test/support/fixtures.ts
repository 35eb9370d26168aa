import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test as base } from 'vitest'
import {
  startEmbeddedFiler,
  type EmbeddedFiler,
  type EmbeddedFilerOptions,
} from '../../src/index.js'
import { connect, type TestFilerClient } from './filer-client.js'

interface Fixtures {
  /** A fresh temp dir, removed after the test. */
  tmpDir: string
  /** Start a filer that is closed after the test (with its clients). */
  startFiler: (
    options?: EmbeddedFilerOptions,
  ) => Promise<{ filer: EmbeddedFiler; client: TestFilerClient }>
  /** One in-memory filer with its gRPC client. */
  filer: EmbeddedFiler
  client: TestFilerClient
}

export const test = base.extend<Fixtures>({
  // eslint-disable-next-line no-empty-pattern
  tmpDir: async ({}, use) => {
    const dir = mkdtempSync(join(tmpdir(), 'seasync-filer-'))
    await use(dir)
    rmSync(dir, { recursive: true, force: true })
  },
  // eslint-disable-next-line no-empty-pattern
  startFiler: async ({}, use) => {
    const started: { filer: EmbeddedFiler; client: TestFilerClient }[] = []
    await use(async (options = {}) => {
      const filer = await startEmbeddedFiler(options)
      const client = connect(filer.grpcAddress)
      started.push({ filer, client })
      return { filer, client }
    })
    for (const { filer, client } of started.reverse()) {
      client.close()
      await filer.close()
    }
  },
  filer: async ({ startFiler }, use) => {
    const { filer } = await startFiler({ subscribe: { heartbeatIntervalMs: 200 } })
    await use(filer)
  },
  client: async ({ filer }, use) => {
    const client = connect(filer.grpcAddress)
    await use(client)
    client.close()
  },
})
