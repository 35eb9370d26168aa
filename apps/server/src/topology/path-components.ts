/**
 * Filer paths compared by components (PRODUCT.md, "Topology rules"): `/a` contains `/a/b` but not
 * `/ab`, and `/` contains every path.
 *
 * Normal form: a leading `/`, components joined by single `/`, no trailing `/`; empty, `.` and `..`
 * components are resolved as POSIX does for absolute paths (`..` at the root stays at the root).
 * A relative path is read from the root, so `a/b` is `/a/b` and the empty string is `/`.
 */

/** The root path, which contains every path. */
export const ROOT_PATH = '/'

/** The components of `path`: `'/a//b/./c/'` → `['a', 'b', 'c']`, `'/'` → `[]`. */
export function pathComponents(path: string): string[] {
  const components: string[] = []
  for (const component of path.split('/')) {
    if (component === '' || component === '.') continue
    if (component === '..') components.pop()
    else components.push(component)
  }
  return components
}

/** `path` in normal form: `'/a//b/'` → `'/a/b'`, `''` → `'/'`. Idempotent. */
export function normalizePath(path: string): string {
  return ROOT_PATH + pathComponents(path).join('/')
}

/** The parent of `path` in normal form (`'/a/b'` → `'/a'`, `'/a'` → `'/'`), or `undefined` for `/`. */
export function parentPath(path: string): string | undefined {
  const normal = normalizePath(path)
  if (normal === ROOT_PATH) return undefined
  const cut = normal.lastIndexOf('/')
  return cut === 0 ? ROOT_PATH : normal.slice(0, cut)
}

/**
 * Whether `ancestor` contains `path` by components. Every path contains itself; use
 * `contains(a, p) && normalizePath(a) !== normalizePath(p)` for strict containment.
 */
export function contains(ancestor: string, path: string): boolean {
  const outer = pathComponents(ancestor)
  const inner = pathComponents(path)
  return outer.length <= inner.length && outer.every((component, i) => component === inner[i])
}
