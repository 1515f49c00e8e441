/**
 * CVAT for images 1.1 XML, in and out (conventions: docs/formats.md#cvat-for-images-11).
 *
 * `<image name width height>` holds `box` (xtl ytl xbr ybr, optional `rotation`), `polygon`,
 * `polyline`, `points` (`points="x,y;x,y"`), `mask` (`rle` row-major over its own
 * left/top/width/height crop, first run background) and `tag`. Coordinates are continuous pixels
 * with the origin at the top-left corner, as Labelport's, so they are read unchanged.
 * Shape attributes (`<attribute name>value</attribute>`) become nested classifications (radio for
 * checkbox/radio/select, text for text/number), tags one global checklist `tags`. What has no place
 * in an annotation (occluded, z_order, group_id, source, rotation, the mask crop, which points
 * belong to one `points` element) travels in `customMetrics` (`cvat_*`) and is written back.
 * The file is read whole (fast-xml-parser); video tracks are refused per track.
 */
import { XMLParser } from 'fast-xml-parser'
import type { CustomMetric, NdClassification } from '@labelport/core'
import {
  metric,
  readText,
  type FileSource,
  type FormatEvent,
  type FormatIssue,
  type ProposedClassification,
  type ProposedTool,
  type SourceLocation,
} from './model.ts'
import {
  exportClassifications,
  exportObjects,
  hasLabel,
  type ExportObjectLike,
  type ExportRowLike,
  type Layer,
} from './rows.ts'
import {
  cocoRleToCrop,
  cropToCocoRle,
  featuresOf,
  labelOfFeature,
  noteTool,
  openRing,
  rowMajorRuns,
  xmlEscape,
} from './shared.ts'

const SHAPES = ['box', 'polygon', 'polyline', 'points', 'mask'] as const
type CvatShape = (typeof SHAPES)[number]
const UNSUPPORTED = ['ellipse', 'cuboid', 'skeleton'] as const
const TOOL: Record<CvatShape, ProposedTool> = {
  box: 'rectangle',
  polygon: 'polygon',
  polyline: 'line',
  points: 'point',
  mask: 'raster-segmentation',
}
const SOURCES = ['manual', 'semi-auto', 'auto', 'file'] as const
/** The global classification CVAT tags become. */
export const CVAT_TAGS = 'tags'

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
  isArray: (name) =>
    ['image', 'track', 'label', 'attribute', 'tag', ...SHAPES, ...UNSUPPORTED, 'task'].includes(
      name,
    ),
})

type El = Record<string, unknown>

function str(v: unknown): string | undefined {
  if (typeof v === 'string') return v
  if (typeof v === 'number') return String(v)
  return undefined
}
function textOf(v: unknown): string {
  if (typeof v === 'object' && v !== null) return str((v as El)['#text']) ?? ''
  return str(v) ?? ''
}

/** Whether a file's first bytes are CVAT for images XML. */
export function detectCvat(head: string): boolean {
  return /<annotations>/.test(head) && /<version>\s*1\.1\s*<\/version>/.test(head)
}

interface LabelDecl {
  attributes: Map<string, { type: 'radio' | 'text'; options: string[] }>
}

function readLabels(meta: unknown): Map<string, LabelDecl> {
  const out = new Map<string, LabelDecl>()
  const m = (meta ?? {}) as El
  const holders: unknown[] = [
    m.project,
    ...(Array.isArray(m.task) ? (m.task as unknown[]) : []),
    m.job,
  ]
  for (const holder of holders) {
    const labels = ((holder as El | undefined)?.labels as El | undefined)?.label
    if (!Array.isArray(labels)) continue
    for (const l of labels as El[]) {
      const name = str(l.name)
      if (name === undefined || name === '') continue
      const decl: LabelDecl = out.get(name) ?? { attributes: new Map() }
      const attrs = ((l.attributes as El | undefined)?.attribute ?? []) as El[]
      for (const a of attrs) {
        const an = str(a.name)
        if (an === undefined || an === '') continue
        const input = str(a.input_type) ?? 'text'
        const raw = str(a.values) ?? ''
        let values = raw.split('\n').filter((v) => v !== '')
        if (values.length === 1 && ['radio', 'select', 'checkbox'].includes(input))
          values = raw.split(/\s+/).filter((v) => v !== '')
        if (input === 'checkbox') values = ['false', 'true']
        decl.attributes.set(an, {
          type: ['radio', 'select', 'checkbox'].includes(input) ? 'radio' : 'text',
          options: values,
        })
      }
      out.set(name, decl)
    }
  }
  return out
}

function parsePoints(v: unknown): { x: number; y: number }[] | null {
  const s = str(v)
  if (s === undefined || s.trim() === '') return null
  const out: { x: number; y: number }[] = []
  for (const pair of s.split(';')) {
    const [xs, ys, extra] = pair.split(',')
    const x = Number(xs)
    const y = Number(ys)
    if (extra !== undefined || xs === undefined || ys === undefined) return null
    if (xs.trim() === '' || ys.trim() === '' || !Number.isFinite(x) || !Number.isFinite(y))
      return null
    out.push({ x, y })
  }
  return out
}

function num(el: El, name: string): number | undefined {
  const s = str(el[`@_${name}`])
  if (s === undefined || s.trim() === '') return undefined
  const n = Number(s)
  return Number.isFinite(n) ? n : undefined
}

/** Reads a CVAT for images 1.1 file: images, proposed features and tags, then the lines. */
export async function* readCvat(source: FileSource): AsyncGenerator<FormatEvent> {
  yield* readCvatXml(await readText(source), source.name)
}

export function readCvatXml(xml: string, file: string): FormatEvent[] {
  const issue = (code: FormatIssue['code'], message: string, src: SourceLocation): FormatEvent => ({
    type: 'issue',
    issue: { code, message, source: src },
  })
  let doc: El
  try {
    doc = parser.parse(xml, true) as El
  } catch (error) {
    return [
      issue(
        'format_syntax_invalid',
        `${file} is not well-formed XML: ${error instanceof Error ? error.message : String(error)}`,
        { file },
      ),
    ]
  }
  const root = doc.annotations as El | undefined
  if (!root || typeof root !== 'object')
    return [
      issue('format_unrecognized', `${file} has no <annotations> root: not CVAT XML`, { file }),
    ]
  const version = str(root.version)
  const head: FormatEvent[] = []
  const lines: FormatEvent[] = []
  if (version !== undefined && version !== '1.1')
    head.push({
      type: 'issue',
      issue: {
        code: 'format_element_invalid',
        message: `${file}: CVAT XML version ${version}; read as 1.1`,
        source: { file, element: 'version' },
        warning: true,
      },
    })
  const declared = readLabels(root.meta)
  const attrs = new Map<string, Map<string, { type: 'radio' | 'text'; options: Set<string> }>>()
  for (const [label, decl] of declared) {
    const m = new Map<string, { type: 'radio' | 'text'; options: Set<string> }>()
    for (const [a, d] of decl.attributes) m.set(a, { type: d.type, options: new Set(d.options) })
    attrs.set(label, m)
  }
  const used = new Map<string, Set<ProposedTool>>()
  const tags = new Set<string>()
  for (const [i] of ((root.track ?? []) as El[]).entries())
    lines.push(
      issue(
        'format_element_invalid',
        `${file} track[${i}]: video tracks (CVAT for video) are not imported; export the task as CVAT for images`,
        { file, element: `track[${i}]` },
      ),
    )
  const keys = new Set<string>()
  let shapeIndex = 0
  // pass over the parsed tree: lines are built with final feature names after every label's tools are known
  const pending: { label: string; tool: ProposedTool; build: (name: string) => FormatEvent[] }[] =
    []
  for (const [i, image] of ((root.image ?? []) as El[]).entries()) {
    const element = `image[${i}]`
    const name = str(image['@_name'])
    const width = num(image, 'width')
    const height = num(image, 'height')
    if (name === undefined || name === '') {
      lines.push(
        issue('format_element_invalid', `${file} ${element} has no name`, { file, element }),
      )
      continue
    }
    const subset = str(image['@_subset'])
    const globalKey = subset !== undefined && subset !== '' ? `${subset}/${name}` : name
    if (keys.has(globalKey)) {
      lines.push(
        issue(
          'format_element_invalid',
          `${file} ${element}: image ${globalKey} appears twice; the first one is kept`,
          { file, element },
        ),
      )
      continue
    }
    keys.add(globalKey)
    head.push({
      type: 'image',
      image: {
        globalKey,
        width: width !== undefined && width > 0 ? width : null,
        height: height !== undefined && height > 0 ? height : null,
        source: { file, element },
      },
    })
    const dataRow = { globalKey }
    for (const kind of UNSUPPORTED)
      for (const [j] of ((image[kind] ?? []) as El[]).entries())
        lines.push(
          issue(
            'format_element_invalid',
            `${file} ${element} ${kind}[${j}]: CVAT ${kind}s have no Labelport geometry; not imported`,
            { file, element: `${element}/${kind}[${j}]` },
          ),
        )
    const imageTags: string[] = []
    for (const [j, t] of ((image.tag ?? []) as El[]).entries()) {
      const label = str(t['@_label'])
      const src = { file, element: `${element}/tag[${j}]` }
      if (label === undefined || label === '') {
        lines.push(issue('format_element_invalid', `${file} ${src.element} has no label`, src))
        continue
      }
      tags.add(label)
      imageTags.push(label)
      if (Array.isArray(t.attribute) && t.attribute.length > 0)
        lines.push({
          type: 'issue',
          issue: {
            code: 'format_geometry_lossy',
            message: `${file} ${src.element}: the attributes of tag ${label} are not imported (tags are answers of the global checklist "${CVAT_TAGS}")`,
            source: src,
            warning: true,
          },
        })
    }
    if (imageTags.length > 0)
      pending.push({
        label: '',
        tool: 'point',
        build: () => [
          {
            type: 'line',
            line: {
              line: { name: CVAT_TAGS, dataRow, answer: imageTags.map((t) => ({ name: t })) },
              source: { file, element: `${element}/tag` },
            },
          },
        ],
      })
    for (const kind of SHAPES)
      for (const [j, s] of ((image[kind] ?? []) as El[]).entries()) {
        const shapeElement = `${element}/${kind}[${j}]`
        const src: SourceLocation = { file, element: shapeElement }
        const fail = (message: string) =>
          lines.push(issue('format_element_invalid', `${file} ${shapeElement}: ${message}`, src))
        const label = str(s['@_label'])
        if (label === undefined || label === '') {
          fail('has no label')
          continue
        }
        const metrics: CustomMetric[] = [{ name: 'cvat_shape', value: shapeIndex++ }]
        const occluded = str(s['@_occluded'])
        if (occluded !== undefined)
          metrics.push({ name: 'cvat_occluded', value: occluded === '1' ? 1 : 0 })
        for (const [attr, metricName] of [
          ['z_order', 'cvat_z_order'],
          ['group_id', 'cvat_group'],
        ] as const) {
          const v = num(s, attr)
          if (v !== undefined) metrics.push({ name: metricName, value: v })
        }
        const sourceAttr = str(s['@_source'])
        const si = SOURCES.indexOf(sourceAttr as (typeof SOURCES)[number])
        if (si >= 0) metrics.push({ name: 'cvat_source', value: si })
        // attributes → nested classifications
        let labelAttrs = attrs.get(label)
        if (!labelAttrs)
          attrs.set(
            label,
            (labelAttrs = new Map<string, { type: 'radio' | 'text'; options: Set<string> }>()),
          )
        const classifications: NdClassification[] = []
        for (const a of (s.attribute ?? []) as El[]) {
          const an = str(a['@_name'])
          if (an === undefined || an === '') continue
          const value = textOf(a)
          let decl = labelAttrs.get(an)
          if (!decl) labelAttrs.set(an, (decl = { type: 'text', options: new Set() }))
          if (decl.type === 'radio') {
            decl.options.add(value)
            classifications.push({ name: an, answer: { name: value } })
          } else if (value !== '') classifications.push({ name: an, answer: value })
        }
        const base = {
          dataRow,
          ...(classifications.length > 0 ? { classifications } : {}),
        }
        const tool = TOOL[kind]
        const add = (build: (name: string, metrics: CustomMetric[]) => FormatEvent[]) => {
          noteTool(used, label, tool)
          pending.push({ label, tool, build: (name) => build(name, metrics) })
        }
        const line = (l: Record<string, unknown>, at: SourceLocation = src): FormatEvent => ({
          type: 'line',
          line: { line: l as never, source: at },
        })
        if (kind === 'box') {
          const [xtl, ytl, xbr, ybr] = ['xtl', 'ytl', 'xbr', 'ybr'].map((k) => num(s, k))
          if (xtl === undefined || ytl === undefined || xbr === undefined || ybr === undefined) {
            fail('needs numeric xtl, ytl, xbr and ybr')
            continue
          }
          const rotation = num(s, 'rotation')
          if (rotation !== undefined && rotation !== 0) {
            metrics.push({ name: 'cvat_rotation', value: rotation })
            lines.push({
              type: 'issue',
              issue: {
                code: 'format_geometry_lossy',
                message: `${file} ${shapeElement}: rotated ${rotation}°; Labelport boxes are upright, so it shows unrotated (the rotation is kept and exported again)`,
                source: src,
                warning: true,
              },
            })
          }
          add((name, m) => [
            line({
              ...base,
              name,
              bbox: { left: xtl, top: ytl, width: xbr - xtl, height: ybr - ytl },
              customMetrics: m,
            }),
          ])
        } else if (kind === 'mask') {
          const [left, top, w, h] = ['left', 'top', 'width', 'height'].map((k) => num(s, k))
          const runs = (str(s['@_rle']) ?? '').split(',').map((v) => Number(v.trim()))
          if (
            left === undefined ||
            top === undefined ||
            w === undefined ||
            h === undefined ||
            ![left, top, w, h].every((v) => Number.isSafeInteger(v) && v >= 0)
          ) {
            fail('needs whole-number left, top, width and height')
            continue
          }
          if (width === undefined || height === undefined) {
            lines.push(
              issue(
                'format_image_size_unknown',
                `${file} ${shapeElement}: the image has no width and height, so the mask cannot be placed`,
                src,
              ),
            )
            continue
          }
          if (runs.some((r) => !Number.isSafeInteger(r) || r < 0)) {
            fail('rle must be comma-separated whole numbers')
            continue
          }
          const total = runs.reduce((a, b) => a + b, 0)
          if (total !== w * h) {
            fail(`rle counts add up to ${total}, not width × height = ${w * h}`)
            continue
          }
          if (left + w > width || top + h > height) {
            lines.push(
              issue(
                'mask_size_mismatch',
                `${file} ${shapeElement}: the mask crop (${left}, ${top}, ${w}×${h}) does not fit the ${width}×${height} image`,
                src,
              ),
            )
            continue
          }
          const data = new Uint8Array(w * h)
          let p = 0
          runs.forEach((r, k) => {
            if (k % 2 === 1) data.fill(1, p, p + r)
            p += r
          })
          metrics.push(
            { name: 'cvat_mask_left', value: left },
            { name: 'cvat_mask_top', value: top },
            { name: 'cvat_mask_width', value: w },
            { name: 'cvat_mask_height', value: h },
          )
          const mask = cropToCocoRle({ left, top, width: w, height: h, data }, width, height)
          add((name, m) => [line({ ...base, name, mask, customMetrics: m })])
        } else {
          const points = parsePoints(s['@_points'])
          const min = kind === 'polygon' ? 3 : kind === 'polyline' ? 2 : 1
          if (!points || points.length < min) {
            fail(`points must be at least ${min} "x,y" pairs separated by ";"`)
            continue
          }
          if (kind === 'polygon')
            add((name, m) => [line({ ...base, name, polygon: points, customMetrics: m })])
          else if (kind === 'polyline')
            add((name, m) => [line({ ...base, name, line: points, customMetrics: m })])
          else
            add((name, m) =>
              points.map((point, k) =>
                line(
                  {
                    ...base,
                    name,
                    point,
                    customMetrics: points.length > 1 ? [...m, { name: 'cvat_part', value: k }] : m,
                  },
                  k === 0 ? src : { file, element: `${shapeElement}.point[${k}]` },
                ),
              ),
            )
        }
      }
  }
  const out: FormatEvent[] = [...head]
  for (const feature of featuresOf(used, (label) =>
    [
      ...(attrs.get(label) ?? new Map<string, { type: 'radio' | 'text'; options: Set<string> }>()),
    ].map(([name, d]): ProposedClassification => ({
      type: d.type,
      name,
      options: d.type === 'radio' ? [...d.options] : [],
    })),
  ))
    out.push({ type: 'feature', feature })
  if (tags.size > 0)
    out.push({
      type: 'classification',
      classification: { type: 'checklist', name: CVAT_TAGS, options: [...tags] },
    })
  for (const p of pending) {
    const tools = used.get(p.label)
    const name = p.label === '' ? '' : featureName(p.label, p.tool, tools)
    out.push(...p.build(name))
  }
  out.push(...lines)
  return out
}

function featureName(label: string, tool: ProposedTool, tools: Set<ProposedTool> | undefined) {
  return featuresOf(new Map([[label, tools ?? new Set([tool])]])).find((f) => f.tool === tool)!.name
}

// ---------------------------------------------------------------------------------------------
// out

export interface CvatWriteOptions {
  layer: Layer
}

function fmt(n: number): string {
  return String(n)
}

function attributesXml(o: ExportObjectLike): string {
  let out = ''
  for (const c of o.classifications ?? []) {
    const value =
      c.radio_answer?.name ??
      c.text_answer?.content ??
      c.checklist_answers?.map((a) => a.name).join(',')
    if (value !== undefined)
      out += `      <attribute name="${xmlEscape(c.name)}">${xmlEscape(value)}</attribute>\n`
  }
  return out
}

function commonAttrs(o: ExportObjectLike, label: string): string {
  const m = o.custom_metrics
  let out = `label="${xmlEscape(label)}"`
  const source = metric(m, 'cvat_source')
  if (source !== undefined && SOURCES[source]) out += ` source="${SOURCES[source]}"`
  const occluded = metric(m, 'cvat_occluded')
  out += ` occluded="${occluded === 1 ? 1 : 0}"`
  const z = metric(m, 'cvat_z_order')
  if (z !== undefined) out += ` z_order="${z}"`
  const g = metric(m, 'cvat_group')
  if (g !== undefined) out += ` group_id="${g}"`
  return out
}

function pointsAttr(points: readonly { x: number; y: number }[]): string {
  return points.map((p) => `${fmt(p.x)},${fmt(p.y)}`).join(';')
}

function element(tag: string, attrs: string, children: string): string {
  return children === ''
    ? `    <${tag} ${attrs}/>\n`
    : `    <${tag} ${attrs}>\n${children}    </${tag}>\n`
}

/**
 * A CVAT for images 1.1 file. The label list (`<meta>`) comes before the images and is only known
 * once every row is read, so image elements are held as text until the end (the output's size).
 */
export async function* writeCvat(
  rows: AsyncIterable<ExportRowLike> | Iterable<ExportRowLike>,
  opts: CvatWriteOptions,
  issues: FormatIssue[] = [],
): AsyncGenerator<string> {
  const labels = new Map<string, Map<string, Set<string>>>()
  const bodies: string[] = []
  let id = 0
  for await (const row of rows) {
    if (!hasLabel(row, opts.layer)) continue
    const key = row.data_row.global_key ?? row.data_row.id
    const { width, height } = row.media_attributes
    let body = ''
    const objects = exportObjects(row, opts.layer)
    for (let i = 0; i < objects.length; i++) {
      const o = objects[i]!
      const label = labelOfFeature(o.name)
      let attrs = labels.get(label)
      if (!attrs) labels.set(label, (attrs = new Map<string, Set<string>>()))
      for (const c of o.classifications ?? []) {
        let set = attrs.get(c.name)
        if (!set) attrs.set(c.name, (set = new Set()))
        if (c.radio_answer) set.add(c.radio_answer.name)
      }
      const common = commonAttrs(o, label)
      const children = attributesXml(o)
      if (o.bounding_box) {
        const b = o.bounding_box
        const rotation = metric(o.custom_metrics, 'cvat_rotation')
        body += element(
          'box',
          `${common} xtl="${fmt(b.left)}" ytl="${fmt(b.top)}" xbr="${fmt(b.left + b.width)}" ybr="${fmt(b.top + b.height)}"${rotation !== undefined ? ` rotation="${rotation}"` : ''}`,
          children,
        )
      } else if (o.polygon)
        body += element(
          'polygon',
          `${common} points="${pointsAttr(openRing(o.polygon))}"`,
          children,
        )
      else if (o.line)
        body += element('polyline', `${common} points="${pointsAttr(o.line)}"`, children)
      else if (o.point) {
        // the points of one `points` element were read as consecutive lines with one cvat_shape
        const shape = metric(o.custom_metrics, 'cvat_shape')
        const points = [o.point]
        while (
          shape !== undefined &&
          metric(o.custom_metrics, 'cvat_part') !== undefined &&
          objects[i + 1]?.point &&
          objects[i + 1]!.name === o.name &&
          metric(objects[i + 1]!.custom_metrics, 'cvat_shape') === shape
        )
          points.push(objects[++i]!.point!)
        body += element('points', `${common} points="${pointsAttr(points)}"`, children)
      } else if (o.mask_rle) {
        const m = o.custom_metrics
        const kept = ['left', 'top', 'width', 'height'].map((k) => metric(m, `cvat_mask_${k}`))
        const crop = cocoRleToCrop(
          o.mask_rle,
          kept.every((v) => v !== undefined)
            ? { left: kept[0]!, top: kept[1]!, width: kept[2]!, height: kept[3]! }
            : undefined,
        )
        if (!crop || crop.width === 0) {
          issues.push({
            code: 'format_geometry_lossy',
            message: `${key}: ${o.name} is an empty or unreadable mask; left out`,
            source: { file: 'annotations.xml', annotationId: o.feature_id },
            warning: true,
          })
          continue
        }
        body += element(
          'mask',
          `${common} rle="${rowMajorRuns(crop.data).join(', ')}" left="${crop.left}" top="${crop.top}" width="${crop.width}" height="${crop.height}"`,
          children,
        )
      } else
        issues.push({
          code: 'format_geometry_lossy',
          message: `${key}: ${o.name} is a mask without its RLE (export with rle); left out`,
          source: { file: 'annotations.xml', annotationId: o.feature_id },
          warning: true,
        })
    }
    for (const c of exportClassifications(row, opts.layer)) {
      const answers = c.checklist_answers ?? (c.radio_answer ? [c.radio_answer] : [])
      if (c.name !== CVAT_TAGS)
        issues.push({
          code: 'format_geometry_lossy',
          message: `${key}: the classification ${c.name} is written as tags of its answers`,
          source: { file: 'annotations.xml' },
          warning: true,
        })
      for (const a of answers) {
        if (!labels.has(a.name)) labels.set(a.name, new Map())
        body += `    <tag label="${xmlEscape(a.name)}" source="manual"/>\n`
      }
    }
    bodies.push(
      `  <image id="${id++}" name="${xmlEscape(key)}" width="${width}" height="${height}">\n${body}  </image>\n`,
    )
  }
  let meta = '<?xml version="1.0" encoding="utf-8"?>\n<annotations>\n  <version>1.1</version>\n'
  meta += '  <meta>\n    <task>\n      <labels>\n'
  for (const [label, attrs] of labels) {
    meta += `        <label>\n          <name>${xmlEscape(label)}</name>\n          <attributes>\n`
    for (const [a, values] of attrs)
      meta +=
        `            <attribute>\n              <name>${xmlEscape(a)}</name>\n` +
        `              <input_type>${values.size > 0 ? 'select' : 'text'}</input_type>\n` +
        `              <values>${xmlEscape([...values].join('\n'))}</values>\n            </attribute>\n`
    meta += `          </attributes>\n        </label>\n`
  }
  meta += '      </labels>\n    </task>\n  </meta>\n'
  yield meta
  for (const b of bodies) yield b
  yield '</annotations>\n'
}
