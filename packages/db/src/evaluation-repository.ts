/**
 * Every query about evaluations (migration 0004): the job rows, the per-object results and the
 * per-data-row counts the web app sorts by. Same Kysely handle as `Store`, its own tables.
 */
import { sql, type Kysely } from 'kysely'
import type {
  Evaluation,
  EvaluationDataRow,
  EvaluationObject,
  EvaluationParams,
  EvaluationSummary,
  Issue,
} from '@labelport/core'
import type { Connection } from './connect.ts'
import type { Page } from './store.ts'

export interface EvaluationTable {
  id: string
  organization_id: string
  project_id: string
  name: string
  state: 'QUEUED' | 'RUNNING' | 'FINISHED' | 'FAILED'
  progress: number
  params_json: string
  summary_json: string | null
  failure_reason_json: string | null
  created_at: string
  finished_at: string | null
}
export interface EvaluationObjectTable {
  evaluation_id: string
  position: number
  data_row_id: string
  annotation_id: string
  layer: 'prelabel' | 'label'
  feature_schema_id: string
  status: EvaluationObject['status']
  match_annotation_id: string | null
  match_feature_schema_id: string | null
  iou: number | null
  score: number | null
}
export interface EvaluationDataRowTable {
  evaluation_id: string
  data_row_id: string
  global_key: string | null
  tp: number
  fp: number
  fn: number
  lowest_iou: number | null
}
interface EvaluationSchema {
  evaluation: EvaluationTable
  evaluation_object: EvaluationObjectTable
  evaluation_data_row: EvaluationDataRowTable
}

const now = (): string => new Date().toISOString()

function toEvaluation(r: EvaluationTable): Evaluation {
  return {
    id: r.id,
    projectId: r.project_id,
    name: r.name,
    // queued jobs are RUNNING to clients, as imports are
    state: r.state === 'QUEUED' ? 'RUNNING' : r.state,
    progress: `${r.progress}%`,
    params: JSON.parse(r.params_json) as EvaluationParams,
    createdAt: r.created_at,
    finishedAt: r.finished_at,
    summary: r.summary_json === null ? null : (JSON.parse(r.summary_json) as EvaluationSummary),
    failureReason:
      r.failure_reason_json === null ? null : (JSON.parse(r.failure_reason_json) as Issue),
  }
}

export class EvaluationRepository {
  readonly #db: Kysely<EvaluationSchema>

  constructor(conn: Connection) {
    this.#db = conn.db as unknown as Kysely<EvaluationSchema>
  }

  async create(e: {
    id: string
    organizationId: string
    projectId: string
    name: string
    params: EvaluationParams
  }): Promise<Evaluation> {
    const row: EvaluationTable = {
      id: e.id,
      organization_id: e.organizationId,
      project_id: e.projectId,
      name: e.name,
      state: 'QUEUED',
      progress: 0,
      params_json: JSON.stringify(e.params),
      summary_json: null,
      failure_reason_json: null,
      created_at: now(),
      finished_at: null,
    }
    await this.#db.insertInto('evaluation').values(row).execute()
    return toEvaluation(row)
  }

  async get(organizationId: string, id: string): Promise<Evaluation | undefined> {
    const row = await this.#db
      .selectFrom('evaluation')
      .selectAll()
      .where('organization_id', '=', organizationId)
      .where('id', '=', id)
      .executeTakeFirst()
    return row && toEvaluation(row)
  }

  async getRow(id: string): Promise<EvaluationTable | undefined> {
    return this.#db.selectFrom('evaluation').selectAll().where('id', '=', id).executeTakeFirst()
  }

  async list(
    projectId: string,
    cursor: string | undefined,
    limit: number,
  ): Promise<Page<Evaluation>> {
    let q = this.#db
      .selectFrom('evaluation')
      .selectAll()
      .where('project_id', '=', projectId)
      .orderBy('id', 'desc')
      .limit(limit + 1)
    if (cursor) q = q.where('id', '<', cursor)
    const rows = await q.execute()
    const items = rows.slice(0, limit).map(toEvaluation)
    return { items, nextCursor: rows.length > limit ? (items.at(-1)?.id ?? null) : null }
  }

  /** QUEUED → RUNNING for one worker only (a conditional UPDATE, safe with several servers). */
  async claimQueued(): Promise<EvaluationTable | undefined> {
    for (;;) {
      const next = await this.#db
        .selectFrom('evaluation')
        .select('id')
        .where('state', '=', 'QUEUED')
        .orderBy('created_at')
        .limit(1)
        .executeTakeFirst()
      if (!next) return undefined
      const claimed = await this.#db
        .updateTable('evaluation')
        .set({ state: 'RUNNING' })
        .where('id', '=', next.id)
        .where('state', '=', 'QUEUED')
        .executeTakeFirst()
      if (Number(claimed.numUpdatedRows) === 1) return this.getRow(next.id)
    }
  }

  async setProgress(id: string, progress: number): Promise<void> {
    await this.#db.updateTable('evaluation').set({ progress }).where('id', '=', id).execute()
  }

  async fail(id: string, reason: Issue): Promise<void> {
    await this.#db
      .updateTable('evaluation')
      .set({ state: 'FAILED', failure_reason_json: JSON.stringify(reason), finished_at: now() })
      .where('id', '=', id)
      .execute()
  }

  /** Jobs RUNNING when a single-process server stopped can never finish. */
  async failInterrupted(reason: Issue): Promise<void> {
    await this.#db
      .updateTable('evaluation')
      .set({ state: 'FAILED', failure_reason_json: JSON.stringify(reason), finished_at: now() })
      .where('state', '=', 'RUNNING')
      .execute()
  }

  /** Writes every result, then marks the job FINISHED, in one transaction: nothing half-written. */
  async finish(
    id: string,
    summary: EvaluationSummary,
    objects: EvaluationObject[],
    rows: EvaluationDataRow[],
  ): Promise<void> {
    await this.#db.transaction().execute(async (trx) => {
      const chunk = 2000 // 11 columns: under SQLite's 32,766 bound parameters
      for (let i = 0; i < objects.length; i += chunk)
        await trx
          .insertInto('evaluation_object')
          .values(
            objects.slice(i, i + chunk).map((o, j) => ({
              evaluation_id: id,
              position: i + j,
              data_row_id: o.dataRowId,
              annotation_id: o.annotationId,
              layer: o.layer,
              feature_schema_id: o.featureSchemaId,
              status: o.status,
              match_annotation_id: o.matchAnnotationId,
              match_feature_schema_id: o.matchFeatureSchemaId,
              iou: o.iou,
              score: o.score,
            })),
          )
          .execute()
      for (let i = 0; i < rows.length; i += chunk)
        await trx
          .insertInto('evaluation_data_row')
          .values(
            rows.slice(i, i + chunk).map((r) => ({
              evaluation_id: id,
              data_row_id: r.dataRowId,
              global_key: r.globalKey,
              tp: r.tp,
              fp: r.fp,
              fn: r.fn,
              lowest_iou: r.lowestIou,
            })),
          )
          .execute()
      await trx
        .updateTable('evaluation')
        .set({
          state: 'FINISHED',
          progress: 100,
          summary_json: JSON.stringify(summary),
          finished_at: now(),
        })
        .where('id', '=', id)
        .execute()
    })
  }

  async listDataRows(
    id: string,
    options: {
      offset: number
      limit: number
      sort?: 'fn' | 'fp' | 'lowestIou' | undefined
      only?: 'fn' | 'fp' | undefined
    },
  ): Promise<Page<EvaluationDataRow>> {
    let q = this.#db.selectFrom('evaluation_data_row').selectAll().where('evaluation_id', '=', id)
    if (options.only === 'fn') q = q.where('fn', '>', 0)
    if (options.only === 'fp') q = q.where('fp', '>', 0)
    if (options.sort === 'fn') q = q.orderBy('fn', 'desc')
    if (options.sort === 'fp') q = q.orderBy('fp', 'desc')
    if (options.sort === 'lowestIou')
      q = q.orderBy(sql`case when lowest_iou is null then 1 else 0 end`).orderBy('lowest_iou')
    const rows = await q
      .orderBy('data_row_id')
      .offset(options.offset)
      .limit(options.limit + 1)
      .execute()
    return {
      items: rows.slice(0, options.limit).map((r) => ({
        dataRowId: r.data_row_id,
        globalKey: r.global_key,
        tp: Number(r.tp),
        fp: Number(r.fp),
        fn: Number(r.fn),
        lowestIou: r.lowest_iou === null ? null : Number(r.lowest_iou),
      })),
      nextCursor: rows.length > options.limit ? String(options.offset + options.limit) : null,
    }
  }

  async listObjects(
    id: string,
    filter: {
      offset: number
      limit: number
      dataRowId?: string | undefined
      layer?: 'prelabel' | 'label' | undefined
      status?: EvaluationObject['status'] | undefined
      featureSchemaId?: string | undefined
      /** `null`: no match (the background row or column) */
      matchFeatureSchemaId?: string | null | undefined
    },
  ): Promise<Page<EvaluationObject>> {
    let q = this.#db.selectFrom('evaluation_object').selectAll().where('evaluation_id', '=', id)
    if (filter.dataRowId !== undefined) q = q.where('data_row_id', '=', filter.dataRowId)
    if (filter.layer !== undefined) q = q.where('layer', '=', filter.layer)
    if (filter.status !== undefined) q = q.where('status', '=', filter.status)
    if (filter.featureSchemaId !== undefined)
      q = q.where('feature_schema_id', '=', filter.featureSchemaId)
    if (filter.matchFeatureSchemaId === null) q = q.where('match_feature_schema_id', 'is', null)
    else if (filter.matchFeatureSchemaId !== undefined)
      q = q.where('match_feature_schema_id', '=', filter.matchFeatureSchemaId)
    const rows = await q
      .orderBy('position')
      .offset(filter.offset)
      .limit(filter.limit + 1)
      .execute()
    return {
      items: rows.slice(0, filter.limit).map((r) => ({
        annotationId: r.annotation_id,
        dataRowId: r.data_row_id,
        layer: r.layer,
        featureSchemaId: r.feature_schema_id,
        status: r.status,
        matchAnnotationId: r.match_annotation_id,
        matchFeatureSchemaId: r.match_feature_schema_id,
        iou: r.iou === null ? null : Number(r.iou),
        score: r.score === null ? null : Number(r.score),
      })),
      nextCursor: rows.length > filter.limit ? String(filter.offset + filter.limit) : null,
    }
  }
}
