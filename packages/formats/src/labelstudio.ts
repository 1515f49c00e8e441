/**
 * Label Studio JSON export (a list of tasks), in and out (conventions: docs/formats.md#label-studio).
 *
 * A task is `{data: {image}, annotations: [{result}], predictions: [{score, result}]}`. Region
 * results carry `x`, `y`, `width`, `height` and polygon/keypoint points in **percent** of
 * `original_width` × `original_height` (converted with those, never with a displayed size);
 * negative widths and heights are normalised. `rectanglelabels` → box (a `rotation` is kept in
 * `ls_rotation` and reported), `polygonlabels` → polygon, `keypointlabels` → point,
 * `brushlabels` (Label Studio's own RLE, labelstudio-rle.ts) → mask; `choices` and `textarea`
 * with a region's `id` → classifications nested in that region, without one → classifications
 * of the image. `annotations` are read for ground truth (the first one not cancelled; the others
 * are reported), `predictions` for pre-labels with `confidence` = the result's or prediction's score.
 * The global key is the image URL's file name (`?d=` of local-files URLs decoded).
 */
import { compressCounts, countsFromMask, countsToMask, checkRle } from '@labelport/core'
import type { NdClassification, NdClassificationLine, NdObjectLine } from '@labelport/core'
import {
  readText,
  type FileSource,
  type FormatEvent,
  type FormatIssue,
  type ProposedClassification,
  type ProposedTool,
  type SourceLocation,
} from './model.ts'
import {
  exportClassifications,
  exportObjects,
  type ExportClassificationLike,
  type ExportRowLike,
  type Layer,
} from './rows.ts'
import { brushToMask, maskToBrush } from './labelstudio-rle.ts'
import {
  featuresOf,
  labelOfFeature,
  mergeClassifications,
  noteTool,
  openRing,
  toolFeatureName,
} from './shared.ts'

type Json = Record<string, unknown>
const isRecord = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v)
const finite = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v)

const REGION: Record<string, ProposedTool> = {
  rectanglelabels: 'rectangle',
  rectangle: 'rectangle',
  polygonlabels: 'polygon',
  polygon: 'polygon',
  keypointlabels: 'point',
  keypoint: 'point',
  brushlabels: 'raster-segmentation',
  brush: 'raster-segmentation',
}

/** Whether a file's first bytes are a Label Studio JSON export (a list of tasks with `data`). */
export function detectLabelStudio(head: string): boolean {
  const text = head.trimStart()
  return (
    text.startsWith('[') &&
    /"data"\s*:/.test(text) &&
    /"(annotations|predictions)"\s*:/.test(text) &&
    /"(from_name|result)"\s*:/.test(text)
  )
}

/** The global key of a task's image URL: its file name (`?d=` of local files decoded). */
export function labelStudioImageKey(url: string): string {
  const d = /[?&]d=([^&]+)/.exec(url)
  const path = d ? decodeURIComponent(d[1]!) : url.replace(/[?#].*$/, '')
  const name = path.split('/').pop() ?? path
  try {
    return decodeURIComponent(name)
  } catch {
    return name
  }
}

function imageUrl(data: unknown): string | undefined {
  if (!isRecord(data)) return undefined
  if (typeof data.image === 'string') return data.image
  const strings = Object.values(data).filter(
    (v): v is string =>
      typeof v === 'string' &&
      /\.(jpe?g|png|bmp|gif|webp|tiff?)([?#]|$)|^(https?|s3|gs):\/\/|^\/data\//i.test(v),
  )
  return strings.length === 1 ? strings[0] : undefined
}

export interface LabelStudioReadOptions {
  /** `annotations` (ground truth, default) or `predictions` (pre-labels with their scores) */
  take?: 'annotations' | 'predictions'
}

interface Pending {
  label: string
  tool: ProposedTool
  build: (name: string, nested: NdClassification[]) => FormatEvent
  regionId: string | undefined
}

/** Reads a Label Studio JSON export: images, features, classifications, then the lines. */
export async function* readLabelStudio(
  source: FileSource,
  opts: LabelStudioReadOptions = {},
): AsyncGenerator<FormatEvent> {
  yield* readLabelStudioJson(await readText(source), source.name, opts)
}

export function readLabelStudioJson(
  json: string,
  file: string,
  opts: LabelStudioReadOptions = {},
): FormatEvent[] {
  const take = opts.take ?? 'annotations'
  const issues: FormatEvent[] = []
  const issue = (
    code: FormatIssue['code'],
    message: string,
    source: SourceLocation,
    warning = false,
  ) =>
    issues.push({
      type: 'issue',
      issue: {
        code,
        message: `${source.element ?? file}: ${message}`,
        source,
        ...(warning ? { warning } : {}),
      },
    })
  let tasks: unknown
  try {
    tasks = JSON.parse(json)
  } catch (error) {
    return [
      {
        type: 'issue',
        issue: {
          code: 'format_syntax_invalid',
          message: `${file} is not valid JSON: ${error instanceof Error ? error.message : String(error)}`,
          source: { file },
        },
      },
    ]
  }
  if (isRecord(tasks)) tasks = [tasks]
  if (!Array.isArray(tasks))
    return [
      {
        type: 'issue',
        issue: {
          code: 'format_unrecognized',
          message: `${file} is not a list of Label Studio tasks`,
          source: { file },
        },
      },
    ]
  const head: FormatEvent[] = []
  const used = new Map<string, Set<ProposedTool>>()
  const nestedOf = new Map<string, ProposedClassification[]>()
  const globals: ProposedClassification[] = []
  const pending: Pending[] = []
  const globalLines: FormatEvent[] = []
  const keys = new Set<string>()
  for (const [t, task] of (tasks as unknown[]).entries()) {
    const taskElement = `[${t}]`
    const url = isRecord(task) ? imageUrl(task.data) : undefined
    if (!isRecord(task) || url === undefined) {
      issue('format_element_invalid', 'a task needs data.image (or one image URL in data)', {
        file,
        element: taskElement,
        ...(isRecord(task) && (typeof task.id === 'number' || typeof task.id === 'string')
          ? { annotationId: task.id }
          : {}),
      })
      continue
    }
    const globalKey = labelStudioImageKey(url)
    if (keys.has(globalKey)) {
      issue(
        'format_element_invalid',
        `image ${globalKey} appears in an earlier task; this task is not imported`,
        {
          file,
          element: taskElement,
        },
      )
      continue
    }
    keys.add(globalKey)
    const dataRow = { globalKey }
    const layers = (Array.isArray(task[take]) ? task[take] : []) as unknown[]
    let width: number | null = null
    let height: number | null = null
    // ground truth: one label per image, the first annotation that was not cancelled
    const chosen: [number, unknown][] = []
    for (const [a, ann] of layers.entries()) {
      if (take === 'annotations') {
        if (isRecord(ann) && ann.was_cancelled === true) continue
        if (chosen.length > 0) {
          issue(
            'format_geometry_lossy',
            `annotation ${isRecord(ann) ? String(ann.id) : a} is not imported: an image has one label, the task's first annotation is`,
            { file, element: `${taskElement}.annotations[${a}]` },
            true,
          )
          continue
        }
      }
      chosen.push([a, ann])
    }
    for (const [a, ann] of chosen) {
      const annElement = `${taskElement}.${take}[${a}]`
      if (!isRecord(ann) || !Array.isArray(ann.result)) {
        issue('format_element_invalid', `${take} need a result list`, { file, element: annElement })
        continue
      }
      const layerScore = finite(ann.score) ? ann.score : undefined
      for (const [r, res] of (ann.result as unknown[]).entries()) {
        const element = `${annElement}.result[${r}]`
        const src: SourceLocation = { file, element }
        if (!isRecord(res) || !isRecord(res.value) || typeof res.type !== 'string') {
          issue('format_element_invalid', 'a result needs a type and a value', src)
          continue
        }
        const regionId =
          typeof res.id === 'string' || typeof res.id === 'number' ? String(res.id) : undefined
        if (regionId !== undefined) src.annotationId = regionId
        const value = res.value
        const W = finite(res.original_width) ? res.original_width : null
        const H = finite(res.original_height) ? res.original_height : null
        if (W !== null && H !== null && width === null) {
          width = W
          height = H
        }
        const score = finite(res.score) ? res.score : layerScore
        const confidence =
          take === 'predictions' && score !== undefined ? { confidence: score } : {}
        const type = res.type
        if (type === 'choices' || type === 'textarea') {
          const name =
            typeof res.from_name === 'string' && res.from_name !== '' ? res.from_name : type
          let answer: NdClassification['answer']
          let proposed: ProposedClassification
          if (type === 'choices') {
            const choices = value.choices
            if (
              !Array.isArray(choices) ||
              !choices.every((c) => typeof c === 'string') ||
              choices.length === 0
            ) {
              issue('format_element_invalid', 'choices needs value.choices, a list of strings', src)
              continue
            }
            answer =
              choices.length === 1 ? { name: choices[0]! } : choices.map((c) => ({ name: c }))
            proposed = {
              type: choices.length === 1 ? 'radio' : 'checklist',
              name,
              options: choices,
            }
          } else {
            const text = value.text
            if (!Array.isArray(text) || !text.every((c) => typeof c === 'string')) {
              issue('format_element_invalid', 'textarea needs value.text, a list of strings', src)
              continue
            }
            answer = text.join('\n')
            proposed = { type: 'text', name, options: [] }
          }
          const region =
            regionId !== undefined
              ? pending.find((p) => p.regionId === regionId && p.label !== '')
              : undefined
          if (region) {
            const list = nestedOf.get(region.label) ?? []
            list.push(proposed)
            nestedOf.set(region.label, list)
            const prev = region.build
            const extra: NdClassification = { name, answer }
            region.build = (n, nested) => prev(n, [extra, ...nested])
          } else {
            globals.push(proposed)
            const line: NdClassificationLine = { name, dataRow, answer, ...confidence }
            globalLines.push({ type: 'line', line: { line, source: src } })
          }
          continue
        }
        const tool = REGION[type]
        if (tool === undefined) {
          issue(
            type === 'relation' || type === 'taxonomy' || type.startsWith('ellipse')
              ? 'format_geometry_lossy'
              : 'format_element_invalid',
            `results of type ${type} are not imported`,
            src,
            type === 'relation' || type === 'taxonomy',
          )
          continue
        }
        const labels = value[type] ?? value.labels
        const label = Array.isArray(labels) && typeof labels[0] === 'string' ? labels[0] : undefined
        if (label === undefined || label === '') {
          issue('format_element_invalid', `value.${type} needs a label`, src)
          continue
        }
        if (Array.isArray(labels) && labels.length > 1)
          issue(
            'format_geometry_lossy',
            `${labels.length} labels on one region; the first, ${label}, is kept`,
            src,
            true,
          )
        if (W === null || H === null || W <= 0 || H <= 0) {
          issue(
            'format_image_size_unknown',
            'original_width and original_height are needed to place percent coordinates',
            src,
          )
          continue
        }
        const px = (v: number) => (v * W) / 100
        const py = (v: number) => (v * H) / 100
        let geometry: Partial<NdObjectLine> | null = null
        const metrics: { name: string; value: number }[] = []
        if (tool === 'rectangle') {
          const [x, y, w, h] = [value.x, value.y, value.width, value.height]
          if (!finite(x) || !finite(y) || !finite(w) || !finite(h)) {
            issue('format_element_invalid', 'a rectangle needs numeric x, y, width and height', src)
            continue
          }
          const rotation = finite(value.rotation) ? value.rotation : 0
          if (rotation !== 0) {
            metrics.push({ name: 'ls_rotation', value: rotation })
            issue(
              'format_geometry_lossy',
              `rotated ${rotation}°; Labelport boxes are upright, so it shows unrotated (the rotation is kept and exported again)`,
              src,
              true,
            )
          }
          geometry = {
            bbox: {
              left: px(Math.min(x, x + w)),
              top: py(Math.min(y, y + h)),
              width: px(Math.abs(w)),
              height: py(Math.abs(h)),
            },
          }
        } else if (tool === 'polygon') {
          const points = value.points
          if (
            !Array.isArray(points) ||
            points.length < 3 ||
            !points.every((p) => Array.isArray(p) && p.length >= 2 && finite(p[0]) && finite(p[1]))
          ) {
            issue('format_element_invalid', 'a polygon needs at least 3 [x, y] points', src)
            continue
          }
          geometry = {
            polygon: (points as number[][]).map((p) => ({ x: px(p[0]!), y: py(p[1]!) })),
          }
        } else if (tool === 'point') {
          if (!finite(value.x) || !finite(value.y)) {
            issue('format_element_invalid', 'a keypoint needs numeric x and y', src)
            continue
          }
          geometry = { point: { x: px(value.x), y: py(value.y) } }
        } else {
          const rle = value.rle
          if (
            value.format !== 'rle' ||
            !Array.isArray(rle) ||
            !rle.every((b) => Number.isInteger(b) && (b as number) >= 0 && (b as number) < 256)
          ) {
            issue(
              'format_element_invalid',
              'a brush needs format "rle" and rle, a list of bytes',
              src,
            )
            continue
          }
          try {
            const mask = brushToMask(rle as number[], W, H)
            geometry = {
              mask: { counts: compressCounts(countsFromMask(mask, W, H)), size: [H, W] },
            }
          } catch (error) {
            issue(
              'mask_rle_invalid',
              `the brush RLE does not decode: ${error instanceof Error ? error.message : String(error)}`,
              src,
            )
            continue
          }
        }
        noteTool(used, label, tool)
        const g = geometry
        pending.push({
          label,
          tool,
          regionId,
          build: (name, nested) => ({
            type: 'line',
            line: {
              line: {
                ...g,
                name,
                dataRow,
                ...confidence,
                ...(nested.length > 0 ? { classifications: nested } : {}),
                ...(metrics.length > 0 ? { customMetrics: metrics } : {}),
              } as NdObjectLine,
              source: src,
            },
          }),
        })
      }
    }
    head.push({
      type: 'image',
      image: { globalKey, width, height, source: { file, element: taskElement } },
    })
  }
  const out: FormatEvent[] = [...head]
  for (const feature of featuresOf(used, (label) =>
    mergeClassifications(nestedOf.get(label) ?? []),
  ))
    out.push({ type: 'feature', feature })
  for (const classification of mergeClassifications(globals))
    out.push({ type: 'classification', classification })
  for (const p of pending)
    out.push(p.build(toolFeatureName(p.label, p.tool, used.get(p.label)!), []))
  out.push(...globalLines, ...issues)
  return out
}

// ---------------------------------------------------------------------------------------------
// out

export interface LabelStudioWriteOptions {
  layer: Layer
  /** the `from_name` of region results (the labelling config's control); default `label` */
  fromName?: string
  /** the `to_name` (the Image tag's name); default `image` */
  toName?: string
}

const TYPE: Record<string, string> = {
  bounding_box: 'rectanglelabels',
  polygon: 'polygonlabels',
  point: 'keypointlabels',
  mask_rle: 'brushlabels',
}

function classificationResults(
  list: readonly ExportClassificationLike[],
  base: Json,
  id: string | undefined,
): Json[] {
  const out: Json[] = []
  for (const c of list) {
    const common = { ...base, ...(id !== undefined ? { id } : {}), from_name: c.name }
    if (c.text_answer)
      out.push({ ...common, type: 'textarea', value: { text: c.text_answer.content.split('\n') } })
    else {
      const choices =
        c.checklist_answers?.map((a) => a.name) ?? (c.radio_answer ? [c.radio_answer.name] : [])
      out.push({ ...common, type: 'choices', value: { choices } })
    }
  }
  return out
}

/** A Label Studio task list: one task per data row with a label (labels → annotations, pre-labels → predictions). */
export async function* writeLabelStudio(
  rows: AsyncIterable<ExportRowLike> | Iterable<ExportRowLike>,
  opts: LabelStudioWriteOptions,
  issues: FormatIssue[] = [],
): AsyncGenerator<string> {
  const fromName = opts.fromName ?? 'label'
  const toName = opts.toName ?? 'image'
  let first = true
  let taskId = 0
  yield '['
  for await (const row of rows) {
    const key = row.data_row.global_key ?? row.data_row.id
    const { width: W, height: H } = row.media_attributes
    const layerResults = (layer: 'labels' | 'prelabels') => {
      const result: Json[] = []
      let regionId = 0
      const base = { to_name: toName, original_width: W, original_height: H, image_rotation: 0 }
      for (const o of exportObjects(row, layer)) {
        const id = `r${++regionId}`
        const label = labelOfFeature(o.name)
        const score = o.confidence !== undefined ? { score: o.confidence } : {}
        const common = { ...base, id, from_name: fromName, ...score }
        const x = (v: number) => (v / W) * 100
        const y = (v: number) => (v / H) * 100
        if (o.bounding_box) {
          const b = o.bounding_box
          const rotation = o.custom_metrics?.find((m) => m.name === 'ls_rotation')?.value ?? 0
          result.push({
            ...common,
            type: TYPE.bounding_box,
            value: {
              x: x(b.left),
              y: y(b.top),
              width: x(b.width),
              height: y(b.height),
              rotation,
              rectanglelabels: [label],
            },
          })
        } else if (o.polygon)
          result.push({
            ...common,
            type: TYPE.polygon,
            value: {
              points: openRing(o.polygon).map((p) => [x(p.x), y(p.y)]),
              closed: true,
              polygonlabels: [label],
            },
          })
        else if (o.point)
          result.push({
            ...common,
            type: TYPE.point,
            value: { x: x(o.point.x), y: y(o.point.y), width: 1, keypointlabels: [label] },
          })
        else if (o.mask_rle) {
          const checked = checkRle(o.mask_rle)
          if (!checked.ok) continue
          result.push({
            ...common,
            type: TYPE.mask_rle,
            value: {
              format: 'rle',
              rle: maskToBrush(countsToMask(checked.counts, checked.width, checked.height)),
              brushlabels: [label],
            },
          })
        } else {
          issues.push({
            code: 'format_geometry_lossy',
            message: `${key}: ${o.name} is ${o.line ? 'a polyline, which Label Studio JSON export does not hold' : 'a mask without its RLE (export with rle)'}; left out`,
            source: { file: 'tasks.json', annotationId: o.feature_id },
            warning: true,
          })
          continue
        }
        result.push(...classificationResults(o.classifications ?? [], base, id))
      }
      result.push(...classificationResults(exportClassifications(row, layer), base, undefined))
      return result
    }
    const has = (layer: 'labels' | 'prelabels') =>
      opts.layer === 'both' || opts.layer === layer
        ? Object.values(row.projects).some((p) => (p[layer]?.length ?? 0) > 0)
        : false
    if (!has('labels') && !has('prelabels')) continue
    const task = {
      id: ++taskId,
      // the global key is the image URL's file name: keep a URL that ends with it, else the key
      data: {
        image: row.data_row.row_data?.endsWith(`/${key}`) ? row.data_row.row_data : key,
      },
      annotations: has('labels') ? [{ result: layerResults('labels') }] : [],
      predictions: has('prelabels') ? [{ result: layerResults('prelabels') }] : [],
    }
    yield (first ? '\n' : ',\n') + JSON.stringify(task)
    first = false
  }
  yield '\n]\n'
}
