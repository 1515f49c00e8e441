export * from './rle.ts'
export * from './png-header.ts'
