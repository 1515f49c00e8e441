/**
 * Conventions shared by the readers and writers of several formats, written once:
 * one tool per feature (a label drawn as several shapes gets suffixed feature names), the proposed
 * ontology, ring closing, and masks between a format's row-major crop and COCO RLE (column-major,
 * over the whole image), which is how Labelport stores them.
 */
import {
  checkRle,
  compressCounts,
  countsFromMask,
  countsToMask,
  type NdClassification,
  type NormalizedClassification,
  type NormalizedOntology,
} from '@labelport/core'
import type { ProposedClassification, ProposedFeature, ProposedTool } from './model.ts'

/** The suffix a label's feature gets for a tool other than its first one (`car (box)`). */
const SUFFIX: Record<ProposedTool, string> = {
  polygon: ' (polygon)',
  rectangle: ' (box)',
  'raster-segmentation': ' (mask)',
  line: ' (line)',
  point: ' (point)',
}
/** Which tool keeps the plain label name when a label is drawn with several. */
const PRIMARY: readonly ProposedTool[] = [
  'polygon',
  'rectangle',
  'raster-segmentation',
  'line',
  'point',
]

/** The feature name for `label` drawn with `tool`, when the file draws it with all of `tools`. */
export function toolFeatureName(
  label: string,
  tool: ProposedTool,
  tools: ReadonlySet<ProposedTool>,
): string {
  if (tools.size <= 1) return label
  const primary = PRIMARY.find((t) => tools.has(t))
  return tool === primary ? label : label + SUFFIX[tool]
}

/** The label a feature name stands for (the tool suffix removed). */
export function labelOfFeature(name: string): string {
  for (const suffix of Object.values(SUFFIX))
    if (name.endsWith(suffix)) return name.slice(0, -suffix.length)
  return name
}

/** Features for labels and the tools each is drawn with (`toolFeatureName` naming). */
export function featuresOf(
  used: ReadonlyMap<string, ReadonlySet<ProposedTool>>,
  classificationsOf: (label: string) => readonly ProposedClassification[] = () => [],
): ProposedFeature[] {
  const out: ProposedFeature[] = []
  for (const [label, tools] of used)
    for (const tool of PRIMARY.filter((t) => tools.has(t))) {
      const classifications = classificationsOf(label)
      out.push({
        name: toolFeatureName(label, tool, tools),
        tool,
        ...(classifications.length > 0 ? { classifications } : {}),
      })
    }
  return out
}

/** Records that `label` is drawn with `tool`. */
export function noteTool(
  used: Map<string, Set<ProposedTool>>,
  label: string,
  tool: ProposedTool,
): void {
  let set = used.get(label)
  if (!set) used.set(label, (set = new Set()))
  set.add(tool)
}

function normalizedClassification(
  c: ProposedClassification,
  global: boolean,
): NormalizedClassification {
  return {
    type: c.type,
    instructions: c.name,
    name: c.name,
    required: false,
    options: c.options.map((o) => ({
      schemaNodeId: null,
      featureSchemaId: null,
      label: o,
      value: o,
      options: [],
    })),
    schemaNodeId: null,
    featureSchemaId: null,
    ...(global ? { scope: 'global' as const } : {}),
  }
}

/** The ontology an import creates from what a file proposes. */
export function proposedOntology(
  features: readonly ProposedFeature[],
  classifications: readonly ProposedClassification[] = [],
): NormalizedOntology {
  return {
    tools: features.map((f) => ({
      tool: f.tool,
      name: f.name,
      required: false,
      color: '',
      classifications: (f.classifications ?? []).map((c) => normalizedClassification(c, false)),
      schemaNodeId: null,
      featureSchemaId: null,
    })),
    classifications: classifications.map((c) => normalizedClassification(c, true)),
  }
}

/** Merges classifications of one name (options united), keeping the first's type. */
export function mergeClassifications(
  list: Iterable<ProposedClassification>,
): ProposedClassification[] {
  const byName = new Map<string, ProposedClassification>()
  for (const c of list) {
    const had = byName.get(c.name)
    if (!had) byName.set(c.name, { ...c, options: [...c.options] })
    else byName.set(c.name, { ...had, options: [...new Set([...had.options, ...c.options])] })
  }
  return [...byName.values()]
}

/** A ring without its closing point (NDJSON polygons come back closed: last point = first). */
export function openRing<P extends { x: number; y: number }>(points: readonly P[]): readonly P[] {
  const n = points.length
  return n > 3 && points[0]!.x === points[n - 1]!.x && points[0]!.y === points[n - 1]!.y
    ? points.slice(0, -1)
    : points
}

/** A pixel crop of an image, row-major, one byte per pixel (non-zero = set). */
export interface MaskCrop {
  left: number
  top: number
  width: number
  height: number
  data: Uint8Array
}

/** A row-major crop placed on a `width` × `height` image, as COCO RLE (column-major, compressed). */
export function cropToCocoRle(
  crop: MaskCrop,
  width: number,
  height: number,
): { counts: string; size: [number, number] } {
  const full = new Uint8Array(width * height)
  for (let y = 0; y < crop.height; y++) {
    const iy = crop.top + y
    if (iy < 0 || iy >= height) continue
    for (let x = 0; x < crop.width; x++) {
      const ix = crop.left + x
      if (ix < 0 || ix >= width) continue
      if (crop.data[y * crop.width + x] !== 0) full[iy * width + ix] = 1
    }
  }
  return { counts: compressCounts(countsFromMask(full, width, height)), size: [height, width] }
}

/**
 * A COCO RLE as a row-major crop: `within` when given and holding every set pixel (a format's own
 * crop read back, so it is written back the same), else the set pixels' tight box.
 */
export function cocoRleToCrop(
  rle: { counts: string; size: [number, number] },
  within?: { left: number; top: number; width: number; height: number },
): MaskCrop | null {
  const checked = checkRle(rle)
  if (!checked.ok) return null
  const { width, height } = checked
  const full = countsToMask(checked.counts, width, height)
  let x0 = width
  let y0 = height
  let x1 = -1
  let y1 = -1
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++)
      if (full[y * width + x]) {
        if (x < x0) x0 = x
        if (x > x1) x1 = x
        if (y < y0) y0 = y
        if (y > y1) y1 = y
      }
  let box =
    x1 < 0
      ? { left: 0, top: 0, width: 0, height: 0 }
      : {
          left: x0,
          top: y0,
          width: x1 - x0 + 1,
          height: y1 - y0 + 1,
        }
  if (
    within &&
    within.left >= 0 &&
    within.top >= 0 &&
    within.left + within.width <= width &&
    within.top + within.height <= height &&
    (x1 < 0 ||
      (within.left <= x0 &&
        within.top <= y0 &&
        within.left + within.width > x1 &&
        within.top + within.height > y1))
  )
    box = within
  const data = new Uint8Array(box.width * box.height)
  for (let y = 0; y < box.height; y++)
    for (let x = 0; x < box.width; x++)
      data[y * box.width + x] = full[(box.top + y) * width + box.left + x]!
  return { ...box, data }
}

/** Run lengths of a row-major 0/1 buffer, starting with a run of zeros (CVAT's mask `rle`). */
export function rowMajorRuns(data: Uint8Array): number[] {
  const runs: number[] = []
  let current = 0
  let run = 0
  for (let i = 0; i < data.length; i++) {
    const v = data[i] === 0 ? 0 : 1
    if (v !== current) {
      runs.push(run)
      run = 0
      current = v
    }
    run++
  }
  runs.push(run)
  return runs
}

/** The answers of nested classifications in export v2 form, back as NDJSON (names only). */
export function exportClassificationsToNd(
  list:
    | readonly {
        name: string
        radio_answer?: { name: string }
        checklist_answers?: { name: string }[]
        text_answer?: { content: string }
      }[]
    | undefined,
): NdClassification[] {
  const out: NdClassification[] = []
  for (const c of list ?? []) {
    if (c.radio_answer) out.push({ name: c.name, answer: { name: c.radio_answer.name } })
    else if (c.checklist_answers)
      out.push({ name: c.name, answer: c.checklist_answers.map((a) => ({ name: a.name })) })
    else if (c.text_answer) out.push({ name: c.name, answer: c.text_answer.content })
  }
  return out
}

/** XML text escaping for attribute values and element text. */
export function xmlEscape(s: string): string {
  return s
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
}
