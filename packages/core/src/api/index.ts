export * from './entities.ts'
export * from './endpoints.ts'
export * from './permissions.ts'
export * from './openapi.ts'
