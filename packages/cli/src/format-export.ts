/**
 * `labelport export --format coco|coco-results|yolo|voc --out DIR [--images]`: streams export v2
 * (masks with their RLE) through a @labelport/formats writer into DIR, one row at a time, and with
 * `--images` downloads each data row's image beside the labels. What the format cannot hold is
 * reported (`format_geometry_lossy`), never dropped silently.
 */
import { createWriteStream } from 'node:fs'
import { mkdir, writeFile } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { finished } from 'node:stream/promises'
import { api } from '@labelport/core'
import {
  writeCoco,
  writeCvat,
  writeLabelStudio,
  writeVoc,
  writeYolo,
  type ExportRowLike,
  type FormatIssue,
  type Layer,
} from '@labelport/formats'
import type { Client } from '@labelport/sdk'

export const EXPORT_FORMATS = [
  'coco',
  'coco-results',
  'yolo',
  'voc',
  'cvat',
  'labelstudio',
] as const
export type ExportFormat = (typeof EXPORT_FORMATS)[number]

export interface ForeignExportOptions {
  client: Client
  projectId: string
  format: ExportFormat
  out: string
  layer: Layer
  images: boolean
}

export interface ForeignExportResult {
  rows: number
  files: number
  annotations: number
  issues: FormatIssue[]
}

const IMAGE_DIR: Record<ExportFormat, string> = {
  coco: 'images',
  'coco-results': 'images',
  yolo: 'images',
  voc: 'JPEGImages',
  cvat: 'images',
  labelstudio: 'images',
}

async function save(path: string, content: string | Uint8Array): Promise<void> {
  await mkdir(dirname(path), { recursive: true })
  await writeFile(path, content)
}

export async function exportForeign(opts: ForeignExportOptions): Promise<ForeignExportResult> {
  const { client } = opts
  const result: ForeignExportResult = { rows: 0, files: 0, annotations: 0, issues: [] }
  await mkdir(opts.out, { recursive: true })
  const rows = async function* (): AsyncGenerator<ExportRowLike> {
    for await (const row of client.stream<ExportRowLike>(api.exportProject, {
      params: { projectId: opts.projectId },
      query: { masks: 'rle' },
    })) {
      result.rows++
      if (opts.images) {
        const key = row.data_row.global_key ?? row.data_row.id
        const response = await client.request(
          'GET',
          `/v1/data-rows/${encodeURIComponent(row.data_row.id)}/image`,
        )
        await save(
          join(opts.out, IMAGE_DIR[opts.format], key),
          new Uint8Array(await response.arrayBuffer()),
        )
      }
      yield row
    }
  }
  if (opts.format === 'coco' || opts.format === 'coco-results') {
    const results = opts.format === 'coco-results'
    const path = join(opts.out, results ? 'results.json' : 'annotations.json')
    const out = createWriteStream(path)
    const stats = { annotations: 0, skipped: 0, images: 0 }
    try {
      for await (const chunk of writeCoco(rows(), { layer: opts.layer, results }, stats))
        if (!out.write(chunk))
          await new Promise<void>((resolve) => out.once('drain', () => resolve()))
    } finally {
      out.end()
      await finished(out)
    }
    result.files = 1
    result.annotations = stats.annotations
    if (stats.skipped > 0)
      result.issues.push({
        code: 'format_geometry_lossy',
        message: `${stats.skipped} polylines or points left out: COCO objects are boxes, polygons and masks`,
        source: { file: path },
        warning: true,
      })
    return result
  }
  // formats written as one file: the text streams into it
  const single: Partial<Record<ExportFormat, [string, () => AsyncIterable<string>]>> = {
    cvat: ['annotations.xml', () => writeCvat(rows(), { layer: opts.layer }, result.issues)],
    labelstudio: [
      'tasks.json',
      () => writeLabelStudio(rows(), { layer: opts.layer }, result.issues),
    ],
  }
  const one = single[opts.format]
  if (one) {
    const path = join(opts.out, one[0])
    const out = createWriteStream(path)
    try {
      for await (const chunk of one[1]()) {
        result.annotations +=
          chunk.match(/^ {4}<(box|polygon|polyline|points|mask) /gm)?.length ?? 0
        if (!out.write(chunk))
          await new Promise<void>((resolve) => out.once('drain', () => resolve()))
      }
    } finally {
      out.end()
      await finished(out)
    }
    result.files = 1
    return result
  }
  const files =
    opts.format === 'yolo'
      ? writeYolo(rows(), { layer: opts.layer }, result.issues)
      : writeVoc(rows(), { layer: opts.layer }, result.issues)
  for await (const file of files) {
    await save(join(opts.out, file.path), file.content)
    result.files++
    result.annotations += file.path.endsWith('.txt')
      ? file.content.split('\n').filter((l) => l !== '').length
      : (file.content.match(/<object>/g) ?? []).length
  }
  return result
}
