/**
 * Process entry of the `seasync` CLI (run from source by `bin/seasync` and `pnpm seasync`). It
 * owns the process: signals, streams and the exit code; everything else is `main` in `cli/`.
 */
import { main } from './cli/main.js'

const shutdown = new AbortController()
const onSignal = (signal: NodeJS.Signals): void => {
  // Only the first signal asks for a graceful stop; a second one gets Node's default (exit now).
  process.off('SIGINT', onSignal)
  process.off('SIGTERM', onSignal)
  shutdown.abort(signal)
}
process.on('SIGINT', onSignal)
process.on('SIGTERM', onSignal)

const code = await main(process.argv.slice(2), {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  shutdown: shutdown.signal,
})
// Exit explicitly: a command has closed what it opened by now, and a handle some library forgot
// must not keep a stopped CLI alive. (stdout/stderr writes are synchronous for files and pipes.)
process.exit(code)
