/** @module @labelport/formats: foreign annotation files in and out (docs/formats.md). Node helpers: `@labelport/formats/node`. */
export * from './model.ts'
export * from './rows.ts'
export * from './coco.ts'
export * from './yolo.ts'
export * from './voc.ts'
export * from './detect.ts'
export * from './clip.ts'
