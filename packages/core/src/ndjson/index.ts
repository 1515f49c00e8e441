export * from './line.ts'
export * from './status.ts'
export * from './converter.ts'
export {
  ANNOTATIONS_PER_FEATURE_LIMIT,
  checkDataRowRef,
  dataRowRefKey,
  type DataRowRefCheck,
  type SeenDataRowRef,
} from './line-grammar.ts'
