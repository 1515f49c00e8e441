/** Your own API keys: create (the key is shown once), list, revoke. */
import { useState } from 'react'
import type { FormEvent } from 'react'
import { api } from '@labelport/core'
import type { ApiKey } from '@labelport/core'
import { useClient } from '../client-context.ts'
import { useAsync } from '../use-async.ts'
import { AsyncStatus, Empty, ErrorNotice, PageHeader, formatDate } from '../components/ui.tsx'

export function ApiKeysPage() {
  const client = useClient()
  const keys = useAsync(
    (signal) => client.all<ApiKey>(api.listApiKeys, {}, 10_000, signal),
    [client],
  )
  const [name, setName] = useState('')
  const [shown, setShown] = useState<string | null>(null)
  const [error, setError] = useState<Error | null>(null)

  const create = async (event: FormEvent) => {
    event.preventDefault()
    setError(null)
    try {
      const created = await client.send(api.createApiKey, {}, { name })
      setShown(created.key)
      setName('')
      keys.reload()
    } catch (e) {
      setError(e as Error)
    }
  }
  const revoke = async (key: ApiKey) => {
    if (
      !window.confirm(
        `Revoke the key "${key.name}" (${key.prefix}…)? Scripts using it stop at once.`,
      )
    )
      return
    setError(null)
    try {
      await client.send(api.revokeApiKey, { apiKeyId: key.id })
      keys.reload()
    } catch (e) {
      setError(e as Error)
    }
  }
  return (
    <div className="lp-page">
      <PageHeader
        title="API keys"
        meta="Keys for the SDK and the CLI. Each acts as you, with your role."
      />
      {error && <ErrorNotice error={error} />}
      {shown && (
        <div className="lp-notice lp-notice--ok" role="status" data-testid="new-key">
          <strong>Copy your new key now; it is not shown again:</strong>
          <code className="lp-mono" data-testid="new-key-value">
            {shown}
          </code>
        </div>
      )}
      <form className="lp-card lp-form-row" onSubmit={(e) => void create(e)}>
        <label className="lp-field">
          <span className="lp-field__label">Key name</span>
          <input
            className="lp-input"
            value={name}
            onChange={(e) => setName(e.target.value)}
            placeholder="laptop, CI…"
            required
          />
        </label>
        <button className="lp-button lp-button--primary" type="submit">
          Create key
        </button>
      </form>
      <AsyncStatus state={keys} what="keys" />
      {keys.data && keys.data.length === 0 && <Empty>No keys yet.</Empty>}
      {keys.data && keys.data.length > 0 && (
        <div className="lp-card lp-card--flush">
          <table className="lp-table" data-testid="keys-table">
            <thead>
              <tr>
                <th>Name</th>
                <th>Key</th>
                <th>Created</th>
                <th>State</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {keys.data.map((k) => (
                <tr key={k.id}>
                  <td className="lp-strong">{k.name}</td>
                  <td className="lp-mono">{k.prefix}…</td>
                  <td className="lp-muted lp-nowrap">{formatDate(k.createdAt)}</td>
                  <td>
                    {k.revokedAt ? (
                      <span className="lp-badge lp-badge--bad">
                        revoked {formatDate(k.revokedAt)}
                      </span>
                    ) : (
                      <span className="lp-badge lp-badge--ok">active</span>
                    )}
                  </td>
                  <td>
                    {!k.revokedAt && (
                      <button
                        type="button"
                        className="lp-button lp-button--small"
                        onClick={() => void revoke(k)}
                      >
                        Revoke {k.name}
                      </button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </div>
  )
}
