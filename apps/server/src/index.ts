/**
 * @seasync/server: the SeaSync service and its `seasync` command line. For now the public surface
 * is the CLI, so other tools (and e2e setup) can run a command in-process.
 */
export { main, mainUsage, commands } from './cli/main.js'
export type { CliIo, Command } from './cli/command.js'
