export * from './line.ts'
export * from './status.ts'
export * from './converter.ts'
