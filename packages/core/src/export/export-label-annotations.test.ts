import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import type { AnnotationRecord, ObjectRecord } from '../model/annotation-record.ts'
import { indexOf, runLines, ROW_ID } from '../validation/test-support.ts'
import { toExportLabelAnnotations } from './export-label-annotations.ts'
import { sharedFixtureUrl } from '@labelport/testkit'

const FIXTURES = sharedFixtureUrl('labelbox/derived/')
const integration = JSON.parse(
  readFileSync(new URL('integration_image_label_import.json', FIXTURES), 'utf8'),
)

/** The integration test compares after dropping ids, recursively. */
function withoutIds(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutIds)
  if (typeof value !== 'object' || value === null) return value
  return Object.fromEntries(
    Object.entries(value)
      .filter(([k]) => k !== 'feature_id' && k !== 'feature_schema_id')
      .map(([k, v]) => [k, withoutIds(v)]),
  )
}

function recordsOf(lines: unknown[], normalized: unknown): AnnotationRecord[] {
  let fresh = 0
  const text = JSON.stringify(lines)
    .replace(/<uuid-(\d)>/g, (_, n: string) => `00000000-0000-4000-8000-00000000000${n}`)
    .replaceAll(
      '<uuid>',
      () => `00000000-0000-4000-8000-1000000000${String(++fresh).padStart(2, '0')}`,
    )
    .replaceAll('<DATA_ROW_ID>', ROW_ID)
  const outcomes = runLines(indexOf(normalized), JSON.parse(text), { kind: 'ground_truth' })
  return outcomes.map((o) => {
    assert.ok(o.verdict?.ok === true, JSON.stringify(o.issues))
    return o.verdict.record
  })
}

void test('the integration import exports as Labelbox expects', () => {
  const records = recordsOf(integration.lines, integration.ontology_normalized)
  const exported = toExportLabelAnnotations(records, { maskUrl: () => 'unused' })
  assert.deepEqual(withoutIds(exported), integration.expected_export_v2_annotations)
  assert.equal(exported.objects[0]?.feature_id, '00000000-0000-4000-8000-000000000001')
  assert.equal(exported.objects[0]?.feature_schema_id, records[0]?.featureSchemaId)
  assert.equal(exported.classifications[0]?.feature_id, '00000000-0000-4000-8000-000000000004')
})

void test('nested answers, points, masks and relationships', () => {
  const lines = [
    integration.extra_inference_lines[
      'rectangle_inference_with_confidence (MEA-style, nested, confidences)'
    ],
    integration.extra_inference_lines.point_inference,
    integration.extra_inference_lines.radio_inference,
  ]
  const records = recordsOf(lines, integration.ontology_normalized)
  const mask: ObjectRecord = {
    kind: 'object',
    uuid: '00000000-0000-4000-8000-0000000000aa',
    dataRowId: ROW_ID,
    featureSchemaId: 'cmask0000000000000000000a',
    name: 'segmentation_mask',
    tool: 'raster-segmentation',
    geometry: {
      type: 'mask',
      compositeSha256: 'ab',
      color: [1, 2, 3],
      rle: { counts: '', size: [1, 1] },
      bbox: { top: 0, left: 0, height: 1, width: 1 },
      area: 1,
    },
    classifications: [],
  }
  const binary: ObjectRecord = {
    ...mask,
    uuid: '00000000-0000-4000-8000-0000000000ab',
    geometry: { ...mask.geometry, color: null } as ObjectRecord['geometry'],
  }
  const relationship: AnnotationRecord = {
    kind: 'relationship',
    uuid: '00000000-0000-4000-8000-0000000000ac',
    dataRowId: ROW_ID,
    featureSchemaId: 'cedge0000000000000000000a',
    name: 'is_next_to',
    source: mask.uuid,
    target: binary.uuid,
    relationshipType: 'bidirectional',
  }
  const exported = toExportLabelAnnotations([...records, mask, binary, relationship], {
    maskUrl: (r) => `https://masks/${r.uuid}`,
  })
  assert.deepEqual(withoutIds(exported), {
    objects: [
      {
        name: 'bbox_tool_with_nested_text',
        value: 'bbox_tool_with_nested_text',
        annotation_kind: 'ImageBoundingBox',
        classifications: [
          {
            name: 'nested',
            value: 'nested',
            radio_answer: {
              name: 'radio_value_1',
              value: 'radio_value_1',
              classifications: [
                {
                  name: 'nested_text',
                  value: 'nested_text',
                  text_answer: { content: 'nested answer' },
                },
              ],
            },
          },
        ],
        // the imported confidence is kept (it was dropped before)
        confidence: 0.9,
        bounding_box: { top: 48, left: 58, height: 65, width: 12 },
      },
      {
        name: 'point--',
        value: 'point--',
        annotation_kind: 'ImagePoint',
        classifications: [],
        point: { x: 147.692, y: 118.154 },
      },
      {
        name: 'segmentation_mask',
        value: 'segmentation_mask',
        annotation_kind: 'ImageSegmentationMask',
        classifications: [],
        composite_mask: { url: `https://masks/${mask.uuid}`, color_rgb: [1, 2, 3] },
      },
      {
        name: 'segmentation_mask',
        value: 'segmentation_mask',
        annotation_kind: 'ImageSegmentationMask',
        classifications: [],
        composite_mask: { url: `https://masks/${binary.uuid}`, color_rgb: [255, 255, 255] },
      },
    ],
    classifications: [
      {
        name: 'radio',
        value: 'radio',
        radio_answer: {
          name: 'first_radio_answer',
          value: 'first_radio_answer',
          classifications: [],
        },
      },
    ],
    relationships: [
      {
        name: 'is_next_to',
        value: 'is_next_to',
        unidirectional: false,
        source: mask.uuid,
        target: binary.uuid,
      },
    ],
  })
  assert.equal(exported.relationships[0]?.feature_id, relationship.uuid)
  assert.equal(exported.relationships[0]?.feature_schema_id, relationship.featureSchemaId)
})
