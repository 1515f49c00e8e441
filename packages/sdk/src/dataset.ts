/** A dataset (Labelbox's Catalog dataset) and the data rows it holds. */
import { api } from '@labelport/core'
import type { DataRow, DataRowInput, Dataset as DatasetResource } from '@labelport/core'
import type { Transport } from './transport.ts'
import { LabelportError } from './errors.ts'
import { loadNodeHelpers } from './environment.ts'
import { Task } from './task.ts'

export interface DataRowItem {
  /** an http(s) URL, an `upload://` URI, or (Node only) a local file path or `file://` URL, uploaded first */
  rowData: string
  globalKey?: string
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

  /** Every data row of the dataset, page by page. */
  async *dataRows(): AsyncGenerator<DataRow> {
    let cursor: string | undefined
    do {
      const page = await this.client.call(api.listDataRows, {
        params: { datasetId: this.id },
        query: { limit: 1000, ...(cursor === undefined ? {} : { cursor }) },
      })
      yield* page.items
      cursor = page.nextCursor ?? undefined
    } while (cursor !== undefined)
  }

  /** Deletes the dataset and its data rows. */
  async delete(): Promise<void> {
    await this.client.call(api.deleteDataset, { params: { datasetId: this.id } })
  }
}
