import type { CliIo } from '../../src/cli/command.js'

/** A `CliIo` that records output, with a controller standing in for SIGINT/SIGTERM. */
export function recordingIo(): CliIo & {
  readonly out: string[]
  readonly err: string[]
  readonly stop: (signal?: string) => void
} {
  const out: string[] = []
  const err: string[] = []
  const controller = new AbortController()
  return {
    out,
    err,
    stdout: (text) => out.push(text),
    stderr: (text) => err.push(text),
    shutdown: controller.signal,
    stop: (signal = 'SIGTERM') => controller.abort(signal),
  }
}
