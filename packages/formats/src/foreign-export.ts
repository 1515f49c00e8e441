/**
 * A foreign-format export, the part the CLI and the server share: which writer a format uses, and
 * whether it writes one file (streamed as text chunks) or a tree of files (one at a time). The
 * CLI writes them into a folder; the server streams the single file, or the tree as a ZIP.
 */
import { writeCoco } from './coco.ts'
import { writeCvat } from './cvat.ts'
import { writeLabelStudio } from './labelstudio.ts'
import { writeLabelme } from './labelme.ts'
import type { FormatIssue } from './model.ts'
import type { ExportRowLike, Layer } from './rows.ts'
import { writeVoc } from './voc.ts'
import { writeYolo, type WrittenFile } from './yolo.ts'

/** The formats an export writes, in the order `--format` lists them. */
export const WRITE_FORMATS = [
  'coco',
  'coco-results',
  'yolo',
  'voc',
  'cvat',
  'labelstudio',
  'labelme',
] as const
export type WriteFormat = (typeof WRITE_FORMATS)[number]

/** Where images go beside the labels, per format (the CLI's `--images`). */
export const IMAGE_DIR: Record<WriteFormat, string> = {
  coco: 'images',
  'coco-results': 'images',
  yolo: 'images',
  voc: 'JPEGImages',
  cvat: 'images',
  labelstudio: 'images',
  labelme: '.',
}

export interface ForeignExportStats {
  annotations: number
  files: number
}

export type ForeignExportOutput =
  /** one file: its name, content type and text, streamed */
  | { kind: 'file'; name: string; contentType: string; chunks: AsyncIterable<string> }
  /** a tree of files, one at a time (paths relative, `/`-separated) */
  | { kind: 'files'; files: AsyncIterable<WrittenFile> }

export interface ForeignExportOptions {
  layer: Layer
  /** LabelMe masks are PNG patches: `encodePngMask` of `@labelport/formats/node` */
  encodePng?: (mask: Uint8Array, width: number, height: number) => Promise<Uint8Array>
}

/**
 * The writer of `format` over `rows` (export v2 rows with mask RLE). What the format cannot hold is
 * pushed to `issues` (`format_geometry_lossy`); `stats` counts annotations and files as they go.
 */
export function writeForeign(
  format: WriteFormat,
  rows: AsyncIterable<ExportRowLike> | Iterable<ExportRowLike>,
  options: ForeignExportOptions,
  issues: FormatIssue[],
  stats: ForeignExportStats,
): ForeignExportOutput {
  const { layer } = options
  switch (format) {
    case 'coco':
    case 'coco-results': {
      const results = format === 'coco-results'
      const name = results ? 'results.json' : 'annotations.json'
      async function* chunks(): AsyncGenerator<string> {
        const coco = { annotations: 0, skipped: 0, images: 0 }
        yield* writeCoco(rows, { layer, results }, coco)
        stats.annotations = coco.annotations
        stats.files = 1
        if (coco.skipped > 0)
          issues.push({
            code: 'format_geometry_lossy',
            message: `${coco.skipped} polylines or points left out: COCO objects are boxes, polygons and masks`,
            source: { file: name },
            warning: true,
          })
      }
      return { kind: 'file', name, contentType: 'application/json', chunks: chunks() }
    }
    case 'cvat':
    case 'labelstudio': {
      const name = format === 'cvat' ? 'annotations.xml' : 'tasks.json'
      const write =
        format === 'cvat'
          ? writeCvat(rows, { layer }, issues)
          : writeLabelStudio(rows, { layer }, issues)
      async function* chunks(): AsyncGenerator<string> {
        for await (const chunk of write) {
          stats.annotations +=
            format === 'cvat'
              ? (chunk.match(/^ {4}<(box|polygon|polyline|points|mask) /gm)?.length ?? 0)
              : (chunk.match(
                  /"type": ?"(rectanglelabels|polygonlabels|keypointlabels|brushlabels)"/g,
                )?.length ?? 0)
          yield chunk
        }
        stats.files = 1
      }
      return {
        kind: 'file',
        name,
        contentType: format === 'cvat' ? 'application/xml' : 'application/json',
        chunks: chunks(),
      }
    }
    case 'yolo':
    case 'voc':
    case 'labelme': {
      const write =
        format === 'yolo'
          ? writeYolo(rows, { layer }, issues)
          : format === 'labelme'
            ? writeLabelme(
                rows,
                { layer, ...(options.encodePng ? { encodePng: options.encodePng } : {}) },
                issues,
              )
            : writeVoc(rows, { layer }, issues)
      async function* files(): AsyncGenerator<WrittenFile> {
        for await (const file of write) {
          stats.files++
          stats.annotations += countObjects(file)
          yield file
        }
      }
      return { kind: 'files', files: files() }
    }
  }
}

function countObjects(file: WrittenFile): number {
  if (file.path.endsWith('.txt')) return file.content.split('\n').filter((l) => l !== '').length
  if (file.path.endsWith('.json')) return (file.content.match(/"shape_type"/g) ?? []).length
  if (file.path.endsWith('.xml')) return (file.content.match(/<object>/g) ?? []).length
  return 0
}
