/**
 * Classifications, mirroring Labelbox's `ClassificationAnswer`, `Radio`, `Checklist`, `Text` and
 * `ClassificationAnnotation`. Answers may carry classifications themselves, to any depth.
 */
import { AppError } from '../errors.ts'
import type { IssuePath } from '../errors.ts'
import type { CustomMetric } from '../ndjson/line.ts'
import {
  checkFeature,
  checkList,
  checkOptionsObject,
  checkScores,
  describe,
  resolveUuid,
} from './checks.ts'
import type { FeatureOptions, ScoreOptions } from './checks.ts'

export function checkClassifications(value: unknown, path: IssuePath): ClassificationAnnotation[] {
  if (value === undefined) return []
  return checkList(value, path).map((c, i) => {
    if (!(c instanceof ClassificationAnnotation)) {
      throw new AppError(
        'field_invalid',
        `expected a ClassificationAnnotation, got ${describe(c)}`,
        { path: [...path, i] },
      )
    }
    return c
  })
}

export interface ClassificationAnswerOptions extends FeatureOptions, ScoreOptions {
  /** classifications nested under this answer */
  classifications?: ClassificationAnnotation[]
}

/** One chosen option; `name` is the option's value in the ontology. */
export class ClassificationAnswer {
  readonly name?: string
  readonly featureSchemaId?: string
  readonly confidence?: number
  readonly customMetrics?: CustomMetric[]
  readonly classifications: readonly ClassificationAnnotation[]

  constructor(options: ClassificationAnswerOptions) {
    checkOptionsObject(options, 'ClassificationAnswer')
    Object.assign(this, checkFeature(options), checkScores(options))
    this.classifications = checkClassifications(options.classifications, ['classifications'])
  }
}

function checkAnswer(value: unknown, path: IssuePath): ClassificationAnswer {
  if (!(value instanceof ClassificationAnswer)) {
    throw new AppError('field_invalid', `expected a ClassificationAnswer, got ${describe(value)}`, {
      path,
    })
  }
  return value
}

export interface RadioOptions extends ScoreOptions {
  answer: ClassificationAnswer
}

export class Radio {
  readonly answer: ClassificationAnswer
  readonly confidence?: number
  readonly customMetrics?: CustomMetric[]

  constructor(options: RadioOptions) {
    checkOptionsObject(options, 'Radio')
    this.answer = checkAnswer(options.answer, ['answer'])
    Object.assign(this, checkScores(options))
  }
}

export interface ChecklistOptions extends ScoreOptions {
  answer: ClassificationAnswer[]
}

export class Checklist {
  readonly answer: readonly ClassificationAnswer[]
  readonly confidence?: number
  readonly customMetrics?: CustomMetric[]

  constructor(options: ChecklistOptions) {
    checkOptionsObject(options, 'Checklist')
    this.answer = checkList(options.answer, ['answer']).map((a, i) => checkAnswer(a, ['answer', i]))
    Object.assign(this, checkScores(options))
  }
}

export interface TextOptions extends ScoreOptions {
  answer: string
}

export class Text {
  readonly answer: string
  readonly confidence?: number
  readonly customMetrics?: CustomMetric[]

  constructor(options: TextOptions) {
    checkOptionsObject(options, 'Text')
    if (typeof options.answer !== 'string') {
      throw new AppError(
        'text_answer_invalid',
        `a text answer must be a string, got ${describe(options.answer)}`,
        { path: ['answer'] },
      )
    }
    this.answer = options.answer
    Object.assign(this, checkScores(options))
  }
}

export type ClassificationValue = Radio | Checklist | Text

export interface ClassificationAnnotationOptions extends FeatureOptions, ScoreOptions {
  value: ClassificationValue
  /** kept as given (canonical form); a fresh one is generated when absent */
  uuid?: string
}

/**
 * A classification: at the top level of a label (a global classification), or nested under an
 * object or an answer. The serialized line's confidence is this annotation's, else its value's.
 */
export class ClassificationAnnotation {
  readonly name?: string
  readonly featureSchemaId?: string
  readonly value: ClassificationValue
  readonly uuid: string
  readonly confidence?: number
  readonly customMetrics?: CustomMetric[]

  constructor(options: ClassificationAnnotationOptions) {
    checkOptionsObject(options, 'ClassificationAnnotation')
    Object.assign(this, checkFeature(options), checkScores(options))
    const value: unknown = options.value
    if (!(value instanceof Radio || value instanceof Checklist || value instanceof Text)) {
      throw new AppError(
        'field_invalid',
        `value must be a Radio, Checklist or Text, got ${describe(value)}`,
        { path: ['value'] },
      )
    }
    this.value = value
    this.uuid = resolveUuid(options.uuid)
  }
}
