import { useQuery } from '@tanstack/react-query'
import { useState } from 'react'
import { errorMessage } from '../../api/http'
import { Dialog } from '../../components/Dialog'
import { topologyQueryOptions } from '../../queries/useTopology'
import { serializeDocument, toDocument, type DocumentFormat } from './topology-document'

/** The whole topology as a declarative JSON or YAML document, to download or copy. */
export function ExportDialog({ onClose }: { readonly onClose: () => void }) {
  const topology = useQuery({ ...topologyQueryOptions(), staleTime: 0 })
  const [format, setFormat] = useState<DocumentFormat>('yaml')
  const [copied, setCopied] = useState(false)
  const text =
    topology.data === undefined ? '' : serializeDocument(toDocument(topology.data), format)
  const download = () => {
    const blob = new Blob([text], {
      type: format === 'json' ? 'application/json' : 'application/yaml',
    })
    const url = URL.createObjectURL(blob)
    const link = document.createElement('a')
    link.href = url
    link.download = `seasync-topology.${format === 'json' ? 'json' : 'yaml'}`
    link.click()
    setTimeout(() => URL.revokeObjectURL(url), 1000)
  }
  return (
    <Dialog title="Export topology" onClose={onClose} wide>
      <p className="muted">
        The server&apos;s declarative format: <span className="mono">PUT /api/v1/topology</span> (or
        “Import topology”) makes a server hold exactly this. From a shell:{' '}
        <span className="mono">
          curl -X PUT -H &apos;content-type: application/yaml&apos; --data-binary
          @seasync-topology.yaml http://&lt;server&gt;/api/v1/topology
        </span>{' '}
        (with <span className="mono">-H &apos;authorization: Bearer …&apos;</span> when the server
        has a token).
      </p>
      <label className="field inline">
        <span>Format</span>
        <select value={format} onChange={(e) => setFormat(e.target.value as DocumentFormat)}>
          <option value="yaml">YAML</option>
          <option value="json">JSON</option>
        </select>
      </label>
      {topology.error !== null && (
        <div className="form-error" role="alert">
          {errorMessage(topology.error)}
        </div>
      )}
      <label className="field">
        <span>Topology document</span>
        <textarea className="mono doc" readOnly rows={16} value={text} />
      </label>
      <div className="actions">
        <button
          type="button"
          disabled={text === ''}
          onClick={() => {
            void navigator.clipboard?.writeText(text).then(() => setCopied(true))
          }}
        >
          {copied ? 'Copied' : 'Copy'}
        </button>
        <button type="button" className="primary" disabled={text === ''} onClick={download}>
          Download
        </button>
        <button type="button" onClick={onClose}>
          Close
        </button>
      </div>
    </Dialog>
  )
}
