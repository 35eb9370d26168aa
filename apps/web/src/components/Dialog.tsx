import { useEffect, useId, useRef, type ReactNode } from 'react'

interface Props {
  /** The dialog's accessible name and visible title. */
  readonly title: string
  readonly onClose: () => void
  readonly children: ReactNode
  readonly wide?: boolean
  /** Escape and the backdrop do not close it (e.g. the token prompt). */
  readonly modalOnly?: boolean
}

const FOCUSABLE =
  'a[href], button:not([disabled]), input:not([disabled]), select:not([disabled]), textarea:not([disabled]), [tabindex]:not([tabindex="-1"])'

/**
 * A modal dialog: `role="dialog"` named by its title, focus moved inside on open (the first
 * field, else the first control), kept inside with Tab, given back to the opener on close;
 * Escape closes.
 */
export function Dialog({ title, onClose, children, wide, modalOnly }: Props) {
  const titleId = useId()
  const ref = useRef<HTMLDivElement>(null)
  const onCloseRef = useRef(onClose)
  onCloseRef.current = onClose

  useEffect(() => {
    const opener = document.activeElement as HTMLElement | null
    const box = ref.current
    const first =
      box?.querySelector<HTMLElement>('input:not([type=hidden]), select, textarea') ??
      box?.querySelector<HTMLElement>(FOCUSABLE)
    first?.focus()
    return () => {
      if (opener !== null && document.contains(opener)) opener.focus()
    }
  }, [])

  const onKeyDown = (event: React.KeyboardEvent) => {
    if (event.key === 'Escape' && modalOnly !== true) {
      event.stopPropagation()
      onCloseRef.current()
      return
    }
    if (event.key !== 'Tab' || ref.current === null) return
    const items = [...ref.current.querySelectorAll<HTMLElement>(FOCUSABLE)]
    const first = items[0]
    const last = items[items.length - 1]
    if (first === undefined || last === undefined) return
    if (event.shiftKey && document.activeElement === first) {
      event.preventDefault()
      last.focus()
    } else if (!event.shiftKey && document.activeElement === last) {
      event.preventDefault()
      first.focus()
    }
  }

  return (
    <div
      className="backdrop"
      onMouseDown={(e) => {
        if (e.target === e.currentTarget && modalOnly !== true) onClose()
      }}
    >
      <div
        ref={ref}
        className={`dialog${wide === true ? ' wide' : ''}`}
        role="dialog"
        aria-modal="true"
        aria-labelledby={titleId}
        onKeyDown={onKeyDown}
      >
        <h2 id={titleId} className="dialog-title">
          {title}
        </h2>
        {children}
      </div>
    </div>
  )
}
