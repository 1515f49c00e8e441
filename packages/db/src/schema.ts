/**
 * The tables as Kysely sees them. Portable types on both dialects: text ids, ISO-8601 text
 * timestamps, integer flags (0/1), JSON as text.
 */
export interface OrganizationTable {
  id: string
  name: string
  created_at: string
}
export interface ApiKeyTable {
  id: string
  organization_id: string
  name: string
  /** legacy column (0001); a key acts with the role of its user */
  role: string
  /** sha256 hex of the key; keys are random 32-byte secrets, so a fast hash is enough */
  key_hash: string
  created_at: string
  /** 0002: the owner; null only for keys made before users existed */
  user_id: string | null
  prefix: string | null
  revoked_at: string | null
}
export interface AppUserTable {
  id: string
  organization_id: string
  /** lower case */
  email: string
  name: string
  role: 'admin' | 'reviewer' | 'labeler'
  /** scrypt$N$r$p$salt$hash; null: cannot sign in with a password */
  password_hash: string | null
  created_at: string
}
export interface SessionTable {
  id: string
  user_id: string
  /** sha256 hex of the cookie's random token */
  token_hash: string
  created_at: string
  expires_at: string
  revoked_at: string | null
}
export interface AuditEventTable {
  id: string
  organization_id: string
  action: string
  subject_type: string
  subject_id: string
  user_id: string | null
  api_key_id: string | null
  created_at: string
}
export interface DatasetTable {
  id: string
  organization_id: string
  name: string
  description: string
  created_at: string
  updated_at: string
}
export interface DataRowTable {
  id: string
  organization_id: string
  dataset_id: string
  global_key: string | null
  row_data: string
  blob_key: string
  width: number
  height: number
  mime_type: string
  exif_orientation: number
  created_at: string
  /** SHA-256 (hex) of the stored image; null for rows made before migration 0005 */
  content_sha256: string | null
}
export interface DataRowMetadataTable {
  data_row_id: string
  name: string
  value: string
}
export interface TaskTable {
  id: string
  organization_id: string
  type: string
  status: 'IN_PROGRESS' | 'COMPLETE' | 'FAILED'
  progress: number
  /** JSON: the task input, kept until the task completes */
  input_json: string | null
  result_json: string
  errors_json: string
  created_at: string
  completed_at: string | null
  owner: string | null
  lease_expires_at: number | null
  attempts: number
  checkpoint_item: number
}
export interface OntologyTable {
  id: string
  organization_id: string
  name: string
  media_type: string
  normalized_json: string
  created_at: string
}
export interface ProjectTable {
  id: string
  organization_id: string
  name: string
  description: string
  media_type: string
  ontology_id: string | null
  created_at: string
}
export interface BatchTable {
  id: string
  project_id: string
  name: string
  priority: number
  created_at: string
}
export interface BatchDataRowTable {
  project_id: string
  batch_id: string
  data_row_id: string
}
export interface ImportJobTable {
  id: string
  organization_id: string
  project_id: string
  name: string
  kind: 'mal' | 'ground_truth'
  dry_run: number
  /** CANCELLED: 0009, stopped on request; what it committed before stays */
  state: 'QUEUED' | 'RUNNING' | 'FINISHED' | 'FAILED' | 'CANCELLED'
  progress: number
  total: number
  success: number
  failure: number
  error_counts_json: string
  error_examples_json: string
  failure_reason_json: string | null
  input_key: string
  status_key: string
  created_at: string
  finished_at: string | null
  /** 0002: the user who started the job */
  created_by: string | null
  owner: string | null
  lease_expires_at: number | null
  attempts: number
  checkpoint_bytes: number
  checkpoint_line: number
  status_parts: number
  /** 0009: JSON {revertedAt, removed, restored} once the import was reverted */
  revert_json: string | null
}
export interface ServerSettingTable {
  name: string
  value: string
}
export interface LabelTable {
  id: string
  project_id: string
  data_row_id: string
  is_benchmark_reference: number
  created_at: string
  updated_at: string
}
export interface AnnotationTable {
  id: string
  project_id: string
  data_row_id: string
  layer: 'prelabel' | 'label'
  uuid: string
  import_id: string
  feature_schema_id: string
  kind: string
  /** AnnotationRecord as JSON */
  payload: string
  created_at: string
}

/** migration 0007: organizations that may read a composite mask (see mask-owners.ts) */
export interface MaskOwnerTable {
  organization_id: string
  sha256: string
}

/** migration 0009: a pre-label as it was stored before import `replaced_by` replaced it by uuid */
export interface ReplacedAnnotationTable extends AnnotationTable {
  replaced_by: string
}
/** migration 0009: what a committed chunk (status part) of a dry run would replace */
export interface ImportPreviewPartTable {
  import_id: string
  part: number
  replaced: number
}

export interface Schema {
  organization: OrganizationTable
  api_key: ApiKeyTable
  app_user: AppUserTable
  session: SessionTable
  audit_event: AuditEventTable
  dataset: DatasetTable
  data_row: DataRowTable
  data_row_metadata: DataRowMetadataTable
  task: TaskTable
  ontology: OntologyTable
  project: ProjectTable
  batch: BatchTable
  batch_data_row: BatchDataRowTable
  import_job: ImportJobTable
  label: LabelTable
  annotation: AnnotationTable
  mask_owner: MaskOwnerTable
  server_setting: ServerSettingTable
  replaced_annotation: ReplacedAnnotationTable
  import_preview_part: ImportPreviewPartTable
}
