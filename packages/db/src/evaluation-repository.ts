/**
 * Every query about evaluations (migration 0004): the job rows, the per-object results and the
 * per-data-row counts the web app sorts by. Same Kysely handle as the other repositories, its own tables.
 */
import { sql, type Kysely } from 'kysely'
import {
  EvaluationParamsSchema,
  EvaluationSummarySchema,
  IssueSchema,
  type EvaluationDataRow,
  type EvaluationObject,
  type EvaluationParams,
  type EvaluationSummary,
  type Issue,
} from '@labelport/core'
import type { Connection } from './connect.ts'
import { now, readJsonColumn, toOffsetPage, toPage, type Page } from './query-helpers.ts'

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

/** An evaluation as stored (how it looks to clients is the server's business). */
export interface EvaluationRecord {
  id: string
  organizationId: string
  projectId: string
  name: string
  state: EvaluationTable['state']
  /** 0–100 */
  progress: number
  params: EvaluationParams
  createdAt: string
  finishedAt: string | null
  summary: EvaluationSummary | null
  failureReason: Issue | null
}

export function toEvaluationRecord(r: EvaluationTable): EvaluationRecord {
  return {
    id: r.id,
    organizationId: r.organization_id,
    projectId: r.project_id,
    name: r.name,
    state: r.state,
    progress: r.progress,
    params: readJsonColumn(EvaluationParamsSchema, r.params_json, 'evaluation.params_json'),
    createdAt: r.created_at,
    finishedAt: r.finished_at,
    summary:
      r.summary_json === null
        ? null
        : readJsonColumn(EvaluationSummarySchema, r.summary_json, 'evaluation.summary_json'),
    failureReason:
      r.failure_reason_json === null
        ? null
        : readJsonColumn(IssueSchema, r.failure_reason_json, 'evaluation.failure_reason_json'),
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
  }): Promise<EvaluationRecord> {
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
    return toEvaluationRecord(row)
  }

  /** The evaluation by id, in the organization (`undefined`: any organization, for its worker). */
  async get(organizationId: string | undefined, id: string): Promise<EvaluationRecord | undefined> {
    let q = this.#db.selectFrom('evaluation').selectAll().where('id', '=', id)
    if (organizationId !== undefined) q = q.where('organization_id', '=', organizationId)
    const row = await q.executeTakeFirst()
    return row && toEvaluationRecord(row)
  }

  async list(
    projectId: string,
    cursor: string | undefined,
    limit: number,
  ): Promise<Page<EvaluationRecord>> {
    let q = this.#db
      .selectFrom('evaluation')
      .selectAll()
      .where('project_id', '=', projectId)
      .orderBy('id', 'desc')
      .limit(limit + 1)
    if (cursor) q = q.where('id', '<', cursor)
    return toPage((await q.execute()).map(toEvaluationRecord), limit)
  }

  /** QUEUED → RUNNING for one worker only (a conditional UPDATE, safe with several servers). */
  async claimQueued(): Promise<EvaluationRecord | undefined> {
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
      if (Number(claimed.numUpdatedRows) === 1) return this.get(undefined, next.id)
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
    return toOffsetPage(
      rows.map((r) => ({
        dataRowId: r.data_row_id,
        globalKey: r.global_key,
        tp: Number(r.tp),
        fp: Number(r.fp),
        fn: Number(r.fn),
        lowestIou: r.lowest_iou === null ? null : Number(r.lowest_iou),
      })),
      options.offset,
      options.limit,
    )
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
    return toOffsetPage(
      rows.map((r) => ({
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
      filter.offset,
      filter.limit,
    )
  }
}
