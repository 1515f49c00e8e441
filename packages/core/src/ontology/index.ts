export * from './normalized.ts'
export * from './builder.ts'
export * from './ontology-index.ts'
