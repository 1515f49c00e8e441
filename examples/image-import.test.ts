import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { Client } from '@labelport/sdk'
import type { ExportLabel, StatusLine } from '@labelport/sdk'
import { postgres, startServer } from '@labelport/testkit'
import type { TestServer } from '@labelport/testkit'
import { formatExampleSummary, runImageImportExample } from './image-import.ts'
import type { ExampleResult } from './image-import.ts'

/** What the guide's payload holds, by export kind (5 mask colors, source and target boxes). */
const OBJECT_KINDS = {
  ImageBoundingBox: 4,
  ImagePolygon: 1,
  ImagePoint: 1,
  ImagePolyline: 1,
  ImageSegmentationMask: 5,
}
const CLASSIFICATIONS = [
  'checklist_question',
  'free_text',
  'nested_checklist_question',
  'nested_radio_question',
  'radio_question',
]
const LINES = 18 // 5 classifications + 12 objects + 1 relationship

function countKinds(label: ExportLabel): Record<string, number> {
  const counts: Record<string, number> = {}
  for (const object of label.annotations.objects)
    counts[object.annotation_kind ?? '?'] = (counts[object.annotation_kind ?? '?'] ?? 0) + 1
  return counts
}

function lineKind(line: Record<string, unknown>): string {
  return (
    ['bbox', 'polygon', 'line', 'point', 'mask', 'relationship', 'answer'].find(
      (key) => key in line,
    ) ?? '?'
  )
}

const failedCodes = (statuses: StatusLine[]): string[] =>
  statuses.flatMap((s) => (s.errors ?? []).map((e) => e.code))

function checkExample(
  backend: { skip: string | false; databaseUrl?: () => string },
  title: string,
): void {
  void describe(`the guide, ported (${title})`, { skip: backend.skip }, () => {
    let server: TestServer
    let result: ExampleResult

    before(async () => {
      server = await startServer(backend.databaseUrl ? { databaseUrl: backend.databaseUrl() } : {})
      result = await runImageImportExample({
        client: new Client(server.apiKey, { endpoint: server.url }),
        log: () => {},
      })
    })
    after(async () => {
      await server?.stop()
    })

    void it('creates the data row and reports a duplicate global key by name', () => {
      assert.equal(result.duplicate.errors?.length, 1)
      const error = result.duplicate.errors?.[0]
      assert.equal(error?.code, 'global_key_duplicate')
      assert.ok(error?.message.includes(result.globalKey))
      assert.equal(error?.failedDataRows[0]?.globalKey, result.globalKey)
      assert.equal(result.duplicate.rowCount, 0)
      assert.equal(result.duplicate.datasetDeleted, true)
    })

    void it('prints a short summary with its expected failures in full (no [Object])', () => {
      const text = formatExampleSummary(result)
      assert.doesNotMatch(text, /\[Object\]|\[Array\]/)
      assert.ok(text.split('\n').length < 60, text)
      assert.match(text, /"code": "global_key_duplicate"/)
      assert.match(text, /"code": "relationship_not_allowed"/)
      assert.ok(text.includes(result.globalKey))
    })

    void it('serializes the typed Labels to the same kinds of lines as the NDJSON form', () => {
      const kinds = (lines: Record<string, unknown>[]): string[] => lines.map(lineKind).sort()
      assert.equal(result.payloads.ndjson.length, LINES)
      assert.deepEqual(kinds(result.payloads.objectsSerialized), kinds(result.payloads.ndjson))
    })

    void it('MAL: every status line is SUCCESS', () => {
      assert.equal(result.mal.job.state, 'FINISHED')
      assert.equal(result.mal.statuses.length, LINES)
      assert.ok(result.mal.statuses.every((s) => s.status === 'SUCCESS'))
      assert.deepEqual(result.mal.errors, [])
      assert.deepEqual(result.mal.job.counts, { total: LINES, success: LINES, failure: 0 })
    })

    void it('ground truth: only the relationship fails, with relationship_not_allowed', () => {
      assert.equal(result.groundTruth.job.state, 'FINISHED')
      assert.equal(result.groundTruth.statuses.length, LINES)
      assert.equal(result.groundTruth.errors.length, 1)
      assert.deepEqual(failedCodes(result.groundTruth.errors), ['relationship_not_allowed'])
      const failedLine = result.groundTruth.errors[0]?.line ?? 0
      assert.equal(lineKind(result.payloads.ndjson[failedLine - 1] ?? {}), 'relationship')
      assert.equal(
        result.groundTruth.statuses.filter((s) => s.status === 'SUCCESS').length,
        LINES - 1,
      )
      assert.equal(result.groundTruth.job.errorCounts['relationship_not_allowed'], 1)
    })

    void it('dry runs judge the swapped forms the same way and write nothing', () => {
      assert.equal(result.dryRuns.mal.job.dryRun, true)
      assert.deepEqual(failedCodes(result.dryRuns.mal.statuses), [])
      assert.deepEqual(failedCodes(result.dryRuns.groundTruth.statuses), [
        'relationship_not_allowed',
      ])
    })

    void it('exports exactly what succeeded: prelabels from MAL, labels from ground truth', () => {
      assert.equal(result.exportRows.length, 1)
      const row = result.exportRows[0]!
      assert.equal(row.data_row.global_key, result.globalKey)
      assert.equal(row.media_attributes.width, 2560)
      assert.equal(row.media_attributes.height, 1920)
      const project = row.projects[result.projectId]!
      assert.equal(project.prelabels.length, 1)
      assert.equal(project.labels.length, 1)
      const [prelabel, label] = [project.prelabels[0]!, project.labels[0]!]

      assert.deepEqual(countKinds(prelabel), OBJECT_KINDS)
      assert.deepEqual(
        prelabel.annotations.classifications.map((c) => c.name).sort(),
        CLASSIFICATIONS,
      )
      assert.equal(prelabel.annotations.relationships.length, 1)

      assert.deepEqual(countKinds(label), OBJECT_KINDS)
      assert.deepEqual(label.annotations.classifications.map((c) => c.name).sort(), CLASSIFICATIONS)
      assert.equal(label.annotations.relationships.length, 0)
    })
  })
}

checkExample({ skip: false }, 'SQLite')
const pg = postgres()
checkExample({ skip: pg.skip, databaseUrl: () => pg.value }, 'PostgreSQL')
