/**
 * The data rows an import's lines refer to: looked up a chunk at a time (one query per kind of
 * reference), kept in a bounded cache, and answered to the judge as a `DataRowLookup`.
 */
import type { DataRowLookup as JudgeLookup } from '@labelport/core'
import type { DataRowLookup, DatasetRepository } from '@labelport/db'

type DataRowRef = { id: string } | { globalKey: string }
type CachedRow = DataRowLookup | 'unknown'

/** more than this many cached references: the cache starts over (memory stays bounded) */
const DEFAULT_MAX_ENTRIES = 50_000

export class DataRowCache {
  readonly #datasets: Pick<DatasetRepository, 'lookupDataRows'>
  readonly #organizationId: string
  readonly #projectId: string
  readonly #maxEntries: number
  readonly #rows = new Map<string, CachedRow>()

  constructor(deps: {
    datasets: Pick<DatasetRepository, 'lookupDataRows'>
    organizationId: string
    projectId: string
    maxEntries?: number
  }) {
    this.#datasets = deps.datasets
    this.#organizationId = deps.organizationId
    this.#projectId = deps.projectId
    this.#maxEntries = deps.maxEntries ?? DEFAULT_MAX_ENTRIES
  }

  /** Looks up the references not cached yet; afterwards `lookup` answers every one of them. */
  async resolve(refs: Iterable<DataRowRef>): Promise<void> {
    const ids = new Set<string>()
    const keys = new Set<string>()
    for (const ref of refs) {
      if (this.#rows.has(cacheKey(ref))) continue
      if ('id' in ref) ids.add(ref.id)
      else keys.add(ref.globalKey)
    }
    if (ids.size === 0 && keys.size === 0) return
    const found = await this.#datasets.lookupDataRows(this.#organizationId, this.#projectId, {
      ids: [...ids],
      globalKeys: [...keys],
    })
    if (this.#rows.size > this.#maxEntries) this.#rows.clear()
    for (const id of ids) this.#rows.set(`id:${id}`, 'unknown')
    for (const key of keys) this.#rows.set(`gk:${key}`, 'unknown')
    for (const row of found) {
      if (ids.has(row.id)) this.#rows.set(`id:${row.id}`, row)
      if (row.globalKey !== null && keys.has(row.globalKey))
        this.#rows.set(`gk:${row.globalKey}`, row)
    }
  }

  /** The data row as found (in the project or not), or undefined when no such row exists. */
  found(ref: DataRowRef): DataRowLookup | undefined {
    const row = this.#rows.get(cacheKey(ref))
    return row === 'unknown' ? undefined : row
  }

  /** What the judge needs to know about the reference (after `resolve`). */
  lookup(ref: DataRowRef): JudgeLookup {
    const row = this.found(ref)
    if (row === undefined) return 'unknown'
    if (!row.inProject) return 'not_in_project'
    return { id: row.id, globalKey: row.globalKey, width: row.width, height: row.height }
  }
}

function cacheKey(ref: DataRowRef): string {
  return 'id' in ref ? `id:${ref.id}` : `gk:${ref.globalKey}`
}
