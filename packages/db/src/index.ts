/** @module @labelport/db: schema, migrations and every query, on SQLite and PostgreSQL. The only package that imports database drivers. */
export {
  connect,
  migrateToLatest,
  DatabaseLockedError,
  type Connection,
  type DialectName,
} from './connect.ts'
export { IdentityStore, type UserWithSecret, type ApiKeyOwner } from './identity-store.ts'
export { OntologyEdits } from './ontology-edits.ts'
export { Store, DuplicateError, type Page, type DataRowLookup, type NewDataRow } from './store.ts'
export type { AnnotationRow, LabelTouch } from './annotation-writer.ts'
export { MaskOwners } from './mask-owners.ts'
export { importBlobKeys } from './import-blob-keys.ts'
export { ImportRepository, type ImportChunk } from './import-repository.ts'
export { GraphqlStateRepository } from './graphql-state.ts'
export { EvaluationRepository } from './evaluation-repository.ts'
export type { ImportJobTable, Schema } from './schema.ts'
export { JobRepository, type ImportCheckpoint } from './jobs.ts'
export { JobLostError, type ImportGuard } from './annotation-writer.ts'
