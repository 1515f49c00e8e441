/**
 * Every reader behind one entry point, for the CLI and the server: which format a path holds
 * (`--format auto`) and its events. A path is a file or a folder.
 */
import { open, stat } from 'node:fs/promises'
import { basename } from 'node:path'
import { readCoco, readCocoCatalog, readCocoResults } from '../coco.ts'
import { readCvat } from '../cvat.ts'
import { readLabelStudio } from '../labelstudio.ts'
import { detectFile, detectFolder, type DetectedFormat } from '../detect.ts'
import type { FormatEvent, FormatName } from '../model.ts'
import { fileSource, listFiles } from './files.ts'
import { readVocDir } from './voc-dir.ts'
import { readYoloDir } from './yolo-dir.ts'

/** The formats an import reads, in the order `--format` lists them. */
export const READ_FORMATS = [
  'coco',
  'coco-results',
  'yolo',
  'voc',
  'cvat',
  'labelstudio',
] as const satisfies readonly FormatName[]
export type ReadFormat = (typeof READ_FORMATS)[number]

/** Which format a path holds (a file's first bytes, or a folder's file names). */
export async function detectPath(path: string): Promise<DetectedFormat | null> {
  if ((await stat(path)).isDirectory()) {
    const found = detectFolder(await listFiles(path))
    return found === 'coco' ? null : found
  }
  const handle = await open(path, 'r')
  try {
    const buffer = Buffer.alloc(64 * 1024)
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0)
    return detectFile(basename(path), buffer.subarray(0, bytesRead).toString('utf8'))
  } finally {
    await handle.close()
  }
}

export interface ReadPathOptions {
  /** COCO results: the instances file whose images and categories the detections refer to */
  instances?: string
  /** what the import makes: pre-labels read a Label Studio file's predictions, labels its annotations */
  kind?: 'mal' | 'ground-truth'
  /** the name files are reported under (default: the path's base name) */
  name?: string
}

async function* cocoResults(path: string, opts: ReadPathOptions): AsyncGenerator<FormatEvent> {
  const instances = opts.instances
  if (instances === undefined)
    throw new Error('COCO results refer to an instances file: give it with --instances FILE')
  const source = fileSource(instances, basename(instances))
  const { catalog, issues } = await readCocoCatalog(source)
  for (const issue of issues) yield { type: 'issue' as const, issue }
  for (const image of catalog.images.values())
    yield {
      type: 'image' as const,
      image: {
        globalKey: image.globalKey,
        width: image.width,
        height: image.height,
        source: { file: source.name },
      },
    }
  const seen = new Set<string>()
  const lines: FormatEvent[] = []
  for await (const e of readCocoResults(fileSource(path, opts.name ?? basename(path)), catalog)) {
    if (e.type === 'line' && !seen.has(e.line.line.name!)) {
      seen.add(e.line.line.name!)
      const l = e.line.line
      yield {
        type: 'feature' as const,
        feature: {
          name: l.name!,
          tool: 'mask' in l ? 'raster-segmentation' : 'polygon' in l ? 'polygon' : 'rectangle',
        },
      }
    }
    lines.push(e)
  }
  yield* lines
}

/** The events of a file or folder in a named format. */
export function readPath(
  format: ReadFormat,
  path: string,
  opts: ReadPathOptions = {},
): AsyncIterable<FormatEvent> {
  const name = opts.name ?? basename(path)
  switch (format) {
    case 'coco':
      return readCoco(fileSource(path, name))
    case 'coco-results':
      return cocoResults(path, opts)
    case 'yolo':
      return readYoloDir(path)
    case 'voc':
      return readVocDir(path)
    case 'cvat':
      return readCvat(fileSource(path, name))
    case 'labelstudio':
      return readLabelStudio(fileSource(path, name), {
        take: opts.kind === 'mal' ? 'predictions' : 'annotations',
      })
  }
}
