import type { TopologyGraph, ValidateRequest } from '@seasync/server/api-types'
import { useQueryClient } from '@tanstack/react-query'
import { useState } from 'react'
import { api } from '../../api/endpoints'
import { errorMessage } from '../../api/http'
import { Dialog } from '../../components/Dialog'
import { Field } from '../../components/Field'
import { useNotify } from '../../components/Toasts'
import { queryKeys } from '../../queries/keys'
import type { LoopHighlight } from '../graph/graph-model'
import { edgeTitle } from '../shell/names'
import {
  edgeValues,
  emptyEdgeValues,
  loopHighlight,
  toEdgeBody,
  toEdgePatch,
  type EdgeFormValues,
  type FieldErrors,
  type SideOptionValues,
} from './edge-form-model'

interface Props {
  readonly topology: TopologyGraph
  /** Edit this edge; absent: add one. */
  readonly edgeId: string | undefined
  readonly initialA: string | undefined
  readonly initialB: string | undefined
  readonly onLoop: (loop: LoopHighlight | undefined) => void
  readonly onClose: () => void
  readonly onSaved: (edgeId: string) => void
}

/**
 * Add or edit an edge. Save first asks the server for a dry run (`POST /topology/validate`): a
 * refusal (a loop, an unknown cluster, bad paths) shows the server's words, a loop is marked in
 * the graph, and nothing is stored; only a valid change is then saved.
 */
export function EdgeForm({
  topology,
  edgeId,
  initialA,
  initialB,
  onLoop,
  onClose,
  onSaved,
}: Props) {
  const client = useQueryClient()
  const notify = useNotify()
  const edge = edgeId === undefined ? undefined : topology.edges.find((e) => e.id === edgeId)
  const [values, setValues] = useState<EdgeFormValues>(() =>
    edge !== undefined ? edgeValues(edge) : emptyEdgeValues(initialA ?? '', initialB ?? ''),
  )
  const [errors, setErrors] = useState<FieldErrors>({})
  const [refusal, setRefusal] = useState<string | undefined>()
  const [busy, setBusy] = useState(false)
  const set = <K extends keyof EdgeFormValues>(key: K, value: EdgeFormValues[K]) =>
    setValues((v) => ({ ...v, [key]: value }))
  const setSide = (side: 'sideA' | 'sideB', key: keyof SideOptionValues, value: string) =>
    setValues((v) => ({ ...v, [side]: { ...v[side], [key]: value } }))

  const save = async () => {
    const parsed = toEdgeBody(values)
    setErrors(parsed.errors)
    setRefusal(undefined)
    if (Object.keys(parsed.errors).length > 0) {
      setRefusal('Check the highlighted fields.')
      return
    }
    const patch = edge === undefined ? undefined : toEdgePatch(edge, parsed.body)
    if (edge !== undefined && patch === undefined) {
      onClose()
      return
    }
    const request: ValidateRequest =
      edge === undefined
        ? { edges: { add: [{ ...parsed.body, ...(values.paused && { paused: true }) }] } }
        : { edges: { update: [{ id: edge.id, ...patch }] } }
    setBusy(true)
    try {
      const verdict = await api.validate(request)
      if (!verdict.valid) {
        const proposedId = edge?.id ?? verdict.plan?.edges.added[0] ?? 'proposed'
        onLoop(
          loopHighlight(verdict, {
            id: proposedId,
            source: parsed.body.a.cluster,
            target: parsed.body.b.cluster,
          }),
        )
        setRefusal(
          verdict.error?.message ?? verdict.description ?? 'The server refused this change.',
        )
        return
      }
      onLoop(undefined)
      const saved =
        edge === undefined
          ? await api.createEdge({ ...parsed.body, ...(values.paused && { paused: true }) })
          : await api.updateEdge(edge.id, patch ?? {})
      await client.invalidateQueries({ queryKey: queryKeys.topology() })
      notify(`Edge ${edgeTitle(topology, saved)} ${edge === undefined ? 'added' : 'saved'}`)
      onSaved(saved.id)
      onClose()
    } catch (error) {
      setRefusal(errorMessage(error))
    } finally {
      setBusy(false)
    }
  }

  const clusterOptions = [
    <option key="" value="">
      Pick a cluster…
    </option>,
    ...topology.clusters.map((c) => (
      <option key={c.id} value={c.id}>
        {c.name}
      </option>
    )),
  ]

  return (
    <Dialog title={edge === undefined ? 'Add edge' : 'Edit edge'} onClose={onClose} wide>
      <form
        noValidate
        onSubmit={(e) => {
          e.preventDefault()
          void save()
        }}
      >
        <div className="sides">
          <fieldset>
            <legend>Side A</legend>
            <Field label="Cluster A" error={errors['Cluster A']}>
              <select value={values.clusterA} onChange={(e) => set('clusterA', e.target.value)}>
                {clusterOptions}
              </select>
            </Field>
            <Field label="Path A" error={errors['Path A']}>
              <input
                className="mono"
                value={values.pathA}
                onChange={(e) => set('pathA', e.target.value)}
              />
            </Field>
            <Field
              label="Excludes A"
              error={errors['Excludes A']}
              hint="Folders inside Path A, comma- or line-separated"
            >
              <textarea
                className="mono"
                rows={2}
                value={values.excludesA}
                onChange={(e) => set('excludesA', e.target.value)}
              />
            </Field>
          </fieldset>
          <fieldset>
            <legend>Side B</legend>
            <Field label="Cluster B" error={errors['Cluster B']}>
              <select value={values.clusterB} onChange={(e) => set('clusterB', e.target.value)}>
                {clusterOptions}
              </select>
            </Field>
            <Field label="Path B" error={errors['Path B']}>
              <input
                className="mono"
                value={values.pathB}
                onChange={(e) => set('pathB', e.target.value)}
              />
            </Field>
            <Field
              label="Excludes B"
              error={errors['Excludes B']}
              hint="Folders inside Path B, comma- or line-separated"
            >
              <textarea
                className="mono"
                rows={2}
                value={values.excludesB}
                onChange={(e) => set('excludesB', e.target.value)}
              />
            </Field>
          </fieldset>
        </div>
        <Field
          label="Mode"
          hint={
            values.mode === 'one-way'
              ? 'A → B only (weed filer.sync -isActivePassive)'
              : 'Both directions'
          }
        >
          <select
            value={values.mode}
            onChange={(e) => set('mode', e.target.value as EdgeFormValues['mode'])}
          >
            <option value="active-active">active-active</option>
            <option value="one-way">one-way</option>
          </select>
        </Field>
        <details className="advanced">
          <summary>Options</summary>
          <div className="grid-2">
            <Field
              label="Concurrency"
              error={errors['Concurrency']}
              hint="Events applied in parallel (default 32)"
            >
              <input
                inputMode="numeric"
                value={values.concurrency}
                onChange={(e) => set('concurrency', e.target.value)}
              />
            </Field>
            <Field
              label="Chunk concurrency"
              error={errors['Chunk concurrency']}
              hint="Chunks copied in parallel (default 32)"
            >
              <input
                inputMode="numeric"
                value={values.chunkConcurrency}
                onChange={(e) => set('chunkConcurrency', e.target.value)}
              />
            </Field>
          </div>
          <label className="check">
            <input
              type="checkbox"
              checked={values.doDeleteFiles}
              onChange={(e) => set('doDeleteFiles', e.target.checked)}
            />
            Propagate deletes
          </label>
          {edge === undefined && (
            <label className="check">
              <input
                type="checkbox"
                checked={values.paused}
                onChange={(e) => set('paused', e.target.checked)}
              />
              Create paused
            </label>
          )}
          <div className="sides">
            {(['sideA', 'sideB'] as const).map((side) => {
              const s = side === 'sideA' ? 'A' : 'B'
              const v = values[side]
              return (
                <fieldset key={side}>
                  <legend>Writing to {s}</legend>
                  <Field label={`Filer proxy ${s}`}>
                    <select
                      value={v.filerProxy}
                      onChange={(e) => setSide(side, 'filerProxy', e.target.value)}
                    >
                      <option value="">cluster default</option>
                      <option value="true">through the filer</option>
                      <option value="false">volume servers</option>
                    </select>
                  </Field>
                  <Field label={`Replication ${s}`} error={errors[`Replication ${s}`]}>
                    <input
                      value={v.replication}
                      placeholder="e.g. 001"
                      onChange={(e) => setSide(side, 'replication', e.target.value)}
                    />
                  </Field>
                  <Field label={`Collection ${s}`}>
                    <input
                      value={v.collection}
                      onChange={(e) => setSide(side, 'collection', e.target.value)}
                    />
                  </Field>
                  <Field label={`TTL ${s} (s)`} error={errors[`TTL ${s}`]}>
                    <input
                      inputMode="numeric"
                      value={v.ttlSec}
                      onChange={(e) => setSide(side, 'ttlSec', e.target.value)}
                    />
                  </Field>
                  <Field label={`Disk type ${s}`}>
                    <input
                      value={v.diskType}
                      placeholder="e.g. ssd"
                      onChange={(e) => setSide(side, 'diskType', e.target.value)}
                    />
                  </Field>
                </fieldset>
              )
            })}
          </div>
        </details>
        {refusal !== undefined && (
          <div className="form-error" role="alert">
            {refusal}
          </div>
        )}
        <div className="actions">
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
