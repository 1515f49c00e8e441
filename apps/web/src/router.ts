/** Hash routing: `#/projects/<id>`, `#/projects/<id>/data-rows/<id>`, `#/imports/<id>`, `#/datasets/<id>`, `#/evaluations/<id>`. */
import { useEffect, useState } from 'react'

export type Route =
  | { page: 'projects' }
  | {
      page: 'project'
      projectId: string
      tab: string
      /** the data-row grid filtered by labeling status (`?status=submitted`) */
      status: string | null
    }
  | {
      page: 'data-row'
      projectId: string
      dataRowId: string
      importId: string | null
      line: number | null
      /** `?edit=1` opens the editor on a labeled row, `?view=1` the read-only view */
      mode: 'edit' | 'view' | null
    }
  | { page: 'import'; importId: string }
  | { page: 'evaluation'; evaluationId: string; cell: { gt: string; pred: string } | null }
  | { page: 'evaluation-row'; evaluationId: string; dataRowId: string }
  | { page: 'datasets' }
  | { page: 'dataset'; datasetId: string }
  | { page: 'users' }
  | { page: 'api-keys' }
  | { page: 'ontologies' }
  /** `new` for a new ontology */
  | { page: 'ontology'; ontologyId: string }
  /** the labeling queue: opens the next data row to label */
  | { page: 'label'; projectId: string }
  /** the review queue: the next submitted label, approve or reject */
  | { page: 'review'; projectId: string }
  /** the HTTP API reference (OpenAPI) */
  | { page: 'api' }
  | { page: 'not-found'; hash: string }

export function parseRoute(hash: string): Route {
  const [pathPart = '', queryPart = ''] = hash.replace(/^#/, '').split('?')
  const parts = pathPart.split('/').filter(Boolean).map(decodeURIComponent)
  const query = new URLSearchParams(queryPart)
  const [a, b, c, d] = parts
  if (parts.length === 0 || (a === 'projects' && parts.length === 1)) return { page: 'projects' }
  if (a === 'projects' && b && parts.length === 2)
    return {
      page: 'project',
      projectId: b,
      tab: query.get('tab') ?? 'data-rows',
      status: query.get('status'),
    }
  if (a === 'projects' && b && c === 'data-rows' && d && parts.length === 4) {
    const line = query.get('line')
    return {
      page: 'data-row',
      projectId: b,
      dataRowId: d,
      importId: query.get('import'),
      line: line ? Number(line) : null,
      mode: query.get('edit') ? 'edit' : query.get('view') ? 'view' : null,
    }
  }
  if (a === 'imports' && b && parts.length === 2) return { page: 'import', importId: b }
  if (a === 'evaluations' && b && parts.length === 2) {
    const gt = query.get('gt')
    const pred = query.get('pred')
    return { page: 'evaluation', evaluationId: b, cell: gt && pred ? { gt, pred } : null }
  }
  if (a === 'evaluations' && b && c === 'data-rows' && d && parts.length === 4)
    return { page: 'evaluation-row', evaluationId: b, dataRowId: d }
  if (a === 'datasets' && parts.length === 1) return { page: 'datasets' }
  if (a === 'datasets' && b && parts.length === 2) return { page: 'dataset', datasetId: b }
  if (a === 'users' && parts.length === 1) return { page: 'users' }
  if (a === 'api-keys' && parts.length === 1) return { page: 'api-keys' }
  if (a === 'ontologies' && parts.length === 1) return { page: 'ontologies' }
  if (a === 'ontologies' && b && parts.length === 2) return { page: 'ontology', ontologyId: b }
  if (a === 'projects' && b && c === 'label' && parts.length === 3)
    return { page: 'label', projectId: b }
  if (a === 'projects' && b && c === 'review' && parts.length === 3)
    return { page: 'review', projectId: b }
  if (a === 'api' && parts.length === 1) return { page: 'api' }
  return { page: 'not-found', hash }
}

export const href = {
  projects: () => '#/projects',
  project: (projectId: string, tab?: string) =>
    `#/projects/${encodeURIComponent(projectId)}${tab ? `?tab=${tab}` : ''}`,
  /** the project's data rows in one labeling status */
  projectRows: (projectId: string, status: string) =>
    `#/projects/${encodeURIComponent(projectId)}?tab=data-rows&status=${encodeURIComponent(status)}`,
  dataRow: (projectId: string, dataRowId: string, failure?: { importId: string; line: number }) =>
    `#/projects/${encodeURIComponent(projectId)}/data-rows/${encodeURIComponent(dataRowId)}${failure ? `?import=${encodeURIComponent(failure.importId)}&line=${failure.line}` : ''}`,
  label: (projectId: string) => `#/projects/${encodeURIComponent(projectId)}/label`,
  review: (projectId: string) => `#/projects/${encodeURIComponent(projectId)}/review`,
  importJob: (importId: string) => `#/imports/${encodeURIComponent(importId)}`,
  evaluation: (evaluationId: string, cell?: { gt: string; pred: string }) =>
    `#/evaluations/${encodeURIComponent(evaluationId)}${cell ? `?gt=${encodeURIComponent(cell.gt)}&pred=${encodeURIComponent(cell.pred)}` : ''}`,
  evaluationRow: (evaluationId: string, dataRowId: string) =>
    `#/evaluations/${encodeURIComponent(evaluationId)}/data-rows/${encodeURIComponent(dataRowId)}`,
  datasets: () => '#/datasets',
  dataset: (datasetId: string) => `#/datasets/${encodeURIComponent(datasetId)}`,
  users: () => '#/users',
  apiKeys: () => '#/api-keys',
  ontologies: () => '#/ontologies',
  ontology: (ontologyId: string) => `#/ontologies/${encodeURIComponent(ontologyId)}`,
  apiReference: () => '#/api',
}

export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(window.location.hash))
  useEffect(() => {
    const onChange = () => setRoute(parseRoute(window.location.hash))
    window.addEventListener('hashchange', onChange)
    return () => window.removeEventListener('hashchange', onChange)
  }, [])
  return route
}
