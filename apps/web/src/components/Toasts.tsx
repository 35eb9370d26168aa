import {
  createContext,
  useCallback,
  useContext,
  useMemo,
  useRef,
  useState,
  type ReactNode,
} from 'react'

interface Toast {
  readonly id: number
  readonly text: string
  readonly tone: 'info' | 'error'
}

const ToastContext = createContext<(text: string, tone?: Toast['tone']) => void>(() => undefined)

/** Short confirmations ("Edge paused") in a polite live region; they fade after 6 s. */
export function ToastProvider({ children }: { readonly children: ReactNode }) {
  const [toasts, setToasts] = useState<Toast[]>([])
  const next = useRef(1)
  const notify = useCallback((text: string, tone: Toast['tone'] = 'info') => {
    const id = next.current++
    setToasts((list) => [...list.slice(-3), { id, text, tone }])
    setTimeout(() => setToasts((list) => list.filter((t) => t.id !== id)), 6000)
  }, [])
  const value = useMemo(() => notify, [notify])
  return (
    <ToastContext.Provider value={value}>
      {children}
      <div className="toasts" role="status" aria-live="polite">
        {toasts.map((t) => (
          <div key={t.id} className={`toast ${t.tone}`}>
            {t.text}
          </div>
        ))}
      </div>
    </ToastContext.Provider>
  )
}

/** `notify(text, tone?)`: show a toast. */
export function useNotify() {
  return useContext(ToastContext)
}
