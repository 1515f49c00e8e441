/** Sign in with an API key; it is checked against GET /v1/me and kept in sessionStorage only. */
import { useState } from 'react'
import type { FormEvent } from 'react'
import { api } from '@labelport/core'
import type { WhoAmI } from '@labelport/core'
import { ApiClient, ApiError } from '../api-client.ts'

export function SignInPage({
  notice,
  onSignedIn,
}: {
  notice: string | null
  onSignedIn: (apiKey: string, who: WhoAmI) => void
}) {
  const [apiKey, setApiKey] = useState('')
  const [error, setError] = useState<string | null>(null)
  const [busy, setBusy] = useState(false)
  const submit = async (event: FormEvent) => {
    event.preventDefault()
    const key = apiKey.trim()
    if (!key) return
    setBusy(true)
    setError(null)
    try {
      const who = await new ApiClient(key, () => undefined).json(api.whoAmI)
      onSignedIn(key, who)
    } catch (e) {
      setError(
        e instanceof ApiError && e.status === 401
          ? 'This API key is not valid.'
          : e instanceof Error
            ? e.message
            : String(e),
      )
    } finally {
      setBusy(false)
    }
  }
  return (
    <div className="lp-signin">
      <form className="lp-signin__card" onSubmit={(e) => void submit(e)} data-testid="sign-in">
        <div className="lp-brand lp-brand--large">
          <span className="lp-brand__mark" aria-hidden />
          Labelport
        </div>
        <p className="lp-muted">
          See every imported annotation on its image, and every failed one with its reason.
        </p>
        {notice && <div className="lp-notice lp-notice--warn">{notice}</div>}
        <label className="lp-field">
          <span className="lp-field__label">API key</span>
          <input
            className="lp-input"
            type="password"
            autoComplete="off"
            autoFocus
            value={apiKey}
            onChange={(e) => setApiKey(e.target.value)}
            placeholder="lp_…"
            name="apiKey"
            data-testid="api-key-input"
          />
          <span className="lp-field__hint">
            Kept in this tab only (sessionStorage); closing the tab signs you out.
          </span>
        </label>
        {error && (
          <div className="lp-notice lp-notice--error" role="alert">
            {error}
          </div>
        )}
        <button
          className="lp-button lp-button--primary"
          type="submit"
          disabled={busy || !apiKey.trim()}
          data-testid="sign-in-submit"
        >
          {busy ? 'Checking…' : 'Sign in'}
        </button>
      </form>
    </div>
  )
}
