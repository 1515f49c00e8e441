import { AppError } from '../errors.ts'
import { checkFeature, checkOptionsObject, describe, resolveUuid } from './checks.ts'
import type { FeatureOptions } from './checks.ts'
import { ObjectAnnotation } from './object-annotation.ts'

const RELATIONSHIP_TYPE = {
  UNIDIRECTIONAL: 'unidirectional',
  BIDIRECTIONAL: 'bidirectional',
} as const
export type RelationshipType = (typeof RELATIONSHIP_TYPE)[keyof typeof RELATIONSHIP_TYPE]

export interface RelationshipOptions {
  source: ObjectAnnotation
  target: ObjectAnnotation
  /** defaults to unidirectional */
  type?: RelationshipType
}

/** A directed (or bidirectional) edge between two object annotations of the same label. */
export class Relationship {
  static readonly Type = RELATIONSHIP_TYPE

  readonly source: ObjectAnnotation
  readonly target: ObjectAnnotation
  readonly type: RelationshipType

  constructor(options: RelationshipOptions) {
    checkOptionsObject(options, 'Relationship')
    for (const key of ['source', 'target'] as const) {
      if (!(options[key] instanceof ObjectAnnotation)) {
        throw new AppError(
          'field_invalid',
          `${key} must be an ObjectAnnotation, got ${describe(options[key])}`,
          { path: [key] },
        )
      }
    }
    if (options.source === options.target || options.source.uuid === options.target.uuid) {
      throw new AppError(
        'relationship_self_reference',
        'source and target must be different objects',
        { path: ['target'] },
      )
    }
    const type: unknown = options.type ?? RELATIONSHIP_TYPE.UNIDIRECTIONAL
    if (type !== RELATIONSHIP_TYPE.UNIDIRECTIONAL && type !== RELATIONSHIP_TYPE.BIDIRECTIONAL) {
      throw new AppError(
        'relationship_type_invalid',
        `type must be unidirectional or bidirectional, got ${describe(type)}`,
        { path: ['type'] },
      )
    }
    this.source = options.source
    this.target = options.target
    this.type = type
  }
}

export interface RelationshipAnnotationOptions extends FeatureOptions {
  value: Relationship
  uuid?: string
}

export class RelationshipAnnotation {
  readonly name?: string
  readonly featureSchemaId?: string
  readonly value: Relationship
  readonly uuid: string

  constructor(options: RelationshipAnnotationOptions) {
    checkOptionsObject(options, 'RelationshipAnnotation')
    Object.assign(this, checkFeature(options))
    if (!(options.value instanceof Relationship)) {
      throw new AppError(
        'field_invalid',
        `value must be a Relationship, got ${describe(options.value)}`,
        { path: ['value'] },
      )
    }
    this.value = options.value
    this.uuid = resolveUuid(options.uuid)
  }
}
