export * from './rle.ts'
