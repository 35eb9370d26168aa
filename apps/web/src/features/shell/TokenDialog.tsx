import { useState } from 'react'
import { setToken } from '../../api/token'
import { Dialog } from '../../components/Dialog'

/**
 * Shown when the server answered 401: asks for the API token, keeps it in `sessionStorage` and
 * lets every query run again (`onConnected`).
 */
export function TokenDialog({
  onConnected,
  hadToken,
}: {
  readonly onConnected: () => void
  readonly hadToken: boolean
}) {
  const [value, setValue] = useState('')
  return (
    <Dialog title="API token" onClose={() => undefined} modalOnly>
      <form
        onSubmit={(event) => {
          event.preventDefault()
          if (value.trim() === '') return
          setToken(value.trim())
          onConnected()
        }}
      >
        <p>
          {hadToken
            ? 'The server refused the token. Enter a valid one.'
            : 'This SeaSync server requires an API token (SEASYNC_API_TOKEN).'}{' '}
          It is kept for this browser tab only.
        </p>
        <label className="field">
          <span>API token</span>
          <input
            type="password"
            autoComplete="current-password"
            value={value}
            onChange={(e) => setValue(e.target.value)}
            required
          />
        </label>
        <div className="actions">
          <button type="submit" className="primary">
            Connect
          </button>
        </div>
      </form>
    </Dialog>
  )
}
