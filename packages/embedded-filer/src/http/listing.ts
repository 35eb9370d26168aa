/**
 * Directory listing over HTTP (`GET /<dir>/`; Go: weed/server/filer_server_handlers_read_dir.go).
 * SeaweedFS answers browsers with an HTML page and `Accept: application/json` with JSON; we always
 * answer with the JSON shape, which every tool parses.
 */
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { Entry } from '../filer/entry-form.js'
import type { Filer } from '../filer/filer.js'
import { joinPath, normalizePath } from '../filer/paths.js'
import { entryJson } from './entry-json.js'
import { sendJson } from './http-io.js'

/** Listing defaults. */
export const ListingDefaults = Object.freeze({
  /**
   * Entries per page when `?limit=` is absent or not a number. SeaSync's choice; SeaweedFS uses
   * its `-dirListLimit` flag (default 100000) there.
   */
  limit: 100,
})

/**
 * One page of `dir`: `?limit=`, `?lastFileName=` (exclusive start), `?namePattern=` and
 * `?namePatternExclude=` (`*` / `?` wildcards). `ShouldDisplayLoadMore` is true when more
 * entries follow (Go lists limit+1 to find out).
 */
export function sendListing(
  filer: Filer,
  req: IncomingMessage,
  res: ServerResponse,
  dir: string,
  query: URLSearchParams,
): void {
  const path = normalizePath(dir)
  const parsed = Number.parseInt(query.get('limit') ?? '', 10)
  const limit = Number.isNaN(parsed) ? ListingDefaults.limit : parsed
  const include = wildcard(query.get('namePattern') ?? '')
  const exclude = wildcard(query.get('namePatternExclude') ?? '')
  let lastFileName = query.get('lastFileName') ?? ''
  const wanted = Math.max(0, limit) + 1
  const entries: Entry[] = []
  let cursor = lastFileName
  for (;;) {
    const page = filer.listEntries(path, { startFrom: cursor, inclusive: false, limit: 1024 })
    for (const entry of page) {
      const name = entry.name ?? ''
      if ((include && !include.test(name)) || (exclude && exclude.test(name))) continue
      entries.push(entry)
      if (entries.length >= wanted) break
    }
    if (entries.length >= wanted || page.length < 1024) break
    cursor = page[page.length - 1]!.name ?? ''
  }
  const shouldDisplayLoadMore = entries.length > Math.max(0, limit)
  const pageEntries = entries.slice(0, Math.max(0, limit))
  const last = pageEntries[pageEntries.length - 1]
  if (last) lastFileName = last.name ?? ''
  sendJson(req, res, 200, {
    Version: 'SeaSync embedded filer (SeaweedFS 4.44 compatible)',
    // Go prints the root as "" here.
    Path: path === '/' ? '' : path,
    Entries: pageEntries.map((e) => entryJson(joinPath(path, e.name ?? ''), e)),
    Limit: limit,
    LastFileName: lastFileName,
    ShouldDisplayLoadMore: shouldDisplayLoadMore,
    EmptyFolder: pageEntries.length === 0,
  })
}

/** A `*` / `?` wildcard as an anchored RegExp; '' → undefined (no filter). */
function wildcard(pattern: string): RegExp | undefined {
  if (pattern === '') return undefined
  const source = pattern
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.')
  return new RegExp(`^${source}$`, 's')
}
