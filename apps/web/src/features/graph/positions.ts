/**
 * Remembered node positions, by cluster id, in `localStorage` (per browser; nothing on the
 * server). A node the user moved stays where it was put across reloads and topology changes.
 */
export interface Position {
  readonly x: number
  readonly y: number
}

export interface PositionStore {
  load(): Record<string, Position>
  save(positions: Readonly<Record<string, Position>>): void
}

const KEY = 'seasync.graph.positions.v1'

/** The browser's store; a no-op when `localStorage` is unavailable or holds garbage. */
export function localPositionStore(
  storage: Storage | undefined = safeLocalStorage(),
): PositionStore {
  return {
    load() {
      try {
        const parsed = JSON.parse(storage?.getItem(KEY) ?? '{}') as unknown
        if (typeof parsed !== 'object' || parsed === null) return {}
        const out: Record<string, Position> = {}
        for (const [id, value] of Object.entries(parsed as Record<string, unknown>)) {
          const p = value as Partial<Position> | null
          if (p !== null && Number.isFinite(p.x) && Number.isFinite(p.y)) {
            out[id] = { x: p.x as number, y: p.y as number }
          }
        }
        return out
      } catch {
        return {}
      }
    },
    save(positions) {
      try {
        storage?.setItem(KEY, JSON.stringify(positions))
      } catch {
        // quota or privacy mode: positions live for this page only
      }
    },
  }
}

function safeLocalStorage(): Storage | undefined {
  try {
    return globalThis.localStorage
  } catch {
    return undefined
  }
}

/** A store in memory (tests, or no storage). */
export function memoryPositionStore(initial: Record<string, Position> = {}): PositionStore {
  let saved = { ...initial }
  return {
    load: () => ({ ...saved }),
    save(positions) {
      saved = { ...positions }
    },
  }
}
