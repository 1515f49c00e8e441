/** A dataset (Labelbox's Catalog dataset) and the data rows it holds. */
import { api } from '@labelport/core'
import type {
  DataRow,
  DataRowInput,
  Dataset as DatasetResource,
  MetadataField,
} from '@labelport/core'
import type { Transport } from './transport.ts'
import { LabelportError } from './errors.ts'
import { loadNodeHelpers } from './environment.ts'
import { Task } from './task.ts'

export interface DataRowItem {
  /** an http(s) URL, an `upload://` URI, or (Node only) a local file path or `file://` URL, uploaded first */
  rowData: string
  globalKey?: string
  /** key/value metadata (Labelbox's `metadata_fields`, by name); numbers and dates are stored as text */
  metadataFields?: readonly MetadataFieldInput[]
}

/** A metadata field as the SDK takes it: the value may be a string, a number or a Date. */
export interface MetadataFieldInput {
  name: string
  value: string | number | Date
}

/** Checks metadata fields and turns their values into the stored text (dates as ISO-8601). */
export function toMetadataFields(fields: unknown, path: (string | number)[]): MetadataField[] {
  if (!Array.isArray(fields))
    throw new LabelportError('validation_failed', 'metadataFields must be a list', { path })
  const out: MetadataField[] = []
  const seen = new Set<string>()
  for (const [i, field] of (fields as unknown[]).entries()) {
    const f = (typeof field === 'object' && field !== null ? field : {}) as Record<string, unknown>
    const name = f['name']
    if (typeof name !== 'string' || name === '')
      throw new LabelportError('validation_failed', 'a metadata field needs a name', {
        path: [...path, i, 'name'],
      })
    if (seen.has(name))
      throw new LabelportError('validation_failed', `metadata field '${name}' is given twice`, {
        path: [...path, i, 'name'],
      })
    seen.add(name)
    const value = f['value']
    let text: string
    if (typeof value === 'string') text = value
    else if (typeof value === 'number' && Number.isFinite(value)) text = String(value)
    else if (value instanceof Date && !Number.isNaN(value.getTime())) text = value.toISOString()
    else
      throw new LabelportError(
        'validation_failed',
        `metadata field '${name}' needs a string, number or date value`,
        { path: [...path, i, 'value'] },
      )
    out.push({ name, value: text })
  }
  return out
}

const REMOTE = /^(https?:\/\/|upload:\/\/)/i

/** True when `rowData` names a local file that has to be uploaded first. */
export function isLocalRowData(rowData: string): boolean {
  return !REMOTE.test(rowData)
}

export class Dataset {
  readonly client: Transport
  #resource: DatasetResource

  constructor(client: Transport, resource: DatasetResource) {
    this.client = client
    this.#resource = resource
  }

  get uid(): string {
    return this.#resource.id
  }
  get id(): string {
    return this.#resource.id
  }
  get name(): string {
    return this.#resource.name
  }
  get description(): string {
    return this.#resource.description
  }
  /** as of the last fetch; a create task refreshes it when it is done */
  get rowCount(): number {
    return this.#resource.rowCount
  }
  get createdAt(): string {
    return this.#resource.createdAt
  }

  async refresh(): Promise<this> {
    this.#resource = await this.client.call(api.getDataset, { params: { datasetId: this.id } })
    return this
  }

  /**
   * Starts a task that creates the data rows. Local paths are uploaded first (streamed), one
   * after another, and replaced by the upload's URI. Wait with `task.waitTillDone()`.
   */
  async createDataRows(
    items: readonly DataRowItem[],
    options: { signal?: AbortSignal } = {},
  ): Promise<Task> {
    const given: unknown = items
    if (!Array.isArray(given))
      throw new LabelportError(
        'validation_failed',
        `data rows must be a list, found ${typeof given}`,
        { path: ['items'] },
      )
    if (items.length === 0)
      throw new LabelportError('validation_failed', 'give at least one data row', {
        path: ['items'],
      })
    const prepared: DataRowInput[] = []
    for (const [index, item] of items.entries()) {
      if (typeof item.rowData !== 'string' || item.rowData === '') {
        throw new LabelportError(
          'validation_failed',
          '`rowData` missing when creating a data row',
          { path: ['items', index, 'rowData'] },
        )
      }
      let rowData = item.rowData
      if (isLocalRowData(rowData)) {
        await loadNodeHelpers(`rowData ${rowData}`, ['items', index, 'rowData'])
        const upload = await this.client.uploadFile(
          rowData,
          options.signal ? { signal: options.signal } : {},
        )
        rowData = upload.uri
      }
      prepared.push({
        rowData,
        ...(item.globalKey === undefined ? {} : { globalKey: item.globalKey }),
        ...(item.metadataFields === undefined
          ? {}
          : {
              metadataFields: toMetadataFields(item.metadataFields, [
                'items',
                index,
                'metadataFields',
              ]),
            }),
      })
    }
    const resource = await this.client.call(api.createDataRows, {
      params: { datasetId: this.id },
      body: { items: prepared },
      ...(options.signal ? { signal: options.signal } : {}),
    })
    return new Task(this.client, resource, async () => {
      await this.refresh()
    })
  }

  /**
   * Every data row of the dataset, page by page; with `metadata`, only the rows whose field `name`
   * has `value` (without a value: every row that has the field).
   */
  async *dataRows(
    options: { metadata?: { name: string; value?: string } } = {},
  ): AsyncGenerator<DataRow> {
    const filter = options.metadata
    let cursor: string | undefined
    do {
      const page = await this.client.call(api.listDataRows, {
        params: { datasetId: this.id },
        query: {
          limit: 1000,
          ...(cursor === undefined ? {} : { cursor }),
          ...(filter === undefined ? {} : { metadataName: filter.name }),
          ...(filter?.value === undefined ? {} : { metadataValue: filter.value }),
        },
      })
      yield* page.items
      cursor = page.nextCursor ?? undefined
    } while (cursor !== undefined)
  }

  /** Replaces the metadata fields of one of the dataset's data rows (an empty list removes them). */
  async updateDataRowMetadata(
    dataRowId: string,
    metadataFields: readonly MetadataFieldInput[],
  ): Promise<DataRow> {
    return this.client.call(api.updateDataRowMetadata, {
      params: { dataRowId },
      body: { metadataFields: toMetadataFields(metadataFields, ['metadataFields']) },
    })
  }

  /** Deletes the dataset and its data rows. */
  async delete(): Promise<void> {
    await this.client.call(api.deleteDataset, { params: { datasetId: this.id } })
  }
}
