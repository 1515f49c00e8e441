/**
 * What every format reader produces and every writer consumes.
 * Readers turn a foreign file into Labelbox-form NDJSON object lines (`dataRow.globalKey` = the
 * image's file name or relative path), the images they refer to, and a proposed ontology; each
 * item carries where it came from, so a verdict on a line can name the source element.
 * Coordinates are continuous pixels: origin at the top-left corner of the top-left pixel.
 */
import type { ErrorCode, NdObjectLine, NdClassificationLine, CustomMetric } from '@labelport/core'

export type FormatName =
  | 'coco'
  | 'coco-results'
  | 'coco-panoptic'
  | 'yolo'
  | 'voc'
  | 'cvat'
  | 'labelme'
  | 'labelstudio'
  | 'labelbox'

/** Where something came from: a file, and inside it an element, a line or an annotation id. */
export interface SourceLocation {
  file: string
  /** e.g. `annotations[12]`, `object[2]` */
  element?: string
  /** 1-based line number of a text file */
  line?: number
  annotationId?: string | number
}

export interface FormatImage {
  /** the data row's global key: the file name (or path relative to the image root) */
  globalKey: string
  width: number | null
  height: number | null
  source: SourceLocation
}

export type ProposedTool = 'rectangle' | 'polygon' | 'line' | 'point' | 'raster-segmentation'

/** A nested classification of a proposed tool (VOC flags, CVAT attributes…). */
export interface ProposedClassification {
  type: 'radio' | 'checklist' | 'text'
  name: string
  options: readonly string[]
}

/** A feature the file uses; `sourceId` is the format's own id (COCO category id, YOLO class index). */
export interface ProposedFeature {
  name: string
  tool: ProposedTool
  sourceId?: number
  classifications?: readonly ProposedClassification[]
}

export interface FormatLine {
  /** an object, or a classification of the whole image (CVAT tags, Label Studio choices) */
  line: NdObjectLine | NdClassificationLine
  source: SourceLocation
}

/** A problem of the file itself (not of one line's content), with its location. */
export interface FormatIssue {
  code: ErrorCode
  message: string
  source: SourceLocation
  /** a warning: nothing was lost or refused, the user should still know */
  warning?: boolean
}

export type FormatEvent =
  | { type: 'image'; image: FormatImage }
  | { type: 'feature'; feature: ProposedFeature }
  /** a classification of the whole image the file uses (CVAT tags, Label Studio choices) */
  | { type: 'classification'; classification: ProposedClassification }
  | { type: 'line'; line: FormatLine }
  | { type: 'issue'; issue: FormatIssue }

/** Re-openable bytes of one file: a reader may read it more than once (COCO reads twice). */
export interface FileSource {
  name: string
  open(): AsyncIterable<Uint8Array | string>
}

/** A custom metric by name, or undefined. */
export function metric(
  metrics: readonly CustomMetric[] | undefined,
  name: string,
): number | undefined {
  return metrics?.find((m) => m.name === name)?.value
}

/** Everything a reader produced, gathered (small files, tests). */
export interface CollectedImport {
  images: FormatImage[]
  features: ProposedFeature[]
  classifications: ProposedClassification[]
  lines: FormatLine[]
  issues: FormatIssue[]
}

export async function collect(
  events: AsyncIterable<FormatEvent> | Iterable<FormatEvent>,
): Promise<CollectedImport> {
  const out: CollectedImport = {
    images: [],
    features: [],
    classifications: [],
    lines: [],
    issues: [],
  }
  for await (const event of events) {
    switch (event.type) {
      case 'image':
        out.images.push(event.image)
        break
      case 'feature':
        out.features.push(event.feature)
        break
      case 'classification':
        out.classifications.push(event.classification)
        break
      case 'line':
        out.lines.push(event.line)
        break
      case 'issue':
        out.issues.push(event.issue)
        break
    }
  }
  return out
}

/** The whole text of a source (for formats read whole: CVAT XML, LabelMe and Label Studio JSON). */
export async function readText(source: FileSource): Promise<string> {
  const decoder = new TextDecoder('utf-8')
  let text = ''
  for await (const chunk of source.open())
    text += typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true })
  return text + decoder.decode()
}
