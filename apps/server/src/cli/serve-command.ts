/**
 * `seasync serve`: run the SeaSync server (REST API, later the dashboard and the replicators)
 * until SIGINT or SIGTERM. Settings come from flags, then `SEASYNC_*` environment variables, then
 * defaults (`src/config.ts`); a bad one exits 2 with a message naming it. Prints one
 * `seasync serving on http://HOST:PORT (data DIR)` line when it listens.
 */
import { ConfigError, loadConfig, serveFlags, type Config } from '../config.js'
import type { ServerIo } from '../server.js'
import type { CliIo, Command } from './command.js'
import { formatFlagDefaults } from './go-flags.js'

export interface ServeCommandDeps {
  /** The environment to read `SEASYNC_*` from. Default `process.env`. */
  readonly env?: () => Readonly<Record<string, string | undefined>>
  readonly cwd?: () => string
  /** Runs the server; default `runServer` from `src/server.ts`, loaded on first use. */
  readonly run?: (config: Readonly<Config>, io: ServerIo) => Promise<number>
}

/** `seasync serve` with injectable process access, for tests. */
export function createServeCommand(deps: ServeCommandDeps = {}): Command {
  const {
    env = () => process.env,
    cwd = () => process.cwd(),
    run = async (config, io) => {
      // Loaded on first use: `seasync help` and the other commands do not pay for Fastify.
      const { runServer } = await import('../server.js')
      return runServer(config, io)
    },
  } = deps
  return {
    name: 'serve',
    summary: 'run the SeaSync server: REST API under /api/v1 on 127.0.0.1:8680',
    usage: () =>
      'Usage: seasync serve [flags]\n\n' +
      'Runs the SeaSync server until SIGINT or SIGTERM. Every flag has a SEASYNC_* environment\n' +
      'variable; a flag wins over its variable. Prints one "seasync serving on" line when ready.\n' +
      'Listening on an address other than loopback requires an API token.\n\n' +
      `Flags:\n${formatFlagDefaults(serveFlags)}`,
    async run(args: readonly string[], io: CliIo): Promise<number> {
      let config: Readonly<Config>
      try {
        config = loadConfig({ env: env(), argv: args, cwd: cwd() })
      } catch (error) {
        if (!(error instanceof ConfigError)) throw error
        io.stderr(`seasync serve: ${error.message}\n`)
        return 2
      }
      return run(config, io)
    },
  }
}

export const serveCommand: Command = createServeCommand()
