/**
 * Runs one embedded filer in its own process for benchmarks, so the load generator does not share
 * its event loop. Prints one JSON line with the addresses, then serves until stdin closes or a
 * signal arrives.
 */
import { startEmbeddedFiler } from '../src/index.js'

const dir = process.argv[2] && process.argv[2] !== '-' ? process.argv[2] : undefined
const filer = await startEmbeddedFiler({ dir })
process.stdout.write(
  `${JSON.stringify({ grpc: filer.grpcAddress, http: filer.httpAddress, volume: filer.volumeUrl, pid: process.pid })}\n`,
)
const stop = async (): Promise<void> => {
  await filer.close()
  process.exit(0)
}
process.stdin.on('end', () => void stop())
process.stdin.resume()
process.on('SIGTERM', () => void stop())
process.on('SIGINT', () => void stop())
