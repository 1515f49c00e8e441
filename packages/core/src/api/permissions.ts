/**
 * The one permission table: which roles may call each endpoint of the contract. The server's route
 * binding consults it before anything else; docs/api.md renders it (generated, checked by a test);
 * the matrix test calls every endpoint as every role and from another organization.
 * Resources of another organization are never visible: an allowed call on one answers 404.
 */
import type { Role } from './entities.ts'
import { api, type Endpoint, type EndpointName } from './endpoints.ts'

export const ROLES: readonly Role[] = ['admin', 'reviewer', 'labeler']

export interface Permission {
  /** `public`: no credentials needed */
  roles: 'public' | readonly Role[]
  /** a further rule the handler applies, shown in the docs */
  note?: string
}

const EVERYONE: readonly Role[] = ['admin', 'reviewer', 'labeler']
const IMPORTERS: readonly Role[] = ['admin', 'reviewer']
const ADMIN: readonly Role[] = ['admin']
const REVIEWERS: readonly Role[] = ['admin', 'reviewer']

export const PERMISSIONS: Record<EndpointName, Permission> = {
  health: { roles: 'public' },
  whoAmI: { roles: EVERYONE },
  signIn: { roles: 'public', note: 'failed attempts are throttled per email and per address' },
  signOut: { roles: EVERYONE },
  listUsers: { roles: ADMIN },
  createUser: { roles: ADMIN },
  updateUser: { roles: ADMIN, note: 'the last admin cannot lose the role' },
  listApiKeys: { roles: EVERYONE, note: 'only your own keys' },
  createApiKey: { roles: EVERYONE, note: 'the key acts as you, with your role' },
  revokeApiKey: { roles: EVERYONE, note: "your own keys; admins also other members' keys" },
  createOrganization: {
    roles: ADMIN,
    note: 'admins of the first (default) organization only: they run the server',
  },
  listAuditEvents: { roles: ADMIN },
  createUpload: { roles: IMPORTERS },
  createDataset: { roles: ADMIN },
  listDatasets: { roles: EVERYONE },
  getDataset: { roles: EVERYONE },
  deleteDataset: { roles: ADMIN },
  createDataRows: { roles: ADMIN },
  listDataRows: { roles: EVERYONE },
  getDataRow: { roles: EVERYONE },
  getDataRowImage: { roles: EVERYONE },
  getTask: { roles: EVERYONE },
  createOntology: { roles: ADMIN },
  listOntologies: { roles: EVERYONE },
  getOntology: { roles: EVERYONE },
  updateOntology: { roles: ADMIN, note: 'removing a feature with annotations: 409 feature_in_use' },
  createProject: { roles: ADMIN },
  listProjects: { roles: EVERYONE },
  getProject: { roles: EVERYONE },
  deleteProject: { roles: ADMIN },
  connectOntology: { roles: ADMIN },
  createBatch: { roles: ADMIN },
  listBatches: { roles: EVERYONE },
  createImport: { roles: IMPORTERS },
  validateImport: { roles: IMPORTERS },
  listImports: { roles: EVERYONE },
  getImport: { roles: EVERYONE },
  getImportStatuses: { roles: EVERYONE },
  getImportInput: { roles: EVERYONE },
  exportProject: { roles: IMPORTERS },
  listProjectDataRows: { roles: EVERYONE },
  getDataRowAnnotations: { roles: EVERYONE },
  getDataRowThumbnail: { roles: EVERYONE },
  getCompositeMask: { roles: EVERYONE },
  getAnnotationMask: { roles: EVERYONE },
  createEvaluation: { roles: IMPORTERS },
  listEvaluations: { roles: EVERYONE },
  getEvaluation: { roles: EVERYONE },
  listEvaluationDataRows: { roles: EVERYONE },
  listEvaluationObjects: { roles: EVERYONE },
  nextDataRowToLabel: { roles: EVERYONE },
  skipDataRow: { roles: EVERYONE },
  getLabelingView: { roles: EVERYONE },
  saveDraft: {
    roles: EVERYONE,
    note: 'not while another user holds the lease (409 data_row_leased); labelers: rows without a label, or their own rejected one',
  },
  addDraftAnnotation: { roles: EVERYONE, note: 'as saveDraft' },
  replaceDraftAnnotation: { roles: EVERYONE, note: 'as saveDraft' },
  deleteDraftAnnotation: { roles: EVERYONE, note: 'as saveDraft' },
  submitLabel: { roles: EVERYONE, note: 'as saveDraft' },
  reviewLabel: { roles: REVIEWERS, note: 'submitted labels only (409 label_not_submitted)' },
  nextDataRowToReview: { roles: REVIEWERS },
  getLabelingCounts: { roles: EVERYONE },
  listLabelingRows: { roles: EVERYONE },
  getOpenApi: { roles: 'public' },
  getDatasetDeletionImpact: { roles: ADMIN },
  getProjectDeletionImpact: { roles: ADMIN },
  getDataRowDeletionImpact: { roles: ADMIN },
  deleteDataRow: { roles: ADMIN },
  getImportPrelabelsDeletionImpact: { roles: IMPORTERS },
  deleteImportPrelabels: { roles: IMPORTERS, note: 'MAL imports only (409 conflict otherwise)' },
  cancelImport: { roles: IMPORTERS, note: 'queued or running imports (409 import_not_running)' },
  revertImport: {
    roles: IMPORTERS,
    note: 'finished or cancelled MAL imports, once; 409 import_revert_blocked while a later import holds one of its pre-labels',
  },
  createFormatImport: {
    roles: IMPORTERS,
    note: 'creating the ontology (project without one) or data rows (imageBaseUrl) needs admin',
  },
  updateDataRowMetadata: { roles: ADMIN },
}

const NAMES = new Map<Endpoint, EndpointName>(
  (Object.entries(api) as [EndpointName, Endpoint][]).map(([name, e]) => [e, name]),
)

/** The contract name of an endpoint object (`api.getProject` → `getProject`). */
export function endpointName(endpoint: Endpoint): EndpointName {
  const name = NAMES.get(endpoint)
  if (!name) throw new Error(`endpoint ${endpoint.method} ${endpoint.path} is not in the contract`)
  return name
}

export function isPublic(name: EndpointName): boolean {
  return PERMISSIONS[name].roles === 'public'
}

export function mayCall(role: Role, name: EndpointName): boolean {
  const roles = PERMISSIONS[name].roles
  return roles === 'public' || roles.includes(role)
}
