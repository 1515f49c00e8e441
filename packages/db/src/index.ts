/** @module @labelport/db: schema, migrations and every query, on SQLite and PostgreSQL. The only package that imports database drivers. */
export {
  connect,
  migrateToLatest,
  DatabaseLockedError,
  type Connection,
  type DialectName,
} from './connect.ts'
export { createRepositories, type Repositories } from './repositories.ts'
export { DuplicateError, CorruptColumnError, type Page } from './query-helpers.ts'
export {
  DatasetRepository,
  type DataRowLookup,
  type NewDataRow,
  type StoredDataRow,
} from './dataset-repository.ts'
export { TaskRepository } from './task-repository.ts'
export { OntologyRepository, type StoredOntology } from './ontology-repository.ts'
export { ProjectRepository } from './project-repository.ts'
export {
  ImportJobRepository,
  statusPartKey,
  toImportJobRecord,
  type ImportJobRecord,
} from './import-job-repository.ts'
export {
  AnnotationRepository,
  toAnnotationRow,
  type AnnotationEntry,
  type LabelEntry,
} from './annotation-repository.ts'
export { IdentityStore, type UserWithSecret, type ApiKeyOwner } from './identity-store.ts'
export type { AnnotationRow, LabelTouch } from './annotation-writer.ts'
export { MaskOwners } from './mask-owners.ts'
export { importBlobKeys } from './import-blob-keys.ts'
export { ImportRepository, type ImportChunk } from './import-repository.ts'
export { GraphqlStateRepository } from './graphql-state.ts'
export {
  EvaluationRepository,
  toEvaluationRecord,
  type EvaluationRecord,
} from './evaluation-repository.ts'
export { DeletionRepository, type DeletedBlobs } from './deletion-repository.ts'
export type { ImportJobTable, Schema } from './schema.ts'
export { JobRepository, type ImportCheckpoint } from './jobs.ts'
export { JobLostError, type ImportGuard } from './annotation-writer.ts'
export {
  LabelRepository,
  LeaseHeldError,
  VersionConflictError,
  currentVersion,
  type LabelingRowEntry,
  type RowLabeling,
  type StoredDraft,
  type StoredLabel,
  type StoredLease,
  type StoredReview,
} from './label-repository.ts'
export {
  ImportRevertRepository,
  type ImportEffect,
  type RevertRecord,
  type RevertRefusal,
} from './import-revert-repository.ts'
