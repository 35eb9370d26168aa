/** The contract between `main` and each `seasync <name>` subcommand. */

/** What a command may touch of the process: `src/cli.ts` wires these to the real one. */
export interface CliIo {
  /** Writes text as is (callers end lines with `\n`). */
  readonly stdout: (text: string) => void
  readonly stderr: (text: string) => void
  /** Aborted when the process is asked to stop (SIGINT, SIGTERM); the reason is the signal name. */
  readonly shutdown: AbortSignal
}

/** One `seasync <name>` subcommand. */
export interface Command {
  readonly name: string
  /** One line for the command list. */
  readonly summary: string
  /** Full help: synopsis, description and flag defaults. */
  usage(): string
  /**
   * Runs the command to completion and resolves to the exit code. Throws `FlagError` for a
   * command-line mistake, which `main` prints with the usage (exit 2).
   */
  run(args: readonly string[], io: CliIo): Promise<number>
}
