/** An async server task (creating data rows), polled like Labelbox's `Task`. */
import { api } from '@labelport/core'
import type { Task as TaskResource, TaskError } from '@labelport/core'
import type { Transport } from './transport.ts'
import { LabelportError } from './errors.ts'
import { DEFAULT_BACKOFF, pollDelays, sleep } from './poll.ts'

export type TaskStatus = TaskResource['status']
/** Labelbox shape `{message, failedDataRows:[{rowData, globalKey}]}`, plus the error `code` and `path`. */
export type TaskErrorEntry = TaskError
export type CreatedDataRow = TaskResource['createdDataRows'][number]

export interface WaitTillDoneOptions {
  /** give up after this long (default 300 s, as Labelbox) */
  timeoutSeconds?: number
  /** fixed poll interval; default starts at 0.5 s and grows to 2 s */
  checkFrequencySeconds?: number
  signal?: AbortSignal
}

export class Task {
  readonly client: Transport
  #resource: TaskResource
  readonly #onDone: ((task: Task) => Promise<void>) | undefined

  constructor(client: Transport, resource: TaskResource, onDone?: (task: Task) => Promise<void>) {
    this.client = client
    this.#resource = resource
    this.#onDone = onDone
  }

  get uid(): string {
    return this.#resource.id
  }
  get id(): string {
    return this.#resource.id
  }
  get status(): TaskStatus {
    return this.#resource.status
  }
  /** 0–100 */
  get progress(): number {
    return this.#resource.progress
  }
  get resource(): TaskResource {
    return this.#resource
  }

  /** The data rows that could not be created, grouped by error; null when there are none (as Labelbox). */
  get errors(): TaskErrorEntry[] | null {
    return this.#resource.errors.length === 0 ? null : this.#resource.errors
  }

  /** Same list as `errors` (Labelbox's DataUpsertTask answers both with the failed rows by message). */
  get failedDataRows(): TaskErrorEntry[] | null {
    return this.errors
  }

  /** The data rows created: `[{id, globalKey, rowData}]`. Throws when the task FAILED. */
  get result(): CreatedDataRow[] {
    if (this.#resource.status === 'FAILED') {
      const first = this.#resource.errors[0]
      throw new LabelportError(
        first?.code ?? 'internal',
        `Job failed. Errors: ${this.#resource.errors.map((e) => e.message).join('; ')}`,
        {
          path: first?.path ?? [],
        },
      )
    }
    return this.#resource.createdDataRows
  }

  async refresh(): Promise<this> {
    this.#resource = await this.client.call(api.getTask, { params: { taskId: this.#resource.id } })
    return this
  }

  /** Polls until COMPLETE or FAILED. A duplicate global key does not fail the task: read `errors`. */
  async waitTillDone(options: WaitTillDoneOptions = {}): Promise<this> {
    const deadline = Date.now() + (options.timeoutSeconds ?? 300) * 1000
    const delays = pollDelays(DEFAULT_BACKOFF, options.checkFrequencySeconds)
    while (this.#resource.status === 'IN_PROGRESS') {
      if (Date.now() >= deadline) {
        throw new LabelportError(
          'unavailable',
          `task ${this.id} did not finish within ${options.timeoutSeconds ?? 300} s (progress ${this.progress}%)`,
        )
      }
      await sleep(Math.min(delays.next().value, Math.max(0, deadline - Date.now())), options.signal)
      await this.refresh()
    }
    await this.#onDone?.(this)
    return this
  }

  /** Alias of `waitTillDone`, as in Labelbox. */
  waitUntilDone(options: WaitTillDoneOptions = {}): Promise<this> {
    return this.waitTillDone(options)
  }
}
