/**
 * Sign in with email and password (a session cookie the page never sees), or with an API key for
 * scripts and tests (checked against GET /v1/me and kept in sessionStorage only).
 */
import { useState } from 'react'
import type { FormEvent } from 'react'
import { api } from '@labelport/core'
import type { WhoAmI } from '@labelport/core'
import { ApiClient, ApiError } from '../api-client.ts'

export type SignedIn = { kind: 'key'; key: string } | { kind: 'session' }

function describe(e: unknown, unauthorized: string): string {
  if (e instanceof ApiError && (e.status === 401 || e.code === 'invalid_credentials'))
    return unauthorized
  if (e instanceof ApiError && e.code === 'too_many_requests') return e.message
  return e instanceof Error ? e.message : String(e)
}

export function SignInPage({
  notice,
  onSignedIn,
}: {
  notice: string | null
  onSignedIn: (signedIn: SignedIn, who: WhoAmI) => void
}) {
  const [email, setEmail] = useState('')
  const [password, setPassword] = useState('')
  const [apiKey, setApiKey] = useState('')
  const [error, setError] = useState<string | null>(null)
  const [busy, setBusy] = useState(false)

  const withPassword = async (event: FormEvent) => {
    event.preventDefault()
    setBusy(true)
    setError(null)
    try {
      const client = new ApiClient(null, () => undefined)
      await client.send(api.signIn, {}, { email: email.trim(), password })
      onSignedIn({ kind: 'session' }, await client.json(api.whoAmI))
    } catch (e) {
      setError(describe(e, 'This email and password do not match.'))
    } finally {
      setBusy(false)
    }
  }
  const withKey = async (event: FormEvent) => {
    event.preventDefault()
    const key = apiKey.trim()
    if (!key) return
    setBusy(true)
    setError(null)
    try {
      const who = await new ApiClient(key, () => undefined).json(api.whoAmI)
      onSignedIn({ kind: 'key', key }, who)
    } catch (e) {
      setError(describe(e, 'This API key is not valid.'))
    } finally {
      setBusy(false)
    }
  }
  return (
    <div className="lp-signin">
      <div className="lp-signin__card">
        <div className="lp-brand lp-brand--large">
          <span className="lp-brand__mark" aria-hidden />
          Labelport
        </div>
        <p className="lp-muted">
          See every imported annotation on its image, and every failed one with its reason.
        </p>
        {notice && <div className="lp-notice lp-notice--warn">{notice}</div>}
        {error && (
          <div className="lp-notice lp-notice--error" role="alert">
            {error}
          </div>
        )}
        <form onSubmit={(e) => void withPassword(e)} data-testid="sign-in-password">
          <label className="lp-field">
            <span className="lp-field__label">Email</span>
            <input
              className="lp-input"
              type="email"
              autoComplete="username"
              autoFocus
              value={email}
              onChange={(e) => setEmail(e.target.value)}
              name="email"
              data-testid="email-input"
            />
          </label>
          <label className="lp-field">
            <span className="lp-field__label">Password</span>
            <input
              className="lp-input"
              type="password"
              autoComplete="current-password"
              value={password}
              onChange={(e) => setPassword(e.target.value)}
              name="password"
              data-testid="password-input"
            />
          </label>
          <button
            className="lp-button lp-button--primary"
            type="submit"
            disabled={busy || !email.trim() || !password}
            data-testid="password-sign-in-submit"
          >
            {busy ? 'Signing in…' : 'Sign in'}
          </button>
        </form>
        <form className="lp-signin__alt" onSubmit={(e) => void withKey(e)} data-testid="sign-in">
          <label className="lp-field">
            <span className="lp-field__label">API key</span>
            <input
              className="lp-input"
              type="password"
              autoComplete="off"
              value={apiKey}
              onChange={(e) => setApiKey(e.target.value)}
              placeholder="lp_…"
              name="apiKey"
              data-testid="api-key-input"
            />
            <span className="lp-field__hint">
              For scripts and tests. Kept in this tab only (sessionStorage); closing the tab signs
              you out.
            </span>
          </label>
          <button
            className="lp-button"
            type="submit"
            disabled={busy || !apiKey.trim()}
            data-testid="sign-in-submit"
          >
            {busy ? 'Checking…' : 'Sign in with the API key'}
          </button>
        </form>
      </div>
    </div>
  )
}
