import { FilerClient } from '../../src/filer/filer-client.js'
import { joinPath } from '../../src/util/paths.js'

/** A path → description map of a subtree: `dir` for directories, `<size>:<md5 of bytes>` for files. */
export async function snapshotTree(
  address: string,
  httpAddress: string,
  root: string,
): Promise<Record<string, string>> {
  const client = new FilerClient(address)
  const out: Record<string, string> = {}
  const walk = async (dir: string): Promise<void> => {
    for await (const entry of client.listEntries(dir)) {
      const path = joinPath(dir, entry.name ?? '')
      const relative = path.slice(root === '/' ? 0 : root.length) || '/'
      if (entry.is_directory) {
        out[relative] = 'dir'
        await walk(path)
      } else {
        const res = await fetch(`http://${httpAddress}${encodeURI(path)}`)
        const bytes = Buffer.from(await res.arrayBuffer())
        const { createHash } = await import('node:crypto')
        out[relative] = `${bytes.length}:${createHash('md5').update(bytes).digest('hex')}`
      }
    }
  }
  try {
    await walk(root)
  } finally {
    client.close()
  }
  return out
}
