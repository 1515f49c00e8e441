/**
 * The SDK-facing annotation types: camelCase mirrors of Labelbox's Python `labelbox.types`,
 * each built from one options object. Constructors validate and throw `AppError`.
 */
export type { FeatureOptions, ScoreOptions } from './checks.ts'
export * from './geometry.ts'
export * from './mask.ts'
export * from './classification.ts'
export * from './object-annotation.ts'
export * from './relationship.ts'
export * from './label.ts'
export * from './base64.ts'
