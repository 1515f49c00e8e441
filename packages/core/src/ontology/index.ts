export * from './normalized.ts'
