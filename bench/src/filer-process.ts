/**
 * One embedded filer in its own process: `filer-process.ts <dir>`. Prints one JSON line with its
 * addresses, then serves until stdin closes or SIGTERM.
 */
import { startEmbeddedFiler } from '@seasync/embedded-filer'

const filer = await startEmbeddedFiler({ dir: process.argv[2] })
process.stdout.write(
  `${JSON.stringify({
    grpc: filer.grpcAddress,
    http: filer.httpAddress,
    volume: filer.volumeUrl,
    address: filer.address,
    signature: filer.signature,
  })}\n`,
)
let stopping = false
const stop = async (): Promise<void> => {
  if (stopping) return
  stopping = true
  await filer.close()
  process.exit(0)
}
process.stdin.on('end', () => void stop())
process.stdin.resume()
process.on('SIGTERM', () => void stop())
