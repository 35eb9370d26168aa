/**
 * Filer path helpers with the semantics filer.sync relies on (protocol spec §6.2 step 3, §6.3):
 * SeaweedFS full paths are absolute and `/`-separated; scope tests work by path components, and
 * key mapping uses Go's `path.Join`. All functions are pure string manipulation.
 */

/** `path` without trailing slashes; `''` stays `''` (no path) and `'///'` becomes `'/'`. */
function trimTrailingSlashes(path: string): string {
  if (path === '') return ''
  const trimmed = path.replace(/\/+$/, '')
  return trimmed === '' ? '/' : trimmed
}

/**
 * Whether `path` is `root` or below it, comparing whole components: `/foo` contains `/foo/bar`
 * but not `/foobar`; `/` contains every path; an empty `path` or `root` contains / is contained
 * by nothing; trailing slashes are ignored.
 *
 * Mirrors Go `util.IsEqualOrUnder` (spec §6.2 step 3, §12.1; field notes §3 item 41). The server's
 * `path_prefix` filter is a raw string prefix, so the client must re-check with this.
 */
export function isEqualOrUnder(path: string, root: string): boolean {
  const p = trimTrailingSlashes(path)
  const r = trimTrailingSlashes(root)
  if (p === '' || r === '') return false
  if (r === '/') return true
  return p === r || p.startsWith(`${r}/`)
}

/**
 * `dir` joined with `name`, root-aware and without cleaning: `/` + `a` → `/a`, `/x` + `a` → `/x/a`,
 * `/x/` + `a` → `/x/a`, `''` + `a` → `/a`. A leading `/` on `name` is dropped.
 *
 * Mirrors Go `util.FullPath(dir).Child(name)`, which builds the source keys of an event
 * (`oldKey = directory + "/" + old.name`, spec §6.1).
 */
export function joinPath(dir: string, name: string): string {
  const child = name.startsWith('/') ? name.slice(1) : name
  return dir.endsWith('/') ? `${dir}${child}` : `${dir}/${child}`
}

/**
 * Go `path.Clean`: collapses repeated `/`, removes `.` elements, resolves `..` against the
 * preceding element (a rooted path cannot climb above `/`), and drops a trailing `/`.
 * The empty string becomes `.`.
 */
export function cleanPath(path: string): string {
  if (path === '') return '.'
  const rooted = path.startsWith('/')
  const out: string[] = []
  for (const element of path.split('/')) {
    if (element === '' || element === '.') continue
    if (element === '..') {
      if (out.length > 0 && out[out.length - 1] !== '..') out.pop()
      else if (!rooted) out.push('..')
      continue
    }
    out.push(element)
  }
  const joined = out.join('/')
  if (rooted) return `/${joined}`
  return joined === '' ? '.' : joined
}

/**
 * Go `path.Join`: joins the non-empty parts with `/` and cleans the result ({@link cleanPath});
 * returns `''` when every part is empty. `cleanJoin('/backup', '')` → `/backup`,
 * `cleanJoin('/', 'a/')` → `/a`, `cleanJoin('/t', 'a//b')` → `/t/a/b`.
 *
 * Target keys are built with it (spec §6.3: "collapses `//`, drops trailing `/`").
 */
export function cleanJoin(...parts: string[]): string {
  const nonEmpty = parts.filter((part) => part !== '')
  if (nonEmpty.length === 0) return ''
  return cleanPath(nonEmpty.join('/'))
}

/**
 * Split a full path into its parent directory and base name, as a filer request wants them
 * (`directory` + `name`): `/a/b` → `{ parent: '/a', name: 'b' }`, `/a` → `{ parent: '/', name: 'a' }`,
 * `/` and `''` → `{ parent: '/', name: '' }`. Trailing slashes are ignored; a path without any `/`
 * is taken as a name under `/`.
 */
export function parentAndName(path: string): { parent: string; name: string } {
  const p = trimTrailingSlashes(path)
  if (p === '' || p === '/') return { parent: '/', name: '' }
  const slash = p.lastIndexOf('/')
  if (slash < 0) return { parent: '/', name: p }
  return { parent: slash === 0 ? '/' : p.slice(0, slash), name: p.slice(slash + 1) }
}
