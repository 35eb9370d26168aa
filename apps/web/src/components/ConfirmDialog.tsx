import { useState, type ReactNode } from 'react'
import { errorMessage } from '../api/http'
import { Dialog } from './Dialog'

interface Props {
  readonly title: string
  readonly children: ReactNode
  readonly confirmLabel: string
  readonly onConfirm: () => Promise<unknown>
  readonly onClose: () => void
  readonly danger?: boolean
}

/** "Are you sure?" with the action's own label; shows the server's refusal and stays open. */
export function ConfirmDialog({
  title,
  children,
  confirmLabel,
  onConfirm,
  onClose,
  danger,
}: Props) {
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<string | undefined>()
  return (
    <Dialog title={title} onClose={onClose}>
      <div className="dialog-body">{children}</div>
      {error !== undefined && (
        <div className="form-error" role="alert">
          {error}
        </div>
      )}
      <div className="actions">
        <button type="button" onClick={onClose}>
          Cancel
        </button>
        <button
          type="button"
          className={danger === true ? 'danger' : 'primary'}
          disabled={busy}
          onClick={() => {
            setBusy(true)
            setError(undefined)
            onConfirm().then(onClose, (e: unknown) => {
              setBusy(false)
              setError(errorMessage(e))
            })
          }}
        >
          {confirmLabel}
        </button>
      </div>
    </Dialog>
  )
}
