/**
 * Every reader behind one entry point, for the CLI and the server: which format a path holds
 * (`--format auto`) and its events. A path is a file or a folder.
 */
import { open, stat } from 'node:fs/promises'
import { basename, join } from 'node:path'
import { readCoco, readCocoCatalog, readCocoResults } from '../coco.ts'
import { readCvat } from '../cvat.ts'
import { readLabelStudio } from '../labelstudio.ts'
import { readLabelbox } from '../labelbox.ts'
import { detectFile, detectFolder, type DetectedFormat } from '../detect.ts'
import type { FormatEvent, FormatName } from '../model.ts'
import { fileSource, listFiles } from './files.ts'
import { readVocDir } from './voc-dir.ts'
import { readYoloDir } from './yolo-dir.ts'
import { readLabelmeDir, readLabelmeFile } from './labelme-dir.ts'
import { readCocoPanopticFile } from './coco-panoptic-dir.ts'

/** The formats an import reads, in the order `--format` lists them. */
export const READ_FORMATS = [
  'coco',
  'coco-results',
  'yolo',
  'voc',
  'cvat',
  'labelstudio',
  'labelme',
  'labelbox',
  'coco-panoptic',
] as const satisfies readonly FormatName[]
export type ReadFormat = (typeof READ_FORMATS)[number]

/** Which format a path holds (a file's first bytes, or a folder's file names). */
export async function detectPath(path: string): Promise<DetectedFormat | null> {
  if ((await stat(path)).isDirectory()) {
    const files = await listFiles(path)
    const json = files.find((f) => f.toLowerCase().endsWith('.json'))
    const found = detectFolder(files, json === undefined ? undefined : await head(join(path, json)))
    return found === 'coco' ? null : found
  }
  return detectFile(basename(path), await head(path))
}

async function head(path: string): Promise<string> {
  const handle = await open(path, 'r')
  try {
    const buffer = Buffer.alloc(64 * 1024)
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0)
    return buffer.subarray(0, bytesRead).toString('utf8')
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
export async function* readPath(
  format: ReadFormat,
  path: string,
  opts: ReadPathOptions = {},
): AsyncGenerator<FormatEvent> {
  const name = opts.name ?? basename(path)
  switch (format) {
    case 'labelme':
      yield* (await stat(path)).isDirectory()
        ? readLabelmeDir(path)
        : readLabelmeFile(fileSource(path, name))
      return
    case 'labelbox':
      yield* readLabelbox(fileSource(path, name), {
        take: opts.kind === 'mal' ? 'prelabels' : 'labels',
      })
      return
    case 'coco':
      yield* readCoco(fileSource(path, name))
      return
    case 'coco-results':
      yield* cocoResults(path, opts)
      return
    case 'coco-panoptic':
      yield* readCocoPanopticFile(path, { name })
      return
    case 'yolo':
      yield* readYoloDir(path)
      return
    case 'voc':
      yield* readVocDir(path)
      return
    case 'cvat':
      yield* readCvat(fileSource(path, name))
      return
    case 'labelstudio':
      yield* readLabelStudio(fileSource(path, name), {
        take: opts.kind === 'mal' ? 'predictions' : 'annotations',
      })
      return
  }
}
