/**
 * `GET /v1/projects/:id/export?format=…`: export v2 rows (masks as RLE) streamed through a
 * @labelport/formats writer, one data row at a time. One-file formats (COCO, CVAT, Label Studio)
 * stream their file; folder formats (YOLO, Pascal VOC, LabelMe) stream a ZIP of their files, with
 * what the format could not hold listed in its `labelport-export-issues.json` entry.
 */
import { encodePngMask } from '@labelport/formats/node'
import {
  writeForeign,
  type ExportRowLike,
  type FormatIssue,
  type Layer,
  type WriteFormat,
} from '@labelport/formats'
import { zipStream, type ZipEntry } from './zip.ts'

export interface FormatExport {
  fileName: string
  contentType: string
  body: AsyncIterable<Uint8Array>
}

/** The export of `lines` (export v2 NDJSON lines) in `format`. */
export function exportInFormat(
  lines: AsyncIterable<string>,
  format: WriteFormat,
  layer: Layer,
  projectName: string,
): FormatExport {
  async function* rows(): AsyncGenerator<ExportRowLike> {
    for await (const line of lines) yield JSON.parse(line) as ExportRowLike
  }
  const issues: FormatIssue[] = []
  const stats = { annotations: 0, files: 0 }
  const output = writeForeign(format, rows(), { layer, encodePng: encodePngMask }, issues, stats)
  const base = projectName.replace(/[^\w.\- ]+/g, '_').trim() || 'export'
  if (output.kind === 'file') {
    const encoder = new TextEncoder()
    const chunks = output.chunks
    async function* body(): AsyncGenerator<Uint8Array> {
      let pending = ''
      for await (const chunk of chunks) {
        pending += chunk
        if (pending.length >= 1 << 16) {
          yield encoder.encode(pending)
          pending = ''
        }
      }
      if (pending !== '') yield encoder.encode(pending)
    }
    return {
      fileName: `${base} ${output.name}`,
      contentType: `${output.contentType}; charset=utf-8`,
      body: body(),
    }
  }
  const files = output.files
  async function* entries(): AsyncGenerator<ZipEntry> {
    yield* files
    if (issues.length > 0)
      yield {
        path: 'labelport-export-issues.json',
        content: `${JSON.stringify({ annotations: stats.annotations, issues }, null, 2)}\n`,
      }
  }
  return {
    fileName: `${base} ${format}.zip`,
    contentType: 'application/zip',
    body: zipStream(entries()),
  }
}
