import { useMutation, useQueryClient } from '@tanstack/react-query'
import { api } from '../../api/endpoints'
import { errorMessage } from '../../api/http'
import { useNotify } from '../../components/Toasts'
import { formatDateTime, nsToMs } from '../../lib/format'
import { queryKeys } from '../../queries/keys'
import { useEdgeFailures } from '../../queries/useEdgeFailures'

/** Failed events holding an edge's watermark back, with retry (one or all) and skip. */
export function FailuresList({
  edgeId,
  names,
}: {
  readonly edgeId: string
  readonly names: Readonly<Record<string, string>>
}) {
  const client = useQueryClient()
  const notify = useNotify()
  const failures = useEdgeFailures(edgeId)
  const refresh = () => client.invalidateQueries({ queryKey: queryKeys.failures(edgeId) })
  const action = useMutation({
    mutationFn: (a: { kind: 'retry' | 'skip' | 'retry-all'; fid?: string }) =>
      a.kind === 'retry-all'
        ? api.retryAll(edgeId)
        : a.kind === 'retry'
          ? api.retryFailure(edgeId, a.fid ?? '')
          : api.skipFailure(edgeId, a.fid ?? ''),
    onSuccess: (result, a) => {
      notify(
        a.kind === 'skip'
          ? `Skipped ${result.count} event(s): they will not be applied`
          : `Retrying ${result.count} event(s) now`,
      )
      return refresh()
    },
    onError: (e) => notify(errorMessage(e), 'error'),
  })
  const list = failures.data?.failures ?? []
  return (
    <section className="failures" aria-labelledby={`failures-${edgeId}`}>
      <div className="section-head">
        <h3 id={`failures-${edgeId}`}>
          Failed events {list.length > 0 && <span className="count bad">{list.length}</span>}
        </h3>
        <button
          type="button"
          disabled={list.length === 0 || action.isPending}
          onClick={() => action.mutate({ kind: 'retry-all' })}
        >
          Retry all
        </button>
      </div>
      {failures.error !== null && (
        <p className="form-error">Could not load failures: {errorMessage(failures.error)}</p>
      )}
      {list.length === 0 ? (
        <p className="muted">
          {failures.isPending ? 'Loading…' : 'None: nothing holds the watermark back.'}
        </p>
      ) : (
        <ul className="failure-list" aria-label="Failed events">
          {list.map((f) => {
            const at = nsToMs(f.tsNs)
            return (
              <li key={f.id}>
                <div className="failure-main">
                  <span className="mono">{f.operation}</span>{' '}
                  <span className="mono path">{f.path}</span>
                  <div className="muted">
                    {names[f.direction] ?? f.direction} · {f.code} · {f.attempts} attempt(s)
                    {at !== null && ` · event ${formatDateTime(at)}`} · next retry{' '}
                    {formatDateTime(Date.parse(f.nextRetryAt))}
                  </div>
                  <div className="failure-message">{f.message}</div>
                </div>
                <div className="failure-actions">
                  <button
                    type="button"
                    disabled={action.isPending}
                    onClick={() => action.mutate({ kind: 'retry', fid: f.id })}
                  >
                    Retry
                  </button>
                  <button
                    type="button"
                    className="danger-outline"
                    disabled={action.isPending}
                    title="Give up on this event: the watermark moves past it and it is never applied"
                    onClick={() => action.mutate({ kind: 'skip', fid: f.id })}
                  >
                    Skip
                  </button>
                </div>
              </li>
            )
          })}
        </ul>
      )}
    </section>
  )
}
