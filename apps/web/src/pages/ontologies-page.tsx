/** Every ontology, with a way to build a new one. */
import { api } from '@labelport/core'
import type { OntologyResource } from '@labelport/core'
import { useClient, useIsAdmin } from '../client-context.ts'
import { useAsync } from '../use-async.ts'
import { href } from '../router.ts'
import { AsyncStatus, Empty, PageHeader, formatDate } from '../components/ui.tsx'

export function OntologiesPage() {
  const client = useClient()
  const isAdmin = useIsAdmin()
  const ontologies = useAsync(
    (signal) => client.all<OntologyResource>(api.listOntologies, {}, 10_000, signal),
    [client],
  )
  return (
    <div className="lp-page">
      <PageHeader
        title="Ontologies"
        meta="What can be drawn and asked in a project."
        actions={
          isAdmin && (
            <a className="lp-button lp-button--primary" href={href.ontology('new')}>
              New ontology
            </a>
          )
        }
      />
      <AsyncStatus state={ontologies} what="ontologies" />
      {ontologies.data && ontologies.data.length === 0 && <Empty>No ontologies yet.</Empty>}
      {ontologies.data && ontologies.data.length > 0 && (
        <div className="lp-card lp-card--flush">
          <table className="lp-table" data-testid="ontologies-table">
            <thead>
              <tr>
                <th>Name</th>
                <th>Created</th>
              </tr>
            </thead>
            <tbody>
              {ontologies.data.map((o) => (
                <tr key={o.id}>
                  <td>
                    <a className="lp-strong" href={href.ontology(o.id)}>
                      {o.name}
                    </a>
                    <div className="lp-mono lp-muted lp-small">{o.id}</div>
                  </td>
                  <td className="lp-muted lp-nowrap">{formatDate(o.createdAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </div>
  )
}
