export * from './line.ts'
export * from './status.ts'
