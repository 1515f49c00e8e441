/**
 * Evaluation jobs (issue 14): pre-labels (of one import, or all) against labels, on the data rows
 * that have ground truth. COCOeval and the per-object matching run in @labelport/evaluation; this
 * service turns stored annotations into its input, runs it as a queued job and stores the results.
 */
import {
  AppError,
  issue,
  newId,
  type AnnotationRecord,
  type CreateEvaluationBody,
  type Evaluation,
  type EvaluationClass,
  type EvaluationDataRow,
  type EvaluationObject,
  type EvaluationParams,
  type EvaluationSummary,
  type NormalizedOntology,
  type ObjectRecord,
} from '@labelport/core'
import type { EvaluationRepository, Repositories } from '@labelport/db'
import {
  defaultCocoParams,
  evaluatePrepared,
  matchPrepared,
  prepareCocoSet,
  rleArea,
  rleFromPolygon,
  type CocoDataset,
  type CocoDetection,
  type CocoGroundTruth,
} from '@labelport/evaluation'
import { systemCaller, type Caller } from './auth-service.ts'
import type { ImportService } from './import-service.ts'
import { toEvaluation } from './job-views.ts'
import type { ProjectService } from './project-service.ts'

/** tools whose objects have an area to compare */
const EVALUATED_TOOLS = new Set(['rectangle', 'polygon', 'raster-segmentation'])

interface LoadedObject {
  annotationId: string
  dataRowId: string
  record: ObjectRecord
}

export class EvaluationService {
  readonly #repos: Pick<Repositories, 'annotations'>
  readonly #repo: EvaluationRepository
  readonly #projects: ProjectService
  readonly #imports: ImportService
  #wake: (() => void) | null = null
  #stopped = false
  #loop: Promise<void> | null = null
  #idleWaiters: (() => void)[] = []

  constructor(deps: {
    repos: Pick<Repositories, 'annotations'>
    repository: EvaluationRepository
    projects: ProjectService
    imports: ImportService
  }) {
    this.#repos = deps.repos
    this.#repo = deps.repository
    this.#projects = deps.projects
    this.#imports = deps.imports
  }

  async create(caller: Caller, projectId: string, body: CreateEvaluationBody): Promise<Evaluation> {
    const project = await this.#projects.getProject(caller, projectId)
    const ontology = await this.#projects.projectOntology(caller, project)
    if (body.importId !== undefined) {
      const job = await this.#imports.get(caller, body.importId).catch((err: unknown) => {
        throw err instanceof AppError
          ? new AppError(err.code, err.message, { path: ['importId'] })
          : err
      })
      if (job.projectId !== projectId)
        throw new AppError('import_not_found', `Import ${body.importId} is not in this project`, {
          path: ['importId'],
        })
    }
    const tools = new Map(
      ontology.tools
        .filter((t) => EVALUATED_TOOLS.has(t.tool))
        .map((t) => [t.featureSchemaId ?? '', t]),
    )
    for (const [i, id] of body.featureSchemaIds.entries())
      if (!tools.has(id))
        throw new AppError(
          'validation_failed',
          `featureSchemaIds[${i}] '${id}' is not a box, polygon or mask feature of the project's ontology`,
          { path: ['featureSchemaIds', i] },
        )
    const params: EvaluationParams = {
      importId: body.importId ?? null,
      iouType: body.iouType,
      iouThreshold: body.iouThreshold,
      featureSchemaIds: body.featureSchemaIds,
      method: body.method,
      classwise: body.classwise,
      strictIou: body.strictIou,
    }
    const evaluation = await this.#repo.create({
      id: newId(),
      organizationId: caller.organizationId,
      projectId,
      name: body.name ?? `${body.iouType} at IoU ${body.iouThreshold}`,
      params,
    })
    this.#wake?.()
    return toEvaluation(evaluation)
  }

  async get(caller: Caller, id: string): Promise<Evaluation> {
    const evaluation = await this.#repo.get(caller.organizationId, id)
    if (!evaluation)
      throw new AppError('evaluation_not_found', `No evaluation ${id} in this organization`, {
        path: ['evaluationId'],
      })
    return toEvaluation(evaluation)
  }

  async list(caller: Caller, projectId: string, cursor?: string, limit?: number) {
    await this.#projects.getProject(caller, projectId)
    const page = await this.#repo.list(projectId, cursor, limit ?? 100)
    return { items: page.items.map(toEvaluation), nextCursor: page.nextCursor }
  }

  async dataRows(
    caller: Caller,
    id: string,
    query: {
      cursor?: string | undefined
      limit?: number | undefined
      sort?: 'fn' | 'fp' | 'lowestIou' | undefined
      only?: 'fn' | 'fp' | undefined
    },
  ) {
    await this.get(caller, id)
    return this.#repo.listDataRows(id, {
      offset: Number(query.cursor ?? 0),
      limit: query.limit ?? 100,
      sort: query.sort,
      only: query.only,
    })
  }

  async objects(
    caller: Caller,
    id: string,
    query: {
      cursor?: string | undefined
      limit?: number | undefined
      dataRowId?: string | undefined
      layer?: 'prelabel' | 'label' | undefined
      status?: EvaluationObject['status'] | undefined
      featureSchemaId?: string | undefined
      matchFeatureSchemaId?: string | undefined
    },
  ) {
    await this.get(caller, id)
    return this.#repo.listObjects(id, {
      offset: Number(query.cursor ?? 0),
      limit: query.limit ?? 1000,
      dataRowId: query.dataRowId,
      layer: query.layer,
      status: query.status,
      featureSchemaId: query.featureSchemaId,
      matchFeatureSchemaId:
        query.matchFeatureSchemaId === 'background' ? null : query.matchFeatureSchemaId,
    })
  }

  // ── the worker ─────────────────────────────────────────────────────────

  async start(opts: { singleProcess: boolean }): Promise<void> {
    if (opts.singleProcess)
      await this.#repo.failInterrupted(
        issue('internal', 'The server stopped while this evaluation was running; start it again'),
      )
    this.#loop = this.#work()
  }

  async stop(): Promise<void> {
    this.#stopped = true
    this.#wake?.()
    await this.#loop
  }

  /** Resolves when no queued evaluation is left (tests). */
  whenIdle(): Promise<void> {
    return new Promise((resolve) => {
      this.#idleWaiters.push(resolve)
      this.#wake?.()
    })
  }

  async #work(): Promise<void> {
    while (!this.#stopped) {
      const job = await this.#repo.claimQueued()
      if (job) {
        await this.#run(job.id)
        continue
      }
      for (const resolve of this.#idleWaiters.splice(0)) resolve()
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 1000)
        this.#wake = () => {
          clearTimeout(timer)
          resolve()
        }
      })
      this.#wake = null
    }
  }

  async #run(id: string): Promise<void> {
    const job = await this.#repo.get(undefined, id)
    if (!job) return
    try {
      const caller: Caller = systemCaller(job.organizationId)
      const { params } = job
      const project = await this.#projects.getProject(caller, job.projectId)
      const ontology = await this.#projects.projectOntology(caller, project)
      const loaded = await this.#load(job.projectId, params, ontology)
      await this.#repo.setProgress(id, 40)
      const results = evaluateLoaded(loaded, params)
      await this.#repo.setProgress(id, 90)
      await this.#repo.finish(id, results.summary, results.objects, results.rows)
    } catch (err) {
      const reason =
        err instanceof AppError
          ? { code: err.code, message: err.message, path: err.path }
          : issue('internal', `The evaluation stopped: ${(err as Error).message}`)
      if (!(err instanceof AppError)) console.error(`evaluation ${id} failed`, err)
      await this.#repo.fail(id, reason)
    }
  }

  /** Every data row with ground truth, its labels and the chosen pre-labels, as evaluator input. */
  async #load(
    projectId: string,
    params: EvaluationParams,
    ontology: NormalizedOntology,
  ): Promise<LoadedProject> {
    const features = ontology.tools.filter(
      (t) =>
        EVALUATED_TOOLS.has(t.tool) &&
        (params.featureSchemaIds.length === 0 ||
          params.featureSchemaIds.includes(t.featureSchemaId ?? '')),
    )
    const featureIds = new Set(features.map((f) => f.featureSchemaId ?? ''))
    const rows: LoadedProject['rows'] = []
    let cursor: string | undefined
    do {
      const page = await this.#repos.annotations.listProjectDataRows(projectId, cursor, 1000)
      const labelled = await this.#repos.annotations.getLabels(
        projectId,
        page.items.map((r) => r.id),
      )
      for (const r of page.items)
        if (labelled.has(r.id))
          rows.push({
            id: r.id,
            globalKey: r.globalKey,
            width: r.mediaAttributes.width,
            height: r.mediaAttributes.height,
          })
      cursor = page.nextCursor ?? undefined
    } while (cursor !== undefined)
    const labels: LoadedObject[] = []
    const prelabels: LoadedObject[] = []
    const ids = rows.map((r) => r.id)
    for await (const a of this.#repos.annotations.streamProjectAnnotations(projectId, ids)) {
      const record: AnnotationRecord = a.record
      if (record.kind !== 'object' || !featureIds.has(record.featureSchemaId)) continue
      if (a.layer === 'prelabel' && params.importId !== null && a.importId !== params.importId)
        continue
      ;(a.layer === 'label' ? labels : prelabels).push({
        annotationId: a.id,
        dataRowId: a.dataRowId,
        record,
      })
    }
    return {
      rows,
      features: features.map((f) => ({ id: f.featureSchemaId ?? '', name: f.name })),
      labels,
      prelabels,
    }
  }
}

export interface LoadedProject {
  rows: { id: string; globalKey: string | null; width: number; height: number }[]
  features: { id: string; name: string }[]
  labels: LoadedObject[]
  prelabels: LoadedObject[]
}

/** `[x, y, w, h]` around an object, its pixel area, and (segm) its COCO segmentation. */
function toCocoShape(
  record: ObjectRecord,
  image: { width: number; height: number },
): Pick<CocoGroundTruth, 'bbox' | 'segmentation' | 'area'> | undefined {
  const g = record.geometry
  switch (g.type) {
    case 'bbox':
      return { bbox: [g.left, g.top, g.width, g.height], area: g.width * g.height }
    case 'polygon': {
      const flat = g.points.flatMap((p) => [p.x, p.y])
      const xs = g.points.map((p) => p.x)
      const ys = g.points.map((p) => p.y)
      const left = Math.min(...xs)
      const top = Math.min(...ys)
      return {
        bbox: [left, top, Math.max(...xs) - left, Math.max(...ys) - top],
        segmentation: [flat],
        area: rleArea(rleFromPolygon(flat, image.height, image.width)),
      }
    }
    case 'mask':
      return {
        bbox: [g.bbox.left, g.bbox.top, g.bbox.width, g.bbox.height],
        segmentation: { counts: g.rle.counts, size: g.rle.size },
        area: g.area,
      }
    case 'line':
    case 'point':
      return undefined
  }
}

/**
 * The pure part of a job: COCO input from the loaded objects (COCO's conventions: a box result
 * gets its box area, a mask result its pixel area; a prediction without confidence scores 1),
 * COCOeval, the per-object matching, and the rows to store.
 */
export function evaluateLoaded(
  loaded: LoadedProject,
  params: EvaluationParams,
): { summary: EvaluationSummary; objects: EvaluationObject[]; rows: EvaluationDataRow[] } {
  const images = new Map(loaded.rows.map((r) => [r.id, r]))
  const dataset: CocoDataset = {
    images: loaded.rows.map((r) => ({ id: r.id, width: r.width, height: r.height })),
    categories: loaded.features.map((f) => ({ id: f.id, name: f.name })),
    annotations: [],
  }
  const truths: LoadedObject[] = []
  for (const o of loaded.labels) {
    const image = images.get(o.dataRowId)
    const shape = image && toCocoShape(o.record, image)
    if (!shape) continue
    truths.push(o)
    const { segmentation, ...box } = shape
    dataset.annotations.push({
      image_id: o.dataRowId,
      category_id: o.record.featureSchemaId,
      iscrowd: 0,
      ...(params.iouType === 'segm' && segmentation !== undefined ? shape : box),
    })
  }
  const predictions: LoadedObject[] = []
  const detections: CocoDetection[] = []
  for (const o of loaded.prelabels) {
    const image = images.get(o.dataRowId)
    const shape = image && toCocoShape(o.record, image)
    if (!shape) continue
    predictions.push(o)
    const base = {
      image_id: o.dataRowId,
      category_id: o.record.featureSchemaId,
      score: o.record.confidence ?? 1,
    }
    // loadRes: a box result's area is its box; a mask result (no bbox given) its pixels
    detections.push(
      params.iouType === 'segm' && shape.segmentation !== undefined
        ? { ...base, segmentation: shape.segmentation }
        : { ...base, bbox: shape.bbox! },
    )
  }
  const prepared = prepareCocoSet(dataset, detections, params.iouType)
  if (!prepared.ok) {
    const first = prepared.issues[0]!
    throw new AppError(first.code, `A stored object cannot be evaluated: ${first.message}`, {
      path: first.path,
    })
  }
  const coco = evaluatePrepared(prepared.set, defaultCocoParams(params.iouType))
  const matched = matchPrepared(prepared.set, {
    iouType: params.iouType,
    iouThreshold: params.iouThreshold,
    method: params.method,
    classwise: params.classwise,
    strictIou: params.strictIou,
  })

  const objects: EvaluationObject[] = []
  const perRow = new Map<string, EvaluationDataRow>(
    loaded.rows.map((r) => [
      r.id,
      { dataRowId: r.id, globalKey: r.globalKey, tp: 0, fp: 0, fn: 0, lowestIou: null },
    ]),
  )
  for (const g of matched.groundTruths) {
    const o = truths[g.index]!
    const match = g.match === null ? undefined : predictions[g.match]
    objects.push({
      annotationId: o.annotationId,
      dataRowId: o.dataRowId,
      layer: 'label',
      featureSchemaId: o.record.featureSchemaId,
      status: g.status,
      matchAnnotationId: match?.annotationId ?? null,
      matchFeatureSchemaId: match?.record.featureSchemaId ?? null,
      iou: g.iou,
      score: null,
    })
    const row = perRow.get(o.dataRowId)!
    if (g.status === 'fn') row.fn++
    if (g.status === 'tp') {
      row.tp++
      if (row.lowestIou === null || g.iou! < row.lowestIou) row.lowestIou = g.iou
    }
  }
  for (const p of matched.predictions) {
    const o = predictions[p.index]!
    const match = p.match === null ? undefined : truths[p.match]
    objects.push({
      annotationId: o.annotationId,
      dataRowId: o.dataRowId,
      layer: 'prelabel',
      featureSchemaId: o.record.featureSchemaId,
      status: p.status,
      matchAnnotationId: match?.annotationId ?? null,
      matchFeatureSchemaId: match?.record.featureSchemaId ?? null,
      iou: p.iou,
      score: p.score,
    })
    if (p.status === 'fp') perRow.get(o.dataRowId)!.fp++
  }

  const names = new Map(loaded.features.map((f) => [f.id, f.name]))
  const predictionCount = new Map<string, number>()
  for (const d of detections)
    predictionCount.set(
      String(d.category_id),
      (predictionCount.get(String(d.category_id)) ?? 0) + 1,
    )
  const classes: EvaluationClass[] = coco.perCategory.map((c, k) => {
    const m = matched.perClass[k]!
    return {
      featureSchemaId: String(c.categoryId),
      name: names.get(String(c.categoryId)) ?? '',
      ap: c.ap,
      ap50: c.ap50,
      ap75: c.ap75,
      ar: c.ar,
      groundTruths: c.groundTruths,
      predictions: predictionCount.get(String(c.categoryId)) ?? 0,
      tp: m.tp,
      fp: m.fp,
      fn: m.fn,
      precision: m.precision,
      recall: m.recall,
      f1: m.f1,
    }
  })
  return {
    summary: {
      images: loaded.rows.length,
      groundTruths: truths.length,
      predictions: predictions.length,
      cocoStats: coco.stats,
      classes,
      confusion: {
        labels: matched.confusion.labels.map((l) => (l === null ? null : String(l))),
        counts: matched.confusion.counts,
      },
    },
    objects,
    rows: [...perRow.values()],
  }
}
