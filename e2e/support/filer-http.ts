/**
 * Files on a filer over its HTTP API, as a user writes them (`curl -F file=@x http://A/dir/`):
 * the tests write on one cluster and read on another to see replication happen.
 */

/** Uploads `content` as `path` (multipart POST into its directory, as SeaweedFS expects). */
export async function writeFilerFile(
  httpAddress: string,
  path: string,
  content: string,
): Promise<void> {
  const slash = path.lastIndexOf('/')
  const form = new FormData()
  form.append('file', new Blob([content], { type: 'text/plain' }), path.slice(slash + 1))
  const response = await fetch(`http://${httpAddress}${path.slice(0, slash + 1)}`, {
    method: 'POST',
    body: form,
    signal: AbortSignal.timeout(10_000),
  })
  if (!response.ok) {
    throw new Error(`POST ${path} to ${httpAddress}: ${response.status} ${await response.text()}`)
  }
}

/** The file's content, or undefined while the filer has no such file (404). */
export async function readFilerFile(
  httpAddress: string,
  path: string,
): Promise<string | undefined> {
  const response = await fetch(`http://${httpAddress}${path}`, {
    signal: AbortSignal.timeout(10_000),
  })
  if (response.status === 404) return undefined
  if (!response.ok) throw new Error(`GET ${path} from ${httpAddress}: ${response.status}`)
  return response.text()
}
