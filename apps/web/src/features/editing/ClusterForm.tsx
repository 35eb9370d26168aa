import type { TopologyGraph } from '@seasync/server/api-types'
import { useQueryClient } from '@tanstack/react-query'
import { useState } from 'react'
import { api } from '../../api/endpoints'
import { ApiError, errorMessage } from '../../api/http'
import { Dialog } from '../../components/Dialog'
import { Field } from '../../components/Field'
import { useNotify } from '../../components/Toasts'
import { queryKeys } from '../../queries/keys'
import {
  checkClusterValues,
  probeResults,
  toClusterCreate,
  toClusterPatch,
  type ClusterFormValues,
} from './cluster-form-model'

interface Props {
  readonly topology: TopologyGraph
  /** Edit this cluster; absent: add one. */
  readonly clusterId?: string
  readonly onClose: () => void
  readonly onSaved: (clusterId: string) => void
}

type Outcome = { readonly kind: 'refused'; readonly error: unknown } | { readonly kind: 'probe-ok' }

/**
 * Add or edit a cluster. The server probes every new address (`GetFilerConfiguration`): a refusal
 * shows per address what answered and what did not, and the dialog stays open. "Test
 * connection" runs the same probe as a dry run (`POST /topology/validate`) without saving.
 */
export function ClusterForm({ topology, clusterId, onClose, onSaved }: Props) {
  const client = useQueryClient()
  const notify = useNotify()
  const cluster =
    clusterId === undefined ? undefined : topology.clusters.find((c) => c.id === clusterId)
  const [values, setValues] = useState<ClusterFormValues>({
    name: cluster?.name ?? '',
    addresses: cluster?.addresses.join('\n') ?? '',
    filerProxy: cluster?.filerProxy ?? false,
  })
  const [errors, setErrors] = useState<ReturnType<typeof checkClusterValues>>({})
  const [outcome, setOutcome] = useState<Outcome | undefined>()
  const [busy, setBusy] = useState(false)

  const run = async (dryRun: boolean) => {
    const found = checkClusterValues(values)
    setErrors(found)
    setOutcome(undefined)
    if (Object.keys(found).length > 0) return
    const patch = cluster === undefined ? undefined : toClusterPatch(cluster, values)
    if (cluster !== undefined && patch === undefined && !dryRun) {
      onClose()
      return
    }
    setBusy(true)
    try {
      if (dryRun) {
        const verdict = await api.validate(
          cluster === undefined
            ? { clusters: { add: [toClusterCreate(values)] } }
            : { clusters: { update: [{ id: cluster.id, ...(patch ?? { name: cluster.name }) }] } },
        )
        if (verdict.valid) setOutcome({ kind: 'probe-ok' })
        else {
          const e = verdict.error
          setOutcome({
            kind: 'refused',
            error: new ApiError(409, e?.code ?? 'REFUSED', e?.message ?? 'Refused', e?.details),
          })
        }
        return
      }
      const saved =
        cluster === undefined
          ? await api.createCluster(toClusterCreate(values))
          : await api.updateCluster(cluster.id, patch ?? {})
      await client.invalidateQueries({ queryKey: queryKeys.topology() })
      notify(
        `Cluster ${saved.name} ${cluster === undefined ? 'added' : 'saved'}` +
          (saved.signature === null ? '' : `: every filer answered, signature ${saved.signature}`),
      )
      onSaved(saved.id)
      onClose()
    } catch (error) {
      setOutcome({ kind: 'refused', error })
    } finally {
      setBusy(false)
    }
  }

  const probe =
    outcome?.kind === 'refused' && outcome.error instanceof ApiError
      ? probeResults(outcome.error.details)
      : undefined

  return (
    <Dialog title={cluster === undefined ? 'Add cluster' : 'Edit cluster'} onClose={onClose}>
      <form
        noValidate
        onSubmit={(e) => {
          e.preventDefault()
          void run(false)
        }}
      >
        <Field label="Name" error={errors.Name}>
          <input
            value={values.name}
            onChange={(e) => setValues({ ...values, name: e.target.value })}
            autoComplete="off"
          />
        </Field>
        <Field
          label="Filer addresses"
          error={errors['Filer addresses']}
          hint="One host:port per line, as weed filer.sync -a takes it (gRPC port: host:port.grpcPort, default port + 10000). Every address must reach the same filer store."
        >
          <textarea
            className="mono"
            rows={3}
            value={values.addresses}
            placeholder="10.0.0.1:8888"
            onChange={(e) => setValues({ ...values, addresses: e.target.value })}
          />
        </Field>
        <label className="check">
          <input
            type="checkbox"
            checked={values.filerProxy}
            onChange={(e) => setValues({ ...values, filerProxy: e.target.checked })}
          />
          Move chunks through the filer (filer proxy) by default
        </label>
        {outcome?.kind === 'probe-ok' && (
          <p className="form-ok" role="status">
            Every address answered the probe with one signature: this cluster can be saved.
          </p>
        )}
        {outcome?.kind === 'refused' && (
          <div className="form-error" role="alert">
            <p>{errorMessage(outcome.error)}</p>
            {probe !== undefined && probe.addresses.length > 0 && (
              <ul className="probe-list">
                {probe.addresses.map((a) => (
                  <li key={a.address}>
                    <span className="mono">{a.address}</span>:{' '}
                    {a.reachable
                      ? `answered${a.signature === undefined ? '' : `, signature ${a.signature}`}`
                      : `no answer${a.error === undefined ? '' : ` (${a.error})`}`}
                  </li>
                ))}
              </ul>
            )}
          </div>
        )}
        <div className="actions">
          <button type="button" onClick={() => void run(true)} disabled={busy}>
            Test connection
          </button>
          <span className="spacer" />
          <button type="button" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" className="primary" disabled={busy}>
            Save
          </button>
        </div>
      </form>
    </Dialog>
  )
}
