/**
 * The API token, when the server requires one: kept in `sessionStorage` (gone with the tab, never
 * in `localStorage`), plus a tiny store of "the server asked for a token" that the shell
 * subscribes to (`useSyncExternalStore`), so any 401 anywhere opens the one token prompt.
 */
const STORAGE_KEY = 'seasync.apiToken'

type Listener = () => void
const listeners = new Set<Listener>()
let tokenRequired = false

function storage(): Storage | undefined {
  try {
    return globalThis.sessionStorage
  } catch {
    return undefined // storage disabled (privacy settings): the token lives for this page only
  }
}
let memoryToken: string | undefined

/** The token to send, if one was given. */
export function getToken(): string | undefined {
  const store = storage()
  return store === undefined ? memoryToken : (store.getItem(STORAGE_KEY) ?? undefined)
}

/** Keeps `token` for this tab and clears the "token required" flag. */
export function setToken(token: string): void {
  memoryToken = token
  storage()?.setItem(STORAGE_KEY, token)
  tokenRequired = false
  emit()
}

/** Forgets the token (e.g. the server refused it). */
export function clearToken(): void {
  memoryToken = undefined
  storage()?.removeItem(STORAGE_KEY)
  emit()
}

/** Called on every 401: the shell shows the token prompt. */
export function markTokenRequired(): void {
  if (tokenRequired) return
  tokenRequired = true
  emit()
}

export function isTokenRequired(): boolean {
  return tokenRequired
}

/** Subscribes to token changes and 401s; returns the unsubscribe function. */
export function subscribeToken(listener: Listener): () => void {
  listeners.add(listener)
  return () => listeners.delete(listener)
}

function emit(): void {
  for (const listener of [...listeners]) listener()
}
