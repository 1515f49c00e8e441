export * from './entities.ts'
export * from './endpoints.ts'
