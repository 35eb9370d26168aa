import type { EdgeStatus } from '@seasync/server/api-types'
import { useMutation, useQueryClient } from '@tanstack/react-query'
import { useState } from 'react'
import { api } from '../../api/endpoints'
import { errorMessage } from '../../api/http'
import { Dialog } from '../../components/Dialog'
import { useNotify } from '../../components/Toasts'
import { formatDateTime, nsToMs } from '../../lib/format'
import { queryKeys } from '../../queries/keys'
import { useEdgeCheckpoints } from '../../queries/useEdgeCheckpoints'
import { checkpointWarning, fromLocalInput, toLocalInput } from './checkpoint-warning'

interface Props {
  readonly edgeId: string
  readonly status: EdgeStatus | undefined
  readonly paused: boolean
  /** Direction → `A → B` by names. */
  readonly names: Readonly<Record<'a-b' | 'b-a', string>>
  readonly onClose: () => void
}

/**
 * `PUT /edges/:id/checkpoints` (like `weed filer.sync -a.fromTsMs`): pick a direction and a time;
 * the dialog says what will replay or be skipped before anything is saved. Paused edges only.
 */
export function CheckpointDialog({ edgeId, status, paused, names, onClose }: Props) {
  const client = useQueryClient()
  const notify = useNotify()
  const checkpoints = useEdgeCheckpoints(edgeId, true)
  const directions = status?.directions.map((d) => d.direction) ?? ['a-b']
  const [direction, setDirection] = useState<'a-b' | 'b-a'>(directions[0] ?? 'a-b')
  const [value, setValue] = useState(() => toLocalInput(Date.now() - 3_600_000))
  const stored = checkpoints.data?.checkpoints.find((c) => c.direction === direction)
  const currentMs = stored === undefined ? null : nsToMs(stored.checkpointNs)
  const chosenMs = fromLocalInput(value)
  const d = status?.directions.find((x) => x.direction === direction)
  const warning =
    chosenMs === null
      ? undefined
      : checkpointWarning(
          currentMs,
          chosenMs,
          d?.sourceCluster ?? 'the source',
          d?.targetCluster ?? 'the target',
        )
  const save = useMutation({
    mutationFn: () => api.setCheckpoint(edgeId, { direction, fromTsMs: chosenMs ?? 0 }),
    onSuccess: () => {
      notify(`Checkpoint of ${names[direction]} set to ${formatDateTime(chosenMs ?? 0)}`)
      void client.invalidateQueries({ queryKey: queryKeys.checkpoints(edgeId) })
      onClose()
    },
  })
  return (
    <Dialog title="Set checkpoint" onClose={onClose}>
      <form
        onSubmit={(e) => {
          e.preventDefault()
          if (chosenMs !== null && paused) save.mutate()
        }}
      >
        {!paused && (
          <p className="form-warning" role="note">
            The edge must be paused first: pause it, set the checkpoint, then resume.
          </p>
        )}
        <label className="field">
          <span>Direction</span>
          <select value={direction} onChange={(e) => setDirection(e.target.value as 'a-b' | 'b-a')}>
            {directions.map((dir) => (
              <option key={dir} value={dir}>
                {names[dir]}
              </option>
            ))}
          </select>
        </label>
        <p className="muted">
          Current checkpoint:{' '}
          {checkpoints.isPending
            ? 'reading…'
            : checkpoints.error !== null
              ? `unknown (${errorMessage(checkpoints.error)})`
              : currentMs === null
                ? 'none'
                : formatDateTime(currentMs)}
        </p>
        <label className="field">
          <span>Resume from (local time)</span>
          <input
            type="datetime-local"
            step={1}
            value={value}
            onChange={(e) => setValue(e.target.value)}
            required
          />
        </label>
        {warning !== undefined && (
          <p className={`form-warning ${warning.kind}`} data-testid="checkpoint-warning">
            {warning.text}
          </p>
        )}
        {save.error !== null && (
          <div className="form-error" role="alert">
            {errorMessage(save.error)}
          </div>
        )}
        <div className="actions">
          <button type="button" onClick={onClose}>
            Cancel
          </button>
          <button
            type="submit"
            className="danger"
            disabled={!paused || chosenMs === null || save.isPending}
          >
            Set checkpoint
          </button>
        </div>
      </form>
    </Dialog>
  )
}
