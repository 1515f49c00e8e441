/**
 * Checks shared by the annotation classes. They run at the SDK edge (constructors), so they
 * throw `AppError`; paths are relative to the options object of the constructor that failed.
 */
import { AppError } from '../errors.ts'
import type { IssuePath } from '../errors.ts'
import { canonicalUuid, newUuid } from '../ids.ts'
import type { CustomMetric } from '../ndjson/line.ts'

/** A feature is named by its ontology `name`, its `featureSchemaId`, or both. */
export interface FeatureOptions {
  name?: string
  featureSchemaId?: string
}

export interface ScoreOptions {
  /** model confidence in [0, 1]; 0 is a real value and is kept */
  confidence?: number
  customMetrics?: CustomMetric[]
}

export function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value)
  if (value instanceof Uint8Array) return `Uint8Array(${value.length})`
  try {
    return JSON.stringify(value) ?? String(value)
  } catch {
    return String(value)
  }
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

export function checkOptionsObject(
  value: unknown,
  what: string,
  path: IssuePath = [],
): asserts value is Record<string, unknown> {
  if (!isRecord(value))
    throw new AppError(
      'field_invalid',
      `${what} expects an options object, got ${describe(value)}`,
      { path },
    )
}

function checkOptionalName(value: unknown, key: string, path: IssuePath): string | undefined {
  if (value === undefined) return undefined
  if (typeof value !== 'string' || value.length === 0) {
    throw new AppError(
      'field_invalid',
      `${key} must be a non-empty string, got ${describe(value)}`,
      { path: [...path, key] },
    )
  }
  return value
}

/** Returns the feature reference with absent keys omitted; throws `feature_missing` when neither is set. */
export function checkFeature(options: FeatureOptions, path: IssuePath = []): FeatureOptions {
  const name = checkOptionalName(options.name, 'name', path)
  const featureSchemaId = checkOptionalName(options.featureSchemaId, 'featureSchemaId', path)
  if (name === undefined && featureSchemaId === undefined) {
    throw new AppError('feature_missing', 'set name or featureSchemaId (or both)', {
      path: [...path, 'name'],
    })
  }
  return {
    ...(name === undefined ? {} : { name }),
    ...(featureSchemaId === undefined ? {} : { featureSchemaId }),
  }
}

export function checkConfidence(value: unknown, path: IssuePath): number | undefined {
  if (value === undefined) return undefined
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || value > 1) {
    throw new AppError(
      'confidence_out_of_range',
      `confidence must be a number within [0,1], got ${describe(value)}`,
      { path },
    )
  }
  return value
}

export function checkCustomMetrics(value: unknown, path: IssuePath): CustomMetric[] | undefined {
  if (value === undefined) return undefined
  if (!Array.isArray(value)) {
    throw new AppError(
      'custom_metrics_invalid',
      `customMetrics must be a list of {name, value}, got ${describe(value)}`,
      { path },
    )
  }
  return value.map((metric: unknown, i): CustomMetric => {
    if (
      !isRecord(metric) ||
      typeof metric['name'] !== 'string' ||
      metric['name'].length === 0 ||
      typeof metric['value'] !== 'number' ||
      !Number.isFinite(metric['value'])
    ) {
      throw new AppError(
        'custom_metrics_invalid',
        `a custom metric needs a name and a finite value, got ${describe(metric)}`,
        { path: [...path, i] },
      )
    }
    return { name: metric['name'], value: metric['value'] }
  })
}

/** Scores with absent keys omitted, as stored on the annotation classes. */
export function checkScores(options: ScoreOptions, path: IssuePath = []): ScoreOptions {
  const confidence = checkConfidence(options.confidence, [...path, 'confidence'])
  const customMetrics = checkCustomMetrics(options.customMetrics, [...path, 'customMetrics'])
  return {
    ...(confidence === undefined ? {} : { confidence }),
    ...(customMetrics === undefined ? {} : { customMetrics }),
  }
}

/** The user's uuid in canonical form, or a fresh one when none was given; never replaces a given one. */
export function resolveUuid(value: unknown, path: IssuePath = ['uuid']): string {
  if (value === undefined) return newUuid()
  const canonical = typeof value === 'string' ? canonicalUuid(value) : undefined
  if (canonical === undefined)
    throw new AppError('uuid_invalid', `uuid is not a uuid: ${describe(value)}`, { path })
  return canonical
}

export function checkFiniteNumber(value: unknown, path: IssuePath): number {
  if (typeof value !== 'number')
    throw new AppError('coordinate_invalid', `expected a number, got ${describe(value)}`, { path })
  if (!Number.isFinite(value))
    throw new AppError(
      'coordinate_not_finite',
      `expected a finite number, got ${describe(value)}`,
      { path },
    )
  return value
}

export function checkList(value: unknown, path: IssuePath): unknown[] {
  if (!Array.isArray(value))
    throw new AppError('field_invalid', `expected a list, got ${describe(value)}`, { path })
  return value
}
