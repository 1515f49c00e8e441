/** Export v2 shapes built from stored annotation records. */
export * from './export-label-annotations.ts'
