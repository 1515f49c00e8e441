/** @module @labelport/db: schema, migrations and every query, on SQLite and PostgreSQL. The only package that imports database drivers. */
export { connect, migrateToLatest, type Connection, type DialectName } from './connect.ts'
export { IdentityStore, type UserWithSecret, type ApiKeyOwner } from './identity-store.ts'
export { OntologyEdits } from './ontology-edits.ts'
export { Store, DuplicateError, type Page, type DataRowLookup, type NewDataRow } from './store.ts'
export type { AnnotationRow, LabelTouch } from './annotation-writer.ts'
export type { Schema } from './schema.ts'
