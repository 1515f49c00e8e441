/**
 * A YOLO dataset folder: finds the names file (`data.yaml`, `obj.names` or `classes.txt`, the
 * shallowest), pairs each label file with its image (`labels/` ↔ `images/`, or side by side as
 * darknet writes them), reads image sizes, then yields what `readYoloLabels` makes of each file.
 * Global key: the image's path below its nearest `images/` folder (or below the root).
 */
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { FormatEvent } from '../model.ts'
import {
  parseYoloNames,
  readYoloLabels,
  scanYoloShapes,
  yoloFeatures,
  type YoloShape,
} from '../yolo.ts'
import { listFiles } from './files.ts'
import { IMAGE_EXTENSIONS, imageSize } from './images.ts'

const NAMES_FILES = ['data.yaml', 'data.yml', 'obj.names', 'classes.txt']

function stem(path: string): string {
  return path.replace(/\.[^./]*$/, '')
}

/** The global key of an image: its path below the nearest `images` folder. */
export function yoloImageKey(relPath: string): string {
  const parts = relPath.split('/')
  const at = parts.map((p) => p.toLowerCase()).lastIndexOf('images', parts.length - 2)
  return (at >= 0 ? [...parts.slice(0, at), ...parts.slice(at + 1)] : parts).join('/')
}

export async function* readYoloDir(root: string): AsyncGenerator<FormatEvent> {
  const files = await listFiles(root)
  const namesFile = files
    .filter((f) => NAMES_FILES.includes(f.split('/').pop()!.toLowerCase()))
    .sort(
      (a, b) =>
        a.split('/').length - b.split('/').length ||
        NAMES_FILES.indexOf(a) - NAMES_FILES.indexOf(b),
    )[0]
  if (namesFile === undefined) {
    yield {
      type: 'issue',
      issue: {
        code: 'format_unrecognized',
        message: `${root}: no data.yaml, obj.names or classes.txt, so class indexes have no names`,
        source: { file: root },
      },
    }
    return
  }
  const { names, issues } = parseYoloNames(await readFile(join(root, namesFile), 'utf8'), namesFile)
  for (const issue of issues) yield { type: 'issue', issue }
  const images = new Map<string, string>() // stem of the label path it would pair with → image path
  for (const f of files) {
    if (!IMAGE_EXTENSIONS.test(f)) continue
    const parts = f.split('/')
    const at = parts.map((p) => p.toLowerCase()).lastIndexOf('images', parts.length - 2)
    if (at >= 0) parts[at] = parts[at] === 'Images' ? 'Annotations' : 'labels'
    images.set(stem(parts.join('/')), f)
  }
  const labels = files.filter(
    (f) => f.endsWith('.txt') && f.includes('/') && f !== namesFile && !/readme/i.test(f),
  )
  const shapes = new Map<number, Set<YoloShape>>()
  for (const f of labels) scanYoloShapes(await readFile(join(root, f), 'utf8'), shapes)
  const both = new Set([...shapes].filter(([, s]) => s.size > 1).map(([c]) => c))
  const sizes = new Map<string, { width: number; height: number } | null>()
  for (const image of images.values()) {
    const size = await imageSize(join(root, image))
    sizes.set(image, size)
    yield {
      type: 'image',
      image: {
        globalKey: yoloImageKey(image),
        width: size?.width ?? null,
        height: size?.height ?? null,
        source: { file: image },
      },
    }
  }
  for (const feature of yoloFeatures(names, shapes)) yield { type: 'feature', feature }
  for (const f of labels) {
    const image = images.get(stem(f))
    if (image === undefined) {
      yield {
        type: 'issue',
        issue: {
          code: 'format_image_unknown',
          message: `${f}: no image with the same name beside it or under images/`,
          source: { file: f },
        },
      }
      continue
    }
    const size = sizes.get(image)
    if (!size) {
      yield {
        type: 'issue',
        issue: {
          code: 'format_image_size_unknown',
          message: `${f}: the size of ${image} could not be read, so its normalised coordinates cannot be placed`,
          source: { file: f },
        },
      }
      continue
    }
    yield* readYoloLabels(await readFile(join(root, f), 'utf8'), {
      file: f,
      globalKey: yoloImageKey(image),
      width: size.width,
      height: size.height,
      names,
      both,
    })
  }
}
