import type { ValidateResponse } from '@seasync/server/api-types'
import { useQueryClient } from '@tanstack/react-query'
import { useState } from 'react'
import { api } from '../../api/endpoints'
import { errorMessage } from '../../api/http'
import { Dialog } from '../../components/Dialog'
import { useNotify } from '../../components/Toasts'
import { queryKeys } from '../../queries/keys'
import { describePlan, parseDocument } from './topology-document'

/**
 * Replace the whole topology with a JSON or YAML document: checked first (a dry run shows what
 * it would add, change, remove, start and stop, or why it is refused), applied only on "Apply".
 */
export function ImportDialog({ onClose }: { readonly onClose: () => void }) {
  const client = useQueryClient()
  const notify = useNotify()
  const [text, setText] = useState('')
  const [checked, setChecked] = useState<{ text: string; verdict: ValidateResponse } | undefined>()
  const [error, setError] = useState<string | undefined>()
  const [busy, setBusy] = useState(false)

  const check = async (): Promise<ValidateResponse | undefined> => {
    setError(undefined)
    const parsed = parseDocument(text)
    if (!parsed.ok) {
      setError(parsed.error)
      return undefined
    }
    setBusy(true)
    try {
      const verdict = await api.validate({ topology: parsed.document })
      setChecked({ text, verdict })
      if (!verdict.valid)
        setError(
          verdict.error?.message ?? verdict.description ?? 'The server refused this topology.',
        )
      return verdict
    } catch (e) {
      setError(errorMessage(e))
      return undefined
    } finally {
      setBusy(false)
    }
  }

  const apply = async () => {
    const parsed = parseDocument(text)
    if (!parsed.ok) {
      setError(parsed.error)
      return
    }
    setBusy(true)
    try {
      const result = await api.applyTopology(parsed.document)
      await client.invalidateQueries({ queryKey: queryKeys.topology() })
      notify(`Topology imported: ${describePlan(result.plan).join('; ')}`)
      onClose()
    } catch (e) {
      setError(errorMessage(e))
    } finally {
      setBusy(false)
    }
  }

  const current = checked !== undefined && checked.text === text ? checked.verdict : undefined
  return (
    <Dialog title="Import topology" onClose={onClose} wide>
      <p className="muted">
        A document in the server&apos;s declarative format (what “Export topology” writes), JSON or
        YAML. Clusters and edges are matched by id;{' '}
        <strong>whatever the document does not declare is removed.</strong>
      </p>
      <label className="field">
        <span>Topology file</span>
        <input
          type="file"
          accept=".json,.yaml,.yml,application/json,application/yaml,text/yaml"
          onChange={(e) => {
            const file = e.target.files?.[0]
            if (file !== undefined) void file.text().then((t) => setText(t))
          }}
        />
      </label>
      <label className="field">
        <span>Topology document</span>
        <textarea
          className="mono doc"
          rows={14}
          value={text}
          onChange={(e) => setText(e.target.value)}
          spellCheck={false}
        />
      </label>
      {current !== undefined && current.plan !== undefined && (
        <div className={current.valid ? 'form-ok' : 'form-warning'}>
          <strong>{current.valid ? 'Valid. Applying it will:' : 'It would have:'}</strong>
          <ul>
            {describePlan(current.plan).map((line) => (
              <li key={line}>{line}</li>
            ))}
          </ul>
        </div>
      )}
      {error !== undefined && (
        <div className="form-error" role="alert">
          {error}
        </div>
      )}
      <div className="actions">
        <button type="button" onClick={onClose}>
          Cancel
        </button>
        <button type="button" disabled={busy || text.trim() === ''} onClick={() => void check()}>
          Check
        </button>
        <button
          type="button"
          className="primary"
          disabled={busy || current?.valid !== true}
          onClick={() => void apply()}
        >
          Apply
        </button>
      </div>
    </Dialog>
  )
}
