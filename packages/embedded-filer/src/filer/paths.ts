/**
 * Filer path helpers with SeaweedFS's `util.FullPath` semantics: absolute, `/`-separated, no
 * trailing slash except the root itself.
 */

/** `dir` joined with `name` (`/` + `a` → `/a`, `/x/` + `a` → `/x/a`); empty name → `dir`. */
export function joinPath(dir: string, name: string): string {
  const base = dir === '' ? '/' : dir.endsWith('/') && dir !== '/' ? dir.replace(/\/+$/, '') : dir
  if (name === '') return base
  return base === '/' ? `/${name}` : `${base}/${name}`
}

/** Split a full path into its parent directory and base name; `/` → `['/', '']`. */
export function splitPath(fullPath: string): [dir: string, name: string] {
  const p = normalizePath(fullPath)
  if (p === '/') return ['/', '']
  const slash = p.lastIndexOf('/')
  return [slash === 0 ? '/' : p.slice(0, slash), p.slice(slash + 1)]
}

/** Absolute path without duplicate or trailing slashes (`a//b/` → `/a/b`). */
export function normalizePath(path: string): string {
  const parts = path.split('/').filter((part) => part !== '')
  return `/${parts.join('/')}`
}

/** Ancestors of `dir` from the first level down, excluding `/` (`/a/b` → `['/a', '/a/b']`). */
export function pathChain(dir: string): string[] {
  const parts = normalizePath(dir)
    .split('/')
    .filter((part) => part !== '')
  return parts.map((_, i) => `/${parts.slice(0, i + 1).join('/')}`)
}

/** Whether `path` is `ancestor` or below it, by components (`/a` contains `/a/b`, not `/ab`). */
export function isEqualOrUnder(path: string, ancestor: string): boolean {
  const p = normalizePath(path)
  const a = normalizePath(ancestor)
  return a === '/' || p === a || p.startsWith(`${a}/`)
}
