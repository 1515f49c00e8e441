/** Every project of the organization. */
import { useState } from 'react'
import type { FormEvent } from 'react'
import { api } from '@labelport/core'
import type { Project, ProjectDataRow } from '@labelport/core'
import { useClient, useIsAdmin } from '../client-context.ts'
import { useAsync } from '../use-async.ts'
import { href } from '../router.ts'
import {
  AsyncStatus,
  Empty,
  ErrorNotice,
  PageHeader,
  formatDate,
  formatNumber,
} from '../components/ui.tsx'

export function ProjectsPage() {
  const client = useClient()
  const projects = useAsync(
    (signal) => client.all<Project>(api.listProjects, {}, 10_000, signal),
    [client],
  )
  const isAdmin = useIsAdmin()
  const [name, setName] = useState('')
  const [error, setError] = useState<Error | null>(null)
  const create = async (event: FormEvent) => {
    event.preventDefault()
    setError(null)
    try {
      const created = await client.send(api.createProject, {}, { name: name.trim() })
      window.location.hash = href.project(created.id, 'ontology')
    } catch (e) {
      setError(e as Error)
    }
  }
  return (
    <div className="lp-page">
      {error && <ErrorNotice error={error} />}
      <PageHeader
        title="Projects"
        meta="Projects connect an ontology to batches of data rows; imports add pre-labels and ground truth to them."
      />
      {isAdmin && (
        <form className="lp-card lp-form-row" onSubmit={(e) => void create(e)}>
          <label className="lp-field lp-grow">
            <span className="lp-field__label">New project name</span>
            <input className="lp-input" value={name} onChange={(e) => setName(e.target.value)} />
          </label>
          <button className="lp-button lp-button--primary" type="submit" disabled={!name.trim()}>
            Create project
          </button>
        </form>
      )}
      <AsyncStatus state={projects} what="projects" />
      {projects.data && projects.data.length === 0 && (
        <Empty>
          No projects yet. Create one with the SDK or the CLI, then import annotations into it.
        </Empty>
      )}
      {projects.data && projects.data.length > 0 && (
        <div className="lp-card lp-card--flush">
          <table className="lp-table" data-testid="projects-table">
            <thead>
              <tr>
                <th>Name</th>
                <th>Description</th>
                <th className="lp-num">Data rows</th>
                <th>Ontology</th>
                <th>Progress</th>
                <th>Created</th>
              </tr>
            </thead>
            <tbody>
              {projects.data.map((p) => (
                <tr
                  key={p.id}
                  className="lp-row-link"
                  onClick={() => (window.location.hash = href.project(p.id))}
                >
                  <td>
                    <a href={href.project(p.id)} className="lp-strong" data-testid="project-link">
                      {p.name}
                    </a>
                    <div className="lp-mono lp-muted lp-small">{p.id}</div>
                  </td>
                  <td className="lp-muted">{p.description || '—'}</td>
                  <td className="lp-num">{formatNumber(p.dataRowCount)}</td>
                  <td>
                    {p.ontologyId ? (
                      <span className="lp-badge lp-badge--neutral">connected</span>
                    ) : (
                      <span className="lp-muted">none</span>
                    )}
                  </td>
                  <td>
                    <ProjectProgress projectId={p.id} total={p.dataRowCount} />
                  </td>
                  <td className="lp-muted lp-nowrap">{formatDate(p.createdAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </div>
  )
}

/** Data rows of the project that carry a label or a pre-label, of all its data rows. */
function ProjectProgress({ projectId, total }: { projectId: string; total: number }) {
  const client = useClient()
  const rows = useAsync(
    (signal) => client.all<ProjectDataRow>(api.listProjectDataRows, { projectId }, 100_000, signal),
    [client, projectId],
  )
  if (!rows.data) return <span className="lp-muted">…</span>
  const labeled = rows.data.filter((r) => r.labelCount > 0).length
  const prelabeled = rows.data.filter((r) => r.labelCount === 0 && r.prelabelCount > 0).length
  const percent = total === 0 ? 0 : Math.round((100 * labeled) / total)
  return (
    <span data-testid="project-progress" title={`${prelabeled} more with pre-labels only`}>
      <progress max={Math.max(total, 1)} value={labeled} aria-label="Labeled data rows" /> {labeled}
      /{total} labeled ({percent} %)
    </span>
  )
}
