export * from './annotation-record.ts'
