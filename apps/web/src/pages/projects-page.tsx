/** Every project of the organization. */
import { api } from '@labelport/core'
import type { Project } from '@labelport/core'
import { useClient } from '../client-context.ts'
import { useAsync } from '../use-async.ts'
import { href } from '../router.ts'
import { AsyncStatus, Empty, PageHeader, formatDate, formatNumber } from '../components/ui.tsx'

export function ProjectsPage() {
  const client = useClient()
  const projects = useAsync(
    (signal) => client.all<Project>(api.listProjects, {}, 10_000, signal),
    [client],
  )
  return (
    <div className="lp-page">
      <PageHeader
        title="Projects"
        meta="Projects connect an ontology to batches of data rows; imports add pre-labels and ground truth to them."
      />
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
