/**
 * The server process (STYLE.md §7): what `seasync serve` runs once its configuration is loaded.
 * It owns what `app.ts` must not: the logger, `listen`, and a bounded graceful close with
 * `close-with-grace` (SIGINT/SIGTERM, an uncaught error, or the CLI's shutdown signal when run
 * in-process).
 *
 * Logs are pino's JSON lines on stdout (one object per line; pipe through `pino-pretty` to read
 * them). The `Authorization` header is redacted should anything ever log request headers, and the
 * configuration is logged with the token shown only as set or not.
 */
import type { AddressInfo } from 'node:net'
import closeWithGrace from 'close-with-grace'
import type { FastifyServerOptions } from 'fastify'
import { buildApp } from './app.js'
import { describeConfig, type Config, type LogLevel } from './config.js'

/** How long a graceful close may take before the process exits 1 anyway. */
export const SHUTDOWN_GRACE_MS = 10_000

/** What the server may touch of the process (the CLI's `CliIo` fits). */
export interface ServerIo {
  /** Log lines and the ready line. */
  readonly stdout: (text: string) => void
  /** Aborting it closes the server as SIGTERM does (the CLI aborts it on SIGINT/SIGTERM). */
  readonly shutdown: AbortSignal
}

/** Fastify's `logger` option for the server (and for tests that check what it logs). */
export function loggerOptions(
  level: LogLevel,
  write: (line: string) => void,
): NonNullable<Exclude<FastifyServerOptions['logger'], boolean>> {
  return {
    level,
    // Fastify's request serializer logs no headers; this keeps it so if that ever changes.
    redact: {
      paths: ['req.headers.authorization', 'headers.authorization', 'apiToken', '*.apiToken'],
      censor: '[redacted]',
    },
    stream: { write },
  }
}

/** `seasync serving on http://127.0.0.1:8680 (data /abs/dir)`: the line scripts wait for. */
export function readyLine(address: AddressInfo, dataDir: string): string {
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address
  return `seasync serving on http://${host}:${address.port} (data ${dataDir})\n`
}

/**
 * Serves until SIGINT, SIGTERM, `io.shutdown` or an uncaught error, then closes within
 * {@link SHUTDOWN_GRACE_MS}. Resolves to the exit code (0 after a signal, 1 after an error);
 * rejects when the server cannot start (port taken, data directory not writable).
 *
 * Under a real process `close-with-grace` may exit first, with the same code (or 1 when the
 * close times out or a second signal arrives).
 */
export async function runServer(config: Readonly<Config>, io: ServerIo): Promise<number> {
  const app = buildApp(config, { server: { logger: loggerOptions(config.logLevel, io.stdout) } })
  app.log.info({ config: describeConfig(config) }, 'starting')

  let requestStop!: (code: number) => void
  const stopRequested = new Promise<number>((resolve) => (requestStop = resolve))
  let closing: Promise<number> | undefined
  /** The one close, however many things ask for it. */
  const stop = (reason: string, error?: unknown): Promise<number> => {
    closing ??= (async () => {
      if (error === undefined) app.log.info({ reason }, 'closing')
      else app.log.fatal({ err: error }, 'closing after an uncaught error')
      await app.close()
      io.stdout(`seasync stopped (${reason})\n`)
      const code = error === undefined ? 0 : 1
      requestStop(code)
      return code
    })()
    return closing
  }

  const grace = closeWithGrace(
    {
      delay: SHUTDOWN_GRACE_MS,
      logger: { error: (message: unknown) => app.log.error(message) },
    },
    async ({ signal, err }) => {
      await stop(signal ?? 'error', err)
    },
  )
  try {
    await app.listen({ host: config.host, port: config.port })
  } catch (error) {
    grace.uninstall()
    await app.close()
    throw error
  }

  const onShutdown = (): void => void stop(String(io.shutdown.reason ?? 'shutdown'))
  if (io.shutdown.aborted) onShutdown()
  else io.shutdown.addEventListener('abort', onShutdown, { once: true })

  io.stdout(readyLine(app.server.address() as AddressInfo, config.dataDir))
  try {
    return await stopRequested
  } finally {
    io.shutdown.removeEventListener('abort', onShutdown)
    // Only reached without close-with-grace exiting first, e.g. in-process: leave the process as
    // it was (its handlers would otherwise exit a test runner on the next signal).
    grace.uninstall()
  }
}
