/**
 * The `seasync` command line: subcommand dispatch, usage and exit codes. It never touches
 * `process`: the entry (`src/cli.ts`) passes in the output streams and a shutdown signal, so tests
 * can run any command in-process.
 *
 * Exit codes: 0 success (and `-h`), 1 the command failed, 2 a usage mistake (unknown command,
 * bad flag or value), as Go's `flag.ExitOnError` and `weed` do.
 */
import type { CliIo, Command } from './command.js'
import { filerCommand } from './filer-command.js'
import { filerSyncCommand } from './filer-sync-command.js'
import { filerSyncVerifyCommand } from './filer-sync-verify-command.js'
import { FlagError, FlagErrorCodes } from './go-flags.js'
import { serveCommand } from './serve-command.js'

/** Every subcommand, in the order `seasync help` lists them. */
export const commands: readonly Command[] = [
  filerCommand,
  filerSyncCommand,
  filerSyncVerifyCommand,
  serveCommand,
]

/** `seasync` usage: the command list. */
export function mainUsage(registry: readonly Command[] = commands): string {
  const width = Math.max(...registry.map((c) => c.name.length), 'help'.length) + 3
  const list = [
    ...registry.map((c) => [c.name, c.summary] as const),
    ['help', 'show this list, or `seasync help <command>` for its flags'] as const,
  ]
    .map(([name, summary]) => `  ${name.padEnd(width)}${summary}\n`)
    .join('')
  return (
    'SeaSync: topology-aware orchestrator for SeaweedFS cross-cluster replication.\n\n' +
    'Usage:\n  seasync <command> [flags]\n\n' +
    `Commands:\n${list}\n` +
    'Flags use Go syntax, as weed does: -port 8888, -port=8888, -flag, -flag=false.\n'
  )
}

/**
 * Runs `seasync` with `argv` (without node and the script) and resolves to the exit code.
 * `registry` replaces the commands in tests.
 */
export async function main(
  argv: readonly string[],
  io: CliIo,
  registry: readonly Command[] = commands,
): Promise<number> {
  const findCommand = (name: string): Command | undefined => registry.find((c) => c.name === name)
  const usage = (): string => mainUsage(registry)
  const [name, ...args] = argv
  if (name === undefined) {
    io.stderr(usage())
    return 2
  }
  if (name === 'help' || name === '-h' || name === '-help' || name === '--help') {
    const topic = args[0]
    if (topic === undefined) {
      io.stdout(usage())
      return 0
    }
    const command = findCommand(topic)
    if (command === undefined) return unknownCommand(topic, usage(), io)
    io.stdout(command.usage())
    return 0
  }
  const command = findCommand(name)
  if (command === undefined) return unknownCommand(name, usage(), io)

  try {
    return await command.run(args, io)
  } catch (error) {
    if (error instanceof FlagError) {
      if (error.code === FlagErrorCodes.HELP) {
        io.stdout(command.usage())
        return 0
      }
      io.stderr(`${error.message}\n${command.usage()}`)
      return 2
    }
    io.stderr(`seasync ${command.name}: ${describeError(error)}\n`)
    return 1
  }
}

function unknownCommand(name: string, usage: string, io: CliIo): number {
  io.stderr(`seasync: unknown command ${JSON.stringify(name)}\n\n${usage}`)
  return 2
}

function describeError(error: unknown): string {
  if (error instanceof Error) {
    const causes: string[] = [error.message]
    let cause: unknown = error.cause
    while (cause instanceof Error) {
      causes.push(cause.message)
      cause = cause.cause
    }
    return causes.join(': ')
  }
  return String(error)
}
