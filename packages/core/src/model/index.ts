export * from './annotation-record.ts'
export * from './annotation-record-schema.ts'
