/**
 * Labelbox export v2 (NDJSON, one data row per line) in, so a Labelbox project migrates whole
 * (conventions: docs/formats.md#labelbox-export-v2). Labelbox and Labelport share the geometry
 * convention (pixels, origin at the top-left corner), so objects are read unchanged:
 * `bounding_box`, `polygon`, `line`, `point`, masks (`mask_rle` when present, else the
 * `composite_mask` URL and color, which the import fetches), with their nested classifications;
 * the label's classifications become classifications of the image. The global key is the row's
 * `global_key` (else its id), `row_data` is kept for creating the data row.
 * Two streaming passes over the file: the ontology first, then the lines.
 */
import type { NdClassification, NdLine } from '@labelport/core'
import {
  type FileSource,
  type FormatEvent,
  type ProposedClassification,
  type ProposedTool,
} from './model.ts'
import { featuresOf, mergeClassifications, noteTool } from './shared.ts'

type Json = Record<string, unknown>
const isRecord = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v)

/** Whether a file's first line is a Labelbox export v2 row. */
export function detectLabelbox(head: string): boolean {
  const first = head.trimStart().split('\n', 1)[0] ?? ''
  return first.startsWith('{') && /"data_row"\s*:/.test(first) && /"projects"\s*:/.test(head)
}

async function* rows(source: FileSource): AsyncGenerator<{ line: number; text: string }> {
  const decoder = new TextDecoder('utf-8')
  let rest = ''
  let n = 0
  for await (const chunk of source.open()) {
    rest += typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true })
    let at: number
    while ((at = rest.indexOf('\n')) >= 0) {
      yield { line: ++n, text: rest.slice(0, at) }
      rest = rest.slice(at + 1)
    }
  }
  rest += decoder.decode()
  if (rest.trim() !== '') yield { line: ++n, text: rest }
}

interface ExportClassificationJson {
  name?: unknown
  radio_answer?: { name?: unknown; classifications?: unknown }
  checklist_answers?: { name?: unknown; classifications?: unknown }[]
  text_answer?: { content?: unknown }
}

function classificationOf(c: ExportClassificationJson): {
  nd: NdClassification
  proposed: ProposedClassification
} | null {
  if (typeof c.name !== 'string') return null
  if (isRecord(c.radio_answer) && typeof c.radio_answer.name === 'string')
    return {
      nd: { name: c.name, answer: { name: c.radio_answer.name } },
      proposed: { type: 'radio', name: c.name, options: [c.radio_answer.name] },
    }
  if (Array.isArray(c.checklist_answers)) {
    const names = c.checklist_answers
      .map((a) => a.name)
      .filter((n): n is string => typeof n === 'string')
    return {
      nd: { name: c.name, answer: names.map((name) => ({ name })) },
      proposed: { type: 'checklist', name: c.name, options: names },
    }
  }
  if (isRecord(c.text_answer) && typeof c.text_answer.content === 'string')
    return {
      nd: { name: c.name, answer: c.text_answer.content },
      proposed: { type: 'text', name: c.name, options: [] },
    }
  return null
}

function toolOf(o: Json): ProposedTool | null {
  if (isRecord(o.bounding_box)) return 'rectangle'
  if (Array.isArray(o.polygon)) return 'polygon'
  if (Array.isArray(o.line)) return 'line'
  if (isRecord(o.point)) return 'point'
  if (isRecord(o.mask_rle) || isRecord(o.composite_mask) || isRecord(o.mask))
    return 'raster-segmentation'
  return null
}

function labelsOf(row: Json): { project: string; label: Json; kind: 'labels' | 'prelabels' }[] {
  const out: { project: string; label: Json; kind: 'labels' | 'prelabels' }[] = []
  if (!isRecord(row.projects)) return out
  for (const [project, p] of Object.entries(row.projects)) {
    if (!isRecord(p)) continue
    for (const kind of ['labels', 'prelabels'] as const)
      if (Array.isArray(p[kind]))
        for (const label of p[kind] as unknown[])
          if (isRecord(label)) out.push({ project, label, kind })
  }
  return out
}

export interface LabelboxReadOptions {
  /** `labels` (default) or `prelabels` (what Labelport's own export v2 adds) */
  take?: 'labels' | 'prelabels'
}

/** Reads a Labelbox export v2 NDJSON file. */
export async function* readLabelbox(
  source: FileSource,
  opts: LabelboxReadOptions = {},
): AsyncGenerator<FormatEvent> {
  const take = opts.take ?? 'labels'
  const file = source.name
  const used = new Map<string, Set<ProposedTool>>()
  const nested = new Map<string, ProposedClassification[]>()
  const globals: ProposedClassification[] = []
  const keys = new Set<string>()
  const issues: FormatEvent[] = []
  // pass 1: images and the ontology
  for await (const { line, text } of rows(source)) {
    if (text.trim() === '') continue
    let row: unknown
    try {
      row = JSON.parse(text)
    } catch (error) {
      issues.push({
        type: 'issue',
        issue: {
          code: 'format_syntax_invalid',
          message: `${file} line ${line} is not valid JSON: ${error instanceof Error ? error.message : String(error)}`,
          source: { file, line },
        },
      })
      continue
    }
    const dr = isRecord(row) && isRecord(row.data_row) ? row.data_row : undefined
    const key = dr
      ? typeof dr.global_key === 'string' && dr.global_key !== ''
        ? dr.global_key
        : typeof dr.id === 'string'
          ? dr.id
          : undefined
      : undefined
    if (!isRecord(row) || key === undefined) {
      issues.push({
        type: 'issue',
        issue: {
          code: 'format_element_invalid',
          message: `${file} line ${line}: a row needs data_row with a global_key or an id`,
          source: { file, line },
        },
      })
      continue
    }
    if (keys.has(key)) {
      issues.push({
        type: 'issue',
        issue: {
          code: 'format_element_invalid',
          message: `${file} line ${line}: data row ${key} appears twice; the first is kept`,
          source: { file, line },
        },
      })
      continue
    }
    keys.add(key)
    const media = isRecord(row.media_attributes) ? row.media_attributes : {}
    const w = typeof media.width === 'number' && media.width > 0 ? media.width : null
    const h = typeof media.height === 'number' && media.height > 0 ? media.height : null
    yield { type: 'image', image: { globalKey: key, width: w, height: h, source: { file, line } } }
    for (const { label, kind } of labelsOf(row)) {
      if (kind !== take) continue
      const ann = isRecord(label.annotations) ? label.annotations : {}
      for (const o of (Array.isArray(ann.objects) ? ann.objects : []) as unknown[]) {
        if (!isRecord(o) || typeof o.name !== 'string') continue
        const tool = toolOf(o)
        if (!tool) continue
        noteTool(used, o.name, tool)
        for (const c of (Array.isArray(o.classifications)
          ? o.classifications
          : []) as ExportClassificationJson[]) {
          const read = classificationOf(c)
          if (read) nested.set(o.name, [...(nested.get(o.name) ?? []), read.proposed])
        }
      }
      for (const c of (Array.isArray(ann.classifications)
        ? ann.classifications
        : []) as ExportClassificationJson[]) {
        const read = classificationOf(c)
        if (read) globals.push(read.proposed)
      }
    }
  }
  for (const feature of featuresOf(used, (name) => mergeClassifications(nested.get(name) ?? []))) {
    yield { type: 'feature', feature }
  }
  for (const classification of mergeClassifications(globals))
    yield { type: 'classification', classification }
  // pass 2: the lines
  const seen = new Set<string>()
  for await (const { line, text } of rows(source)) {
    if (text.trim() === '') continue
    let row: unknown
    try {
      row = JSON.parse(text)
    } catch {
      continue
    }
    const dr = isRecord(row) && isRecord(row.data_row) ? row.data_row : undefined
    const key = dr
      ? typeof dr.global_key === 'string' && dr.global_key !== ''
        ? dr.global_key
        : typeof dr.id === 'string'
          ? dr.id
          : undefined
      : undefined
    if (!isRecord(row) || key === undefined || seen.has(key)) continue
    seen.add(key)
    const dataRow = { globalKey: key }
    for (const { label, kind } of labelsOf(row)) {
      if (kind !== take) continue
      const ann = isRecord(label.annotations) ? label.annotations : {}
      for (const [i, o] of (
        (Array.isArray(ann.objects) ? ann.objects : []) as unknown[]
      ).entries()) {
        const element = `objects[${i}]`
        const tool = isRecord(o) ? toolOf(o) : null
        if (!isRecord(o) || typeof o.name !== 'string' || !tool) {
          issues.push({
            type: 'issue',
            issue: {
              code: 'format_element_invalid',
              message: `${file} line ${line} ${element}: an object needs a name and a geometry`,
              source: { file, line, element },
            },
          })
          continue
        }
        const tools = used.get(o.name)!
        const name = featuresOf(new Map([[o.name, tools]])).find((f) => f.tool === tool)!.name
        const classifications = (
          (Array.isArray(o.classifications) ? o.classifications : []) as ExportClassificationJson[]
        )
          .map(classificationOf)
          .filter((c) => c !== null)
          .map((c) => c.nd)
        const geometry: Json = {}
        if (tool === 'rectangle') geometry.bbox = o.bounding_box
        else if (tool === 'polygon') geometry.polygon = o.polygon
        else if (tool === 'line') geometry.line = o.line
        else if (tool === 'point') geometry.point = o.point
        else if (isRecord(o.mask_rle))
          geometry.mask = { counts: o.mask_rle.counts, size: o.mask_rle.size }
        else if (isRecord(o.composite_mask))
          geometry.mask = { url: o.composite_mask.url, colorRGB: o.composite_mask.color_rgb }
        else geometry.mask = o.mask
        const nd = {
          name,
          dataRow,
          ...geometry,
          ...(typeof o.confidence === 'number' ? { confidence: o.confidence } : {}),
          ...(Array.isArray(o.custom_metrics) ? { customMetrics: o.custom_metrics } : {}),
          ...(classifications.length > 0 ? { classifications } : {}),
        }
        yield {
          type: 'line',
          line: {
            line: nd as NdLine as never,
            source: {
              file,
              line,
              element,
              ...(typeof o.feature_id === 'string' ? { annotationId: o.feature_id } : {}),
            },
          },
        }
      }
      for (const [i, c] of (
        (Array.isArray(ann.classifications)
          ? ann.classifications
          : []) as ExportClassificationJson[]
      ).entries()) {
        const read = classificationOf(c)
        const element = `classifications[${i}]`
        if (!read) {
          issues.push({
            type: 'issue',
            issue: {
              code: 'format_element_invalid',
              message: `${file} line ${line} ${element}: a classification needs a name and an answer`,
              source: { file, line, element },
            },
          })
          continue
        }
        yield {
          type: 'line',
          line: { line: { ...read.nd, dataRow }, source: { file, line, element } },
        }
      }
      const relationships = Array.isArray(ann.relationships) ? ann.relationships.length : 0
      if (relationships > 0)
        issues.push({
          type: 'issue',
          issue: {
            code: 'format_geometry_lossy',
            message: `${file} line ${line}: ${relationships} relationship(s) not imported (import them as NDJSON with the new uuids)`,
            source: { file, line },
            warning: true,
          },
        })
    }
  }
  yield* issues
}
