export * from './draft-records.ts'
export * from './required-classifications.ts'
