import { AppError } from '../errors.ts'
import type { DataRowRef } from '../ndjson/line.ts'
import { checkList, checkOptionsObject, describe, isRecord } from './checks.ts'
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
    this.data = checkDataRowRef(options.data)
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

function checkDataRowRef(value: unknown): DataRowRef {
  if (!isRecord(value))
    throw new AppError(
      'data_row_ref_invalid',
      `data must be {globalKey} or {id}, got ${describe(value)}`,
      { path: ['data'] },
    )
  const keys = (['id', 'globalKey'] as const).filter(
    (k) => value[k] !== undefined && value[k] !== null,
  )
  if (keys.length !== 1) {
    throw new AppError(
      'data_row_ref_invalid',
      `data needs exactly one of id and globalKey, got ${describe(value)}`,
      { path: ['data'] },
    )
  }
  const key = keys[0] as 'id' | 'globalKey'
  const ref = value[key]
  if (typeof ref !== 'string' || ref.length === 0) {
    throw new AppError(
      'data_row_ref_invalid',
      `${key} must be a non-empty string, got ${describe(ref)}`,
      { path: ['data', key] },
    )
  }
  return key === 'id' ? { id: ref } : { globalKey: ref }
}
