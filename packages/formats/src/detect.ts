/**
 * Which format a file or folder is, from its first bytes and its file names (for `--format auto`
 * and for `labelport validate`, which must not judge a COCO file as broken NDJSON).
 */
import { detectCoco } from './coco.ts'
import { detectCocoPanoptic } from './coco-panoptic.ts'
import { detectCvat } from './cvat.ts'
import { detectLabelStudio } from './labelstudio.ts'
import { detectLabelme } from './labelme.ts'
import { detectLabelbox } from './labelbox.ts'
import type { FormatName } from './model.ts'

export type DetectedFormat = FormatName | 'ndjson'

/** One file, from its first few kilobytes. */
export function detectFile(name: string, head: string): DetectedFormat | null {
  const coco = detectCoco(head)
  // a panoptic file's segments_info may come after the first kilobytes: its name tells then
  if (coco === 'coco' && (detectCocoPanoptic(head) || /panoptic/i.test(name)))
    return 'coco-panoptic'
  if (coco) return coco
  const text = head.trimStart()
  if (detectCvat(text)) return 'cvat'
  if (detectLabelStudio(text)) return 'labelstudio'
  if (detectLabelme(text)) return 'labelme'
  if (/^(<\?xml[^>]*>\s*)?(<!--[\s\S]*?-->\s*)*<annotation>/.test(text) && /<filename>/.test(text))
    return 'voc'
  if (detectLabelbox(text)) return 'labelbox'
  if (text.startsWith('{') && /"dataRow"\s*:/.test(text.split('\n', 1)[0] ?? '')) return 'ndjson'
  if (/\.ndjson$/i.test(name)) return 'ndjson'
  return null
}

/** A folder, from its file names (relative paths, `/`-separated). */
export function detectFolder(
  files: readonly string[],
  /** the first bytes of one of its JSON files, when the caller read one */
  jsonHead?: string,
): DetectedFormat | null {
  const base = (f: string) => f.split('/').pop()!.toLowerCase()
  if (files.some((f) => ['data.yaml', 'data.yml', 'obj.names', 'classes.txt'].includes(base(f))))
    return 'yolo'
  if (files.some((f) => /(^|\/)annotations\/[^/]+\.xml$/i.test(f))) return 'voc'
  if (jsonHead !== undefined && detectLabelme(jsonHead)) return 'labelme'
  if (files.some((f) => f.endsWith('.json'))) return 'coco'
  return null
}
