import { useId, type ReactElement, cloneElement, type ReactNode } from 'react'

interface Props {
  readonly label: string
  readonly error?: string | undefined
  readonly hint?: ReactNode
  /** One input, select or textarea; it gets the id, `aria-invalid` and `aria-describedby`. */
  readonly children: ReactElement<Record<string, unknown>>
  readonly className?: string
}

/** A labelled form control with its hint and error, wired for assistive technology. */
export function Field({ label, error, hint, children, className }: Props) {
  const id = useId()
  const hintId = `${id}-hint`
  const errorId = `${id}-error`
  const describedBy = [hint !== undefined ? hintId : '', error !== undefined ? errorId : '']
    .filter(Boolean)
    .join(' ')
  return (
    <div className={`field${className === undefined ? '' : ` ${className}`}`}>
      <label htmlFor={id}>{label}</label>
      {cloneElement(children, {
        id,
        'aria-invalid': error !== undefined ? true : undefined,
        'aria-describedby': describedBy === '' ? undefined : describedBy,
      })}
      {hint !== undefined && (
        <span id={hintId} className="hint">
          {hint}
        </span>
      )}
      {error !== undefined && (
        <span id={errorId} className="field-error">
          {error}
        </span>
      )}
    </div>
  )
}
