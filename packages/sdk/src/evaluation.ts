/**
 * A model evaluation (issue 14): pre-labels against labels, COCO statistics and per-object
 * TP / FP / FN. `project.createEvaluation(...)` starts one; `waitUntilDone()` polls it.
 */
import { api } from '@labelport/core'
import type {
  CreateEvaluationBody,
  CreateEvaluationInput,
  Evaluation as EvaluationResource,
  EvaluationDataRow,
  EvaluationObject,
  EvaluationSummary,
} from '@labelport/core'
import type { Transport } from './transport.ts'
import { LabelportError } from './errors.ts'
import { DEFAULT_BACKOFF, pollDelays, sleep } from './poll.ts'

/** What `createEvaluation` takes: every field optional (box IoU 0.5, COCO matching, all pre-labels). */
export type CreateEvaluationOptions = CreateEvaluationInput
export type { CreateEvaluationBody }

export interface EvaluationWaitOptions {
  timeoutSeconds?: number
  sleepTimeSeconds?: number
  signal?: AbortSignal
}

export interface EvaluationObjectFilter {
  dataRowId?: string
  layer?: 'prelabel' | 'label'
  status?: EvaluationObject['status']
  featureSchemaId?: string
  /** a confusion-matrix cell; `background` for none */
  matchFeatureSchemaId?: string
}

export class Evaluation {
  readonly client: Transport
  #resource: EvaluationResource

  constructor(client: Transport, resource: EvaluationResource) {
    this.client = client
    this.#resource = resource
  }

  static async fromId(client: Transport, evaluationId: string): Promise<Evaluation> {
    return new Evaluation(
      client,
      await client.call(api.getEvaluation, { params: { evaluationId } }),
    )
  }

  get id(): string {
    return this.#resource.id
  }
  get name(): string {
    return this.#resource.name
  }
  get state(): EvaluationResource['state'] {
    return this.#resource.state
  }
  get progress(): string {
    return this.#resource.progress
  }
  /** the job resource as last fetched */
  get resource(): EvaluationResource {
    return this.#resource
  }
  /** null until FINISHED */
  get summary(): EvaluationSummary | null {
    return this.#resource.summary
  }

  async refresh(): Promise<this> {
    this.#resource = await this.client.call(api.getEvaluation, {
      params: { evaluationId: this.id },
    })
    return this
  }

  /** Polls while RUNNING; a FAILED evaluation does not throw (see `resource.failureReason`). */
  async waitUntilDone(options: EvaluationWaitOptions = {}): Promise<this> {
    const deadline =
      options.timeoutSeconds === undefined ? Infinity : Date.now() + options.timeoutSeconds * 1000
    const delays = pollDelays(DEFAULT_BACKOFF, options.sleepTimeSeconds)
    while (this.#resource.state === 'RUNNING') {
      if (Date.now() >= deadline)
        throw new LabelportError(
          'unavailable',
          `evaluation ${this.name} did not finish within ${options.timeoutSeconds} s (progress ${this.progress})`,
        )
      await sleep(Math.min(delays.next().value, Math.max(0, deadline - Date.now())), options.signal)
      await this.refresh()
    }
    return this
  }

  /** Per-data-row counts, sorted by most FN / most FP / lowest IoU, optionally only rows with FN or FP. */
  async dataRows(
    options: { sort?: 'fn' | 'fp' | 'lowestIou'; only?: 'fn' | 'fp' } = {},
  ): Promise<EvaluationDataRow[]> {
    const rows: EvaluationDataRow[] = []
    let cursor: string | undefined
    do {
      const page = await this.client.call(api.listEvaluationDataRows, {
        params: { evaluationId: this.id },
        query: { limit: 1000, ...options, ...(cursor === undefined ? {} : { cursor }) },
      })
      rows.push(...page.items)
      cursor = page.nextCursor ?? undefined
    } while (cursor !== undefined)
    return rows
  }

  /** Per-object results (every page), filtered. */
  async objects(filter: EvaluationObjectFilter = {}): Promise<EvaluationObject[]> {
    const objects: EvaluationObject[] = []
    let cursor: string | undefined
    do {
      const page = await this.client.call(api.listEvaluationObjects, {
        params: { evaluationId: this.id },
        query: { limit: 10000, ...filter, ...(cursor === undefined ? {} : { cursor }) },
      })
      objects.push(...page.items)
      cursor = page.nextCursor ?? undefined
    } while (cursor !== undefined)
    return objects
  }
}
