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
  IMAGE_DIR,
  WRITE_FORMATS,
  writeForeign,
  type ExportRowLike,
  type FormatIssue,
  type Layer,
} from '@labelport/formats'
import { encodePngMask } from '@labelport/formats/node'
import type { Client } from '@labelport/sdk'

export const EXPORT_FORMATS = WRITE_FORMATS
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
  const stats = { annotations: 0, files: 0 }
  const output = writeForeign(
    opts.format,
    rows(),
    { layer: opts.layer, encodePng: encodePngMask },
    result.issues,
    stats,
  )
  if (output.kind === 'file') {
    const out = createWriteStream(join(opts.out, output.name))
    try {
      for await (const chunk of output.chunks)
        if (!out.write(chunk))
          await new Promise<void>((resolve) => out.once('drain', () => resolve()))
    } finally {
      out.end()
      await finished(out)
    }
  } else for await (const file of output.files) await save(join(opts.out, file.path), file.content)
  result.files = stats.files
  result.annotations = stats.annotations
  return result
}
