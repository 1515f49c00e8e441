/**
 * Test-only: runs a reader's lines through the real ImportJudge as the import job does (masks
 * decoded from their RLE as the server's MaskProcessor does for RLE input), then maps the accepted
 * records to export v2 rows with the real export mapping, for round trips without a server.
 */
import {
  ImportJudge,
  NormalizedOntologySchema,
  buildOntologyIndex,
  checkRle,
  compressCounts,
  completeOntology,
  rleArea,
  rleBbox,
  toExportLabelAnnotations,
  withMaskGeometry,
  type AnnotationRecord,
  type ImportKind,
  type Issue,
} from '@labelport/core'
import type { CollectedImport, FormatLine } from './model.ts'
import type { ExportRowLike } from './rows.ts'
import { proposedOntology } from './shared.ts'

export interface JudgedImport {
  rows: ExportRowLike[]
  failed: { line: FormatLine; issues: Issue[] }[]
  accepted: number
}

export function judgeAndExport(collected: CollectedImport, kind: ImportKind): JudgedImport {
  const ontology = buildOntologyIndex(
    completeOntology(
      NormalizedOntologySchema.parse(
        proposedOntology(collected.features, collected.classifications),
      ),
    ),
  )
  const judge = new ImportJudge({ ontology, kind })
  const rowOf = new Map(
    collected.images.map((image, i) => [
      image.globalKey,
      { id: `row${i}`, globalKey: image.globalKey, width: image.width, height: image.height },
    ]),
  )
  const records = new Map<string, AnnotationRecord[]>()
  const failed: JudgedImport['failed'] = []
  let accepted = 0
  collected.lines.forEach((line, i) => {
    const parsed = judge.parse(JSON.stringify(line.line), i + 1)
    if (!parsed.ok) {
      failed.push({ line, issues: parsed.issues })
      return
    }
    const ref = parsed.dataRowRef
    const row = 'globalKey' in ref ? rowOf.get(ref.globalKey) : undefined
    const verdict = judge.check(parsed, row ?? 'unknown')
    if (verdict.ok === false || verdict.ok === 'deferred') {
      failed.push({ line, issues: verdict.ok === false ? verdict.issues : [] })
      return
    }
    let record: AnnotationRecord
    if (verdict.ok === 'mask') {
      const input = verdict.mask.input
      if (!('counts' in input)) throw new Error('only RLE masks in format round trips')
      const checked = checkRle(input)
      if (!checked.ok) {
        failed.push({ line, issues: [checked.issue] })
        return
      }
      record = withMaskGeometry(verdict.record, {
        type: 'mask',
        compositeSha256: '',
        color: null,
        rle: { counts: compressCounts(checked.counts), size: [checked.height, checked.width] },
        bbox: rleBbox(checked.counts, checked.height),
        area: rleArea(checked.counts),
      })
    } else record = verdict.record
    accepted++
    let list = records.get(record.dataRowId)
    if (!list) records.set(record.dataRowId, (list = []))
    list.push(record)
  })
  const layer = kind === 'mal' ? 'prelabels' : 'labels'
  const rows: ExportRowLike[] = [...rowOf.values()].map((row) => ({
    data_row: { id: row.id, global_key: row.globalKey },
    media_attributes: { width: row.width ?? 0, height: row.height ?? 0 },
    projects: {
      p: {
        [layer]: [
          {
            annotations: toExportLabelAnnotations(records.get(row.id) ?? [], {
              maskUrl: () => '',
              maskRle: true,
            }),
          },
        ],
      },
    },
  }))
  return { rows, failed, accepted }
}

export async function text(chunks: AsyncIterable<string>): Promise<string> {
  let out = ''
  for await (const c of chunks) out += c
  return out
}
