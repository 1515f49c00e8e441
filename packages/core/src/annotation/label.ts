import { AppError } from '../errors.ts'
import type { DataRowRef } from '../ndjson/line.ts'
import { requireDataRowRef } from '../ndjson/line-grammar.ts'
import { checkList, checkOptionsObject, describe } from './checks.ts'
import { ClassificationAnnotation } from './classification.ts'
import { ObjectAnnotation } from './object-annotation.ts'
import { RelationshipAnnotation } from './relationship.ts'

export type Annotation = ClassificationAnnotation | ObjectAnnotation | RelationshipAnnotation

export interface LabelOptions {
  /** the data row, by exactly one of its id or its global key */
  data: DataRowRef
  annotations?: Annotation[]
  /** ground truth only: marks the label as a benchmark reference */
  isBenchmarkReference?: boolean
}

/** All annotations of one data row in one import. */
export class Label {
  readonly data: DataRowRef
  readonly annotations: Annotation[]
  readonly isBenchmarkReference: boolean

  constructor(options: LabelOptions) {
    checkOptionsObject(options, 'Label')
    this.data = requireDataRowRef(options.data, ['data'])
    this.annotations = checkList(options.annotations ?? [], ['annotations']).map((a, i) => {
      if (!(
        a instanceof ClassificationAnnotation ||
        a instanceof ObjectAnnotation ||
        a instanceof RelationshipAnnotation
      )) {
        throw new AppError(
          'field_invalid',
          `expected a ClassificationAnnotation, ObjectAnnotation or RelationshipAnnotation, got ${describe(a)}`,
          { path: ['annotations', i] },
        )
      }
      return a
    })
    const flag: unknown = options.isBenchmarkReference ?? false
    if (typeof flag !== 'boolean') {
      throw new AppError(
        'field_invalid',
        `isBenchmarkReference must be a boolean, got ${describe(flag)}`,
        { path: ['isBenchmarkReference'] },
      )
    }
    this.isBenchmarkReference = flag
  }
}
