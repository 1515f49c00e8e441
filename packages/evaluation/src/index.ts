export * from './mask-api.ts'
export * from './numpy-compat.ts'
export * from './coco-input.ts'
export * from './coco-eval.ts'
