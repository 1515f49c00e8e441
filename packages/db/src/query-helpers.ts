/**
 * The runs every repository repeats, written once: keyset and offset pages, `in (…)` lists in
 * chunks, timestamps, unique-violation detection, and JSON columns parsed with a schema.
 */
import type { z } from 'zod'

export interface Page<T> {
  items: T[]
  nextCursor: string | null
}

/** Stored timestamps are ISO-8601 text on both dialects. */
export const now = (): string => new Date().toISOString()

/** Keyset pages: the query asks for limit + 1 rows; the extra one says whether a next page exists. */
export function toPage<T extends { id: string }>(rows: T[], limit: number): Page<T> {
  const items = rows.slice(0, limit)
  return { items, nextCursor: rows.length > limit ? (items.at(-1)?.id ?? null) : null }
}

/** Offset pages: as `toPage`, with the next offset as the cursor. */
export function toOffsetPage<T>(rows: T[], offset: number, limit: number): Page<T> {
  return {
    items: rows.slice(0, limit),
    nextCursor: rows.length > limit ? String(offset + limit) : null,
  }
}

/** `in (…)` lists stay under every driver's parameter limit: 500 values per statement. */
export const IN_LIST_SIZE = 500

export function* inChunks<T>(values: readonly T[], size = IN_LIST_SIZE): Generator<T[]> {
  for (let i = 0; i < values.length; i += size) yield values.slice(i, i + size)
}

export function isUniqueViolation(err: unknown): boolean {
  const e = err as { code?: string; message?: string }
  return (
    e.code === '23505' ||
    e.code === 'SQLITE_CONSTRAINT_UNIQUE' ||
    e.code === 'SQLITE_CONSTRAINT_PRIMARYKEY'
  )
}

/** A unique key (a name, a global key) is taken; services turn it into their own coded error. */
export class DuplicateError extends Error {
  override readonly name = 'DuplicateError'
}

/** A JSON column whose text does not match its schema: the database holds what no code wrote. */
export class CorruptColumnError extends Error {
  override readonly name = 'CorruptColumnError'
}

/**
 * Reads a JSON column, checked with its schema instead of cast. The schemas of stored shapes
 * transform nothing (input type = output type), so the stored value is returned as it was
 * written: same keys, same key order.
 */
export function readJsonColumn<T>(schema: z.ZodType<T, T>, text: string, column: string): T {
  const value: unknown = JSON.parse(text)
  const checked = schema.safeParse(value)
  if (!checked.success)
    throw new CorruptColumnError(`${column} does not match its schema: ${checked.error.message}`)
  return value as T // checked just above; `checked.data` would be a copy in the schema's key order
}
