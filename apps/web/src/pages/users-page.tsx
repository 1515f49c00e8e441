/** Admins add members and change their roles. */
import { useState } from 'react'
import type { FormEvent } from 'react'
import { api, ROLES } from '@labelport/core'
import type { Role, User } from '@labelport/core'
import { useClient, useIsAdmin } from '../client-context.ts'
import { useAsync } from '../use-async.ts'
import { AsyncStatus, ErrorNotice, PageHeader, formatDate } from '../components/ui.tsx'

export function UsersPage() {
  const client = useClient()
  const isAdmin = useIsAdmin()
  const users = useAsync((signal) => client.all<User>(api.listUsers, {}, 10_000, signal), [client])
  const [email, setEmail] = useState('')
  const [name, setName] = useState('')
  const [role, setRole] = useState<Role>('labeler')
  const [password, setPassword] = useState('')
  const [error, setError] = useState<Error | null>(null)
  const [saved, setSaved] = useState<string | null>(null)

  if (!isAdmin)
    return (
      <div className="lp-page">
        <PageHeader title="Users" />
        <ErrorNotice error={new Error('Only admins manage the members of the organization.')} />
      </div>
    )

  const add = async (event: FormEvent) => {
    event.preventDefault()
    setError(null)
    try {
      const user = await client.send(api.createUser, {}, { email, name, role, password })
      setSaved(`Added ${user.email} as ${user.role}.`)
      setEmail('')
      setName('')
      setPassword('')
      users.reload()
    } catch (e) {
      setError(e as Error)
    }
  }
  const changeRole = async (user: User, next: Role) => {
    setError(null)
    try {
      await client.send(api.updateUser, { userId: user.id }, { role: next })
      setSaved(`${user.email} is now ${next}.`)
      users.reload()
    } catch (e) {
      setError(e as Error)
    }
  }
  return (
    <div className="lp-page">
      <PageHeader
        title="Users"
        meta="Admins manage everything; reviewers also import; labelers see and label."
      />
      {error && <ErrorNotice error={error} />}
      {saved && (
        <div className="lp-notice lp-notice--ok" role="status">
          {saved}
        </div>
      )}
      <form className="lp-card lp-form-row" onSubmit={(e) => void add(e)} data-testid="add-user">
        <label className="lp-field">
          <span className="lp-field__label">Email</span>
          <input
            className="lp-input"
            type="email"
            value={email}
            onChange={(e) => setEmail(e.target.value)}
            required
          />
        </label>
        <label className="lp-field">
          <span className="lp-field__label">Name</span>
          <input
            className="lp-input"
            value={name}
            onChange={(e) => setName(e.target.value)}
            required
          />
        </label>
        <label className="lp-field">
          <span className="lp-field__label">Role</span>
          <select
            className="lp-input"
            value={role}
            onChange={(e) => setRole(e.target.value as Role)}
          >
            {ROLES.map((r) => (
              <option key={r}>{r}</option>
            ))}
          </select>
        </label>
        <label className="lp-field">
          <span className="lp-field__label">Initial password</span>
          <input
            className="lp-input"
            type="password"
            autoComplete="new-password"
            value={password}
            onChange={(e) => setPassword(e.target.value)}
            minLength={12}
            required
          />
        </label>
        <button className="lp-button lp-button--primary" type="submit">
          Add user
        </button>
      </form>
      <AsyncStatus state={users} what="users" />
      {users.data && (
        <div className="lp-card lp-card--flush">
          <table className="lp-table" data-testid="users-table">
            <thead>
              <tr>
                <th>Name</th>
                <th>Email</th>
                <th>Role</th>
                <th>Added</th>
              </tr>
            </thead>
            <tbody>
              {users.data.map((u) => (
                <tr key={u.id}>
                  <td className="lp-strong">{u.name}</td>
                  <td>{u.email}</td>
                  <td>
                    <select
                      className="lp-input lp-input--small"
                      aria-label={`Role of ${u.email}`}
                      value={u.role}
                      onChange={(e) => void changeRole(u, e.target.value as Role)}
                    >
                      {ROLES.map((r) => (
                        <option key={r}>{r}</option>
                      ))}
                    </select>
                  </td>
                  <td className="lp-muted lp-nowrap">{formatDate(u.createdAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </div>
  )
}
