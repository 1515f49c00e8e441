/** Small shared pieces: page header, loading and error states, badges, numbers. */
import type { ReactNode } from 'react'
import type { ImportJob } from '@labelport/core'
import { ApiError } from '../api-client.ts'
import type { AsyncState } from '../use-async.ts'

export function PageHeader({
  crumbs,
  title,
  meta,
  actions,
}: {
  crumbs?: { label: string; href?: string }[]
  title: ReactNode
  meta?: ReactNode
  actions?: ReactNode
}) {
  return (
    <header className="lp-page-header">
      {crumbs && crumbs.length > 0 && (
        <nav className="lp-crumbs" aria-label="Breadcrumb">
          {crumbs.map((c, i) => (
            <span key={i}>
              {c.href ? <a href={c.href}>{c.label}</a> : c.label}
              <span className="lp-crumbs__sep">/</span>
            </span>
          ))}
        </nav>
      )}
      <div className="lp-page-header__row">
        <div>
          <h1 className="lp-page-title">{title}</h1>
          {meta && <div className="lp-page-meta">{meta}</div>}
        </div>
        {actions && <div className="lp-page-actions">{actions}</div>}
      </div>
    </header>
  )
}

export function Loading({ what }: { what: string }) {
  return (
    <div className="lp-loading" role="status">
      <span className="lp-spinner" /> Loading {what}…
    </div>
  )
}

export function ErrorNotice({ error, onRetry }: { error: Error; onRetry?: () => void }) {
  return (
    <div className="lp-notice lp-notice--error" role="alert" data-testid="error-notice">
      <strong>{error instanceof ApiError ? error.code : 'Something went wrong'}</strong>
      <span>{error.message}</span>
      {onRetry && (
        <button type="button" className="lp-button lp-button--small" onClick={onRetry}>
          Retry
        </button>
      )}
    </div>
  )
}

/** What a list shows before it has data: its error (with Retry) or a loading line. */
export function AsyncStatus({
  state,
  what,
}: {
  state: AsyncState<unknown> & { reload: () => void }
  what: string
}) {
  if (state.status === 'error') return <ErrorNotice error={state.error} onRetry={state.reload} />
  if (state.status === 'loading' && state.data === undefined) return <Loading what={what} />
  return null
}

export function Empty({ children }: { children: ReactNode }) {
  return <div className="lp-empty">{children}</div>
}

export function StateBadge({ state }: { state: ImportJob['state'] }) {
  const tone =
    state === 'FINISHED'
      ? 'ok'
      : state === 'FAILED'
        ? 'bad'
        : state === 'CANCELLED'
          ? 'neutral'
          : 'busy'
  return (
    <span className={`lp-badge lp-badge--${tone}`} data-testid="import-state">
      {state === 'RUNNING' && <span className="lp-pulse" />}
      {state}
    </span>
  )
}

export function KindBadge({ kind, dryRun }: { kind: ImportJob['kind']; dryRun?: boolean }) {
  return (
    <span className={`lp-badge lp-badge--${kind === 'mal' ? 'mal' : 'gt'}`}>
      {kind === 'mal' ? 'MAL pre-labels' : 'Ground truth'}
      {dryRun ? ' · dry run' : ''}
    </span>
  )
}

export const formatNumber = (n: number) => n.toLocaleString('en-US')

export function formatDate(iso: string | null): string {
  if (!iso) return '—'
  const d = new Date(iso)
  return Number.isNaN(d.getTime())
    ? iso
    : d.toLocaleString('en-GB', {
        year: 'numeric',
        month: 'short',
        day: '2-digit',
        hour: '2-digit',
        minute: '2-digit',
      })
}

/** `['answer', 0, 'name']` → `answer[0].name` */
export function formatIssuePath(path: readonly (string | number)[] | undefined): string {
  if (!path || path.length === 0) return '—'
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? p : `.${p}`)).join('')
}
