import { AppError } from '../errors.ts'
import type { CustomMetric } from '../ndjson/line.ts'
import { checkFeature, checkOptionsObject, checkScores, describe, resolveUuid } from './checks.ts'
import type { FeatureOptions, ScoreOptions } from './checks.ts'
import { checkClassifications } from './classification.ts'
import type { ClassificationAnnotation } from './classification.ts'
import { Line, Point, Polygon, Rectangle } from './geometry.ts'
import { Mask } from './mask.ts'

export type ObjectValue = Rectangle | Polygon | Line | Point | Mask

export interface ObjectAnnotationOptions extends FeatureOptions, ScoreOptions {
  value: ObjectValue
  /** classifications of this object (the tool's sub-classifications) */
  classifications?: ClassificationAnnotation[]
  /** kept as given (canonical form); relationships reference it; a fresh one is generated when absent */
  uuid?: string
}

/** A tool annotation: one geometry with its feature, scores and sub-classifications. */
export class ObjectAnnotation {
  readonly name?: string
  readonly featureSchemaId?: string
  readonly value: ObjectValue
  readonly classifications: readonly ClassificationAnnotation[]
  readonly uuid: string
  readonly confidence?: number
  readonly customMetrics?: CustomMetric[]

  constructor(options: ObjectAnnotationOptions) {
    checkOptionsObject(options, 'ObjectAnnotation')
    Object.assign(this, checkFeature(options), checkScores(options))
    const value: unknown = options.value
    if (!(
      value instanceof Rectangle ||
      value instanceof Polygon ||
      value instanceof Line ||
      value instanceof Point ||
      value instanceof Mask
    )) {
      throw new AppError(
        'field_invalid',
        `value must be a Rectangle, Polygon, Line, Point or Mask, got ${describe(value)}`,
        { path: ['value'] },
      )
    }
    this.value = value
    this.classifications = checkClassifications(options.classifications, ['classifications'])
    this.uuid = resolveUuid(options.uuid)
  }
}
