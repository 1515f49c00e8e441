/**
 * A foreign-format import, the part the CLI and the server share: the reader's events turned into
 * NDJSON object lines (each carrying its `source` location, which the server copies onto the
 * line's status), the images and features the file uses, the feature-name map applied, and the
 * check of the features against an existing ontology, made before anything is written.
 */
import type { NormalizedOntology } from '@labelport/core'
import type {
  FormatEvent,
  FormatImage,
  FormatIssue,
  FormatLine,
  ProposedClassification,
  ProposedFeature,
  ProposedTool,
  SourceLocation,
} from './model.ts'
import { proposedOntology } from './shared.ts'

/** An NDJSON line as a format import writes it: the object, plus where it was read. */
export type SourcedLine = FormatLine['line'] & { source: SourceLocation }

export interface ForeignConversion {
  images: FormatImage[]
  /** by (renamed) feature name */
  features: Map<string, ProposedFeature>
  /** classifications of the whole image, by name (options united) */
  classifications: Map<string, ProposedClassification>
  /** problems of the file itself; those elements are not imported */
  issues: FormatIssue[]
  /** object and classification lines emitted */
  lines: number
  /** lines per (renamed) feature name: the features the objects use */
  used: Map<string, number>
}

export interface ConvertOptions {
  /** `{"source name": "feature name"}`: renames source classes onto an existing ontology */
  rename?: Readonly<Record<string, string>>
}

/**
 * Reads every event; each line goes to `emit` (in file order, with its source), everything else
 * is gathered. Memory: the images and features, never the lines.
 */
export async function convertEvents(
  events: AsyncIterable<FormatEvent> | Iterable<FormatEvent>,
  emit: (line: SourcedLine) => void | Promise<void>,
  options: ConvertOptions = {},
): Promise<ForeignConversion> {
  const rename = options.rename ?? {}
  const renamed = (name: string) =>
    Object.prototype.hasOwnProperty.call(rename, name) ? rename[name]! : name
  const out: ForeignConversion = {
    images: [],
    features: new Map(),
    classifications: new Map(),
    issues: [],
    lines: 0,
    used: new Map(),
  }
  for await (const e of events) {
    switch (e.type) {
      case 'image':
        out.images.push(e.image)
        break
      case 'feature': {
        const name = renamed(e.feature.name)
        if (!out.features.has(name)) out.features.set(name, { ...e.feature, name })
        break
      }
      case 'classification': {
        const had = out.classifications.get(e.classification.name)
        out.classifications.set(e.classification.name, {
          ...e.classification,
          options: [...new Set([...(had?.options ?? []), ...e.classification.options])],
        })
        break
      }
      case 'issue':
        out.issues.push(e.issue)
        break
      case 'line': {
        const line = e.line.line
        const named = line.name === undefined ? line : { ...line, name: renamed(line.name) }
        out.lines++
        if (named.name !== undefined) out.used.set(named.name, (out.used.get(named.name) ?? 0) + 1)
        await emit({ ...named, source: e.line.source })
        break
      }
    }
  }
  return out
}

/** A feature of the file that does not map onto the project's ontology, and why. */
export interface UnmappedFeature {
  name: string
  tool: ProposedTool
  reason: string
}

/** Which geometry a tool holds (a `rectangle` tool takes `bbox` lines, and so on). */
const GEOMETRY_OF_TOOL: Record<string, string> = {
  rectangle: 'bbox',
  polygon: 'polygon',
  line: 'line',
  point: 'point',
  'raster-segmentation': 'mask',
}

/**
 * The features with no tool of their name and geometry in `ontology`; with `used`, only those some
 * object uses (a COCO file lists all 80 categories, its objects may use a few).
 */
export function unmappedFeatures(
  features: Iterable<ProposedFeature>,
  ontology: Pick<NormalizedOntology, 'tools'>,
  used?: ReadonlyMap<string, number>,
): UnmappedFeature[] {
  const tools = new Map(ontology.tools.map((t) => [t.name, t.tool as string]))
  const out: UnmappedFeature[] = []
  for (const f of features) {
    if (used !== undefined && !used.has(f.name)) continue
    const tool = tools.get(f.name)
    if (tool === undefined)
      out.push({ name: f.name, tool: f.tool, reason: 'no tool of this name in the ontology' })
    else if (GEOMETRY_OF_TOOL[tool] !== GEOMETRY_OF_TOOL[f.tool])
      out.push({
        name: f.name,
        tool: f.tool,
        reason: `the ontology's '${f.name}' is a ${tool} tool, the file has ${f.tool} objects`,
      })
  }
  return out
}

/** The ontology a format import creates when the project has none. */
export function conversionOntology(conversion: ForeignConversion): NormalizedOntology {
  return proposedOntology(
    [...conversion.features.values()],
    [...conversion.classifications.values()],
  )
}

/** `file element line N id X`: a source location as one line of text. */
export function describeSource(s: SourceLocation): string {
  return [
    s.file,
    s.element,
    s.line !== undefined ? `line ${s.line}` : undefined,
    s.annotationId !== undefined ? `id ${s.annotationId}` : undefined,
  ]
    .filter((x) => x !== undefined)
    .join(' ')
}
