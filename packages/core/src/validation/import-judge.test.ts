// Over 500 lines: the judge's table of cases, one per verdict code (the meta-test reads it).
import { test, describe } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { LINE_ERROR_CODES, type IssuePath, type LineErrorCode } from '../errors.ts'
import type {
  ClassificationLineRecord,
  MaskLineRecord,
  ObjectRecord,
} from '../model/annotation-record.ts'
import { ImportJudge } from './import-judge.ts'
import {
  GLOBAL_KEY,
  ROW,
  ROW_ID,
  indexOf,
  runLines,
  type RunOptions,
  type TestLine,
} from './test-support.ts'
import { sharedFixtureUrl } from '@labelport/testkit'

const FIXTURES = sharedFixtureUrl('labelbox/derived/')
const readFixture = (name: string): unknown =>
  JSON.parse(readFileSync(new URL(name, FIXTURES), 'utf8'))

const ontology = indexOf(readFixture('seed_ontology_builder_asdict.json'))
const toolId = (name: string) => ontology.tools.byName.get(name)!.featureSchemaId
const classificationId = (name: string) =>
  ontology.classifications.byName.get(name)!.featureSchemaId

const U1 = '6f0c1a52-5d0e-4a5b-9f7e-0a1b2c3d4e01'
const U2 = '6f0c1a52-5d0e-4a5b-9f7e-0a1b2c3d4e02'
const U3 = '6f0c1a52-5d0e-4a5b-9f7e-0a1b2c3d4e03'
const dataRow = { id: ROW_ID }

const bbox = (extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  uuid: U1,
  dataRow,
  name: 'bounding_box',
  bbox: { top: 10, left: 20, height: 30, width: 40 },
  ...extra,
})
const radio = (answer: unknown, extra: Record<string, unknown> = {}) => ({
  dataRow,
  name: 'radio_question',
  answer,
  ...extra,
})
const relationship = (rel: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
  dataRow,
  name: 'relationship',
  relationship: { source: U1, target: U2, type: 'unidirectional', ...rel },
  ...extra,
})
const twoBoxes = [bbox(), bbox({ uuid: U2 })]
/** arrays nested `depth` levels deep */
const nested = (depth: number): unknown => {
  let value: unknown = 1
  for (let i = 0; i < depth; i++) value = [value]
  return value
}

interface Case {
  code: LineErrorCode
  /** what the case shows, when a code has several */
  label?: string
  lines: TestLine[]
  path: IssuePath
  /** near miss: the same idea, accepted */
  nearMiss: TestLine[]
  run?: RunOptions
  nearMissRun?: RunOptions
}

const CASES: Case[] = [
  {
    code: 'line_not_json',
    lines: ['{"name": "bounding_box",'],
    path: [],
    nearMiss: [JSON.stringify(bbox())],
  },
  { code: 'line_not_object', lines: ['[{"name": "bounding_box"}]'], path: [], nearMiss: [bbox()] },
  {
    code: 'line_too_long',
    lines: [bbox({ note: 'x'.repeat(400) })],
    path: [],
    nearMiss: [bbox({ note: 'x'.repeat(10) })],
    run: { options: { maxLineBytes: 300 } },
    nearMissRun: { options: { maxLineBytes: 300 } },
  },
  {
    code: 'line_too_long',
    label: 'bytes, not characters',
    lines: [bbox({ note: '€'.repeat(80) })],
    path: [],
    nearMiss: [bbox({ note: 'e'.repeat(80) })],
    run: { options: { maxLineBytes: 300 } },
    nearMissRun: { options: { maxLineBytes: 300 } },
  },
  {
    code: 'field_invalid',
    lines: [bbox({ uuid: 5 })],
    path: ['uuid'],
    nearMiss: [bbox({ uuid: U1.toUpperCase() })],
  },
  {
    code: 'field_invalid',
    label: 'name',
    lines: [bbox({ name: ['bounding_box'] })],
    path: ['name'],
    nearMiss: [bbox()],
  },
  {
    code: 'field_invalid',
    label: 'confidence',
    lines: [bbox({ confidence: '0.5' })],
    path: ['confidence'],
    nearMiss: [bbox({ confidence: 0.5 })],
  },
  {
    code: 'field_invalid',
    label: 'bbox',
    lines: [bbox({ bbox: [10, 20, 30, 40] })],
    path: ['bbox'],
    nearMiss: [bbox()],
  },
  {
    code: 'field_invalid',
    label: 'benchmark flag',
    lines: [bbox({ isBenchmarkReferenceLabel: 'yes' })],
    path: ['isBenchmarkReferenceLabel'],
    nearMiss: [bbox({ isBenchmarkReferenceLabel: false })],
  },
  {
    code: 'annotation_kind_missing',
    lines: [{ uuid: U1, dataRow, name: 'bounding_box' }],
    path: [],
    nearMiss: [bbox()],
  },
  {
    code: 'annotation_kind_conflict',
    lines: [bbox({ point: { x: 1, y: 2 } })],
    path: ['point'],
    nearMiss: [bbox({ point: null })],
  },
  {
    code: 'annotation_kind_conflict',
    label: 'answer and answers',
    lines: [
      {
        dataRow,
        name: 'checklist_question',
        answer: [{ name: 'first_checklist_answer' }],
        answers: [{ name: 'first_checklist_answer' }],
      },
    ],
    path: ['answers'],
    nearMiss: [
      { dataRow, name: 'checklist_question', answers: [{ name: 'first_checklist_answer' }] },
    ],
  },
  {
    code: 'uuid_invalid',
    lines: [bbox({ uuid: '6f0c1a52-5d0e-4a5b-9f7e' })],
    path: ['uuid'],
    nearMiss: [bbox({ uuid: `{${U1.replaceAll('-', '').toUpperCase()}}` })],
  },
  {
    code: 'uuid_duplicate',
    lines: [bbox(), bbox({ uuid: U1.toUpperCase() })],
    path: ['uuid'],
    nearMiss: twoBoxes,
  },
  {
    code: 'data_row_missing',
    lines: [bbox({ dataRow: undefined })],
    path: ['dataRow'],
    nearMiss: [bbox()],
  },
  {
    code: 'data_row_ref_invalid',
    lines: [bbox({ dataRow: { id: ROW_ID, globalKey: GLOBAL_KEY } })],
    path: ['dataRow'],
    nearMiss: [bbox({ dataRow: { globalKey: GLOBAL_KEY } })],
  },
  {
    code: 'data_row_ref_invalid',
    label: 'not a string',
    lines: [bbox({ dataRow: { id: 42 } })],
    path: ['dataRow', 'id'],
    nearMiss: [bbox({ dataRow: { id: ROW_ID, globalKey: null } })],
  },
  {
    code: 'data_row_ref_invalid',
    label: 'neither',
    lines: [bbox({ dataRow: {} })],
    path: ['dataRow'],
    nearMiss: [bbox()],
  },
  {
    code: 'data_row_unknown',
    lines: [bbox()],
    path: ['dataRow', 'id'],
    nearMiss: [bbox()],
    run: { row: 'unknown' },
  },
  {
    code: 'data_row_not_in_project',
    lines: [bbox({ dataRow: { globalKey: GLOBAL_KEY } })],
    path: ['dataRow', 'globalKey'],
    nearMiss: [bbox({ dataRow: { globalKey: GLOBAL_KEY } })],
    run: { row: 'not_in_project' },
  },
  {
    code: 'feature_missing',
    lines: [bbox({ name: undefined })],
    path: ['name'],
    nearMiss: [bbox({ name: undefined, schemaId: toolId('bounding_box') })],
  },
  {
    code: 'feature_missing',
    label: 'answer',
    lines: [radio({ confidence: 0.5 })],
    path: ['answer'],
    nearMiss: [
      radio({
        schemaId: ontology.classifications.byName
          .get('radio_question')!
          .optionsByValue.get('first_radio_answer')!.featureSchemaId,
      }),
    ],
  },
  {
    code: 'feature_conflict',
    lines: [bbox({ schemaId: toolId('bbox_with_radio_subclass') })],
    path: ['schemaId'],
    nearMiss: [bbox({ schemaId: toolId('bounding_box') })],
  },
  {
    code: 'feature_unknown',
    lines: [bbox({ name: 'bounding_boxes' })],
    path: ['name'],
    nearMiss: [bbox()],
  },
  {
    code: 'feature_unknown',
    label: 'schemaId',
    lines: [bbox({ name: undefined, schemaId: 'cl0000000000000000000000x' })],
    path: ['schemaId'],
    nearMiss: [bbox({ name: undefined, schemaId: toolId('bounding_box') })],
  },
  {
    code: 'feature_kind_mismatch',
    label: 'polygon for a rectangle tool',
    lines: [
      bbox({
        bbox: undefined,
        polygon: [
          { x: 1, y: 1 },
          { x: 9, y: 1 },
          { x: 5, y: 9 },
        ],
      }),
    ],
    path: ['polygon'],
    nearMiss: [
      bbox({
        name: 'polygon',
        bbox: undefined,
        polygon: [
          { x: 1, y: 1 },
          { x: 9, y: 1 },
          { x: 5, y: 9 },
        ],
      }),
    ],
  },
  {
    code: 'feature_kind_mismatch',
    label: 'answer for a tool',
    lines: [radio({ name: 'first_radio_answer' }, { name: 'bounding_box' })],
    path: ['answer'],
    nearMiss: [radio({ name: 'first_radio_answer' })],
  },
  {
    code: 'feature_kind_mismatch',
    label: 'geometry for a classification',
    lines: [bbox({ name: 'radio_question' })],
    path: ['bbox'],
    nearMiss: [bbox()],
  },
  {
    code: 'feature_kind_mismatch',
    label: 'relationship for a non-edge tool',
    lines: [...twoBoxes, relationship({}, { name: 'bounding_box' })],
    path: ['relationship'],
    nearMiss: [...twoBoxes, relationship({})],
  },
  {
    code: 'radio_answer_invalid',
    lines: [radio('first_radio_answer')],
    path: ['answer'],
    nearMiss: [radio({ name: 'first_radio_answer' })],
  },
  {
    code: 'radio_answer_invalid',
    label: 'a list',
    lines: [radio([{ name: 'first_radio_answer' }])],
    path: ['answer'],
    nearMiss: [radio({ name: 'first_radio_answer' })],
  },
  {
    code: 'checklist_answer_invalid',
    lines: [{ dataRow, name: 'checklist_question', answer: 'first_checklist_answer' }],
    path: ['answer'],
    nearMiss: [{ dataRow, name: 'checklist_question', answer: { name: 'first_checklist_answer' } }],
  },
  {
    code: 'checklist_answer_invalid',
    label: 'empty list',
    lines: [{ dataRow, name: 'checklist_question', answer: [] }],
    path: ['answer'],
    nearMiss: [
      { dataRow, name: 'checklist_question', answer: [{ name: 'first_checklist_answer' }] },
    ],
  },
  {
    code: 'checklist_answer_invalid',
    label: 'an item',
    lines: [
      {
        dataRow,
        name: 'checklist_question',
        answer: [{ name: 'first_checklist_answer' }, 'second_checklist_answer'],
      },
    ],
    path: ['answer', 1],
    nearMiss: [
      {
        dataRow,
        name: 'checklist_question',
        answer: [{ name: 'first_checklist_answer' }, { name: 'second_checklist_answer' }],
      },
    ],
  },
  {
    code: 'text_answer_invalid',
    lines: [{ dataRow, name: 'free_text', answer: { name: 'sample text' } }],
    path: ['answer'],
    nearMiss: [{ dataRow, name: 'free_text', answer: '' }],
  },
  {
    code: 'text_invalid',
    label: 'NUL in a global key',
    lines: [bbox({ dataRow: { globalKey: 'a\u0000b' } })],
    path: ['dataRow', 'globalKey'],
    nearMiss: [{ dataRow, name: 'free_text', answer: 'a\u2400b \ud83d\ude00' }],
  },
  {
    code: 'text_invalid',
    label: 'lone surrogate in an answer',
    lines: [{ dataRow, name: 'free_text', answer: 'x\ud800' }],
    path: ['answer'],
    nearMiss: [{ dataRow, name: 'free_text', answer: 'x\ud800\udc00' }],
  },
  {
    code: 'nesting_too_deep',
    lines: [bbox({ customMetrics: nested(70) })],
    path: ['customMetrics', ...new Array<number>(63).fill(0)],
    nearMiss: [bbox({ uuid: U2 })],
  },
  {
    code: 'answer_unknown',
    lines: [radio({ name: 'third_radio_answer' })],
    path: ['answer', 'name'],
    nearMiss: [radio({ name: 'second_radio_answer' })],
  },
  {
    code: 'answer_unknown',
    label: 'nested',
    lines: [
      {
        dataRow,
        name: 'nested_radio_question',
        answer: {
          name: 'first_radio_answer',
          classifications: [
            { name: 'sub_radio_question', answer: { name: 'second_sub_radio_answer' } },
          ],
        },
      },
    ],
    path: ['answer', 'classifications', 0, 'answer', 'name'],
    nearMiss: [
      {
        dataRow,
        name: 'nested_radio_question',
        answer: {
          name: 'first_radio_answer',
          classifications: [
            { name: 'sub_radio_question', answer: { name: 'first_sub_radio_answer' } },
          ],
        },
      },
    ],
  },
  {
    code: 'checklist_answer_duplicate',
    lines: [
      {
        dataRow,
        name: 'checklist_question',
        answer: [
          { name: 'first_checklist_answer' },
          {
            schemaId: ontology.classifications.byName
              .get('checklist_question')!
              .optionsByValue.get('first_checklist_answer')!.featureSchemaId,
          },
        ],
      },
    ],
    path: ['answer', 1],
    nearMiss: [
      {
        dataRow,
        name: 'checklist_question',
        answer: [{ name: 'first_checklist_answer' }, { name: 'second_checklist_answer' }],
      },
    ],
  },
  {
    code: 'classification_not_in_scope',
    lines: [
      bbox({
        name: 'bbox_with_radio_subclass',
        classifications: [{ name: 'radio_question', answer: { name: 'first_radio_answer' } }],
      }),
    ],
    path: ['classifications', 0, 'name'],
    nearMiss: [
      bbox({
        name: 'bbox_with_radio_subclass',
        classifications: [
          { name: 'sub_radio_question', answer: { name: 'first_sub_radio_answer' } },
        ],
      }),
    ],
  },
  {
    code: 'classification_too_deep',
    lines: [
      radio({
        name: 'first_radio_answer',
        classifications: [
          { name: 'sub_radio_question', answer: { name: 'first_sub_radio_answer' } },
        ],
      }),
    ],
    path: ['answer', 'classifications', 0],
    nearMiss: [radio({ name: 'first_radio_answer', classifications: [] })],
  },
  {
    code: 'classification_too_deep',
    label: 'under a tool without questions',
    lines: [
      bbox({
        classifications: [
          { name: 'sub_radio_question', answer: { name: 'first_sub_radio_answer' } },
        ],
      }),
    ],
    path: ['classifications', 0],
    nearMiss: [bbox({ classifications: [] })],
  },
  {
    code: 'coordinate_invalid',
    lines: [bbox({ bbox: { top: '10', left: 20, height: 30, width: 40 } })],
    path: ['bbox', 'top'],
    nearMiss: [bbox({ bbox: { top: 10.5, left: 20, height: 30, width: 40 } })],
  },
  {
    code: 'coordinate_invalid',
    label: 'polygon point',
    lines: [{ dataRow, name: 'polygon', polygon: [{ x: 1, y: 1 }, { x: 9 }, { x: 5, y: 9 }] }],
    path: ['polygon', 1, 'y'],
    nearMiss: [
      {
        dataRow,
        name: 'polygon',
        polygon: [
          { x: 1, y: 1 },
          { x: 9, y: 0 },
          { x: 5, y: 9 },
        ],
      },
    ],
  },
  {
    code: 'coordinate_not_finite',
    lines: [JSON.stringify(bbox()).replace('"top":10', '"top":1e999')],
    path: ['bbox', 'top'],
    nearMiss: [JSON.stringify(bbox()).replace('"top":10', '"top":1e2')],
  },
  {
    code: 'bbox_degenerate',
    lines: [bbox({ bbox: { top: 10, left: 20, height: 30, width: 0 } })],
    path: ['bbox', 'width'],
    nearMiss: [bbox({ bbox: { top: 10, left: 20, height: 30, width: 0.5 } })],
  },
  {
    code: 'polygon_too_few_points',
    lines: [
      {
        dataRow,
        name: 'polygon',
        polygon: [
          { x: 1, y: 1 },
          { x: 9, y: 1 },
          { x: 1, y: 1 },
          { x: 9, y: 1 },
        ],
      },
    ],
    path: ['polygon'],
    nearMiss: [
      {
        dataRow,
        name: 'polygon',
        polygon: [
          { x: 1, y: 1 },
          { x: 9, y: 1 },
          { x: 9, y: 2 },
        ],
      },
    ],
  },
  {
    code: 'line_too_few_points',
    lines: [{ dataRow, name: 'polyline', line: [{ x: 1, y: 1 }] }],
    path: ['line'],
    nearMiss: [
      {
        dataRow,
        name: 'polyline',
        line: [
          { x: 1, y: 1 },
          { x: 1, y: 2 },
        ],
      },
    ],
  },
  {
    code: 'geometry_out_of_bounds',
    lines: [{ dataRow, name: 'point', point: { x: 4001, y: 10 } }],
    path: ['point'],
    // sub-pixel overshoot (rounding in other tools) is accepted
    nearMiss: [{ dataRow, name: 'point', point: { x: 4000.99, y: -0.5 } }],
  },
  {
    code: 'geometry_out_of_bounds',
    label: 'bbox',
    lines: [bbox({ bbox: { top: 2990, left: 0, height: 11, width: 10 } })],
    path: ['bbox'],
    nearMiss: [bbox({ bbox: { top: 2990, left: 0, height: 10, width: 10 } })],
  },
  {
    code: 'geometry_out_of_bounds',
    label: 'polyline',
    lines: [
      {
        dataRow,
        name: 'polyline',
        line: [
          { x: 1, y: 1 },
          { x: -1, y: 2 },
        ],
      },
    ],
    path: ['line', 1],
    nearMiss: [
      {
        dataRow,
        name: 'polyline',
        line: [
          { x: 1, y: 1 },
          { x: -1, y: 2 },
        ],
      },
    ],
    nearMissRun: { row: { id: ROW_ID, globalKey: null, width: null, height: null } },
  },
  {
    code: 'confidence_out_of_range',
    lines: [bbox({ confidence: 1.5 })],
    path: ['confidence'],
    nearMiss: [bbox({ confidence: 1 })],
  },
  {
    code: 'confidence_out_of_range',
    label: 'answer',
    lines: [radio({ name: 'first_radio_answer', confidence: -0.1 })],
    path: ['answer', 'confidence'],
    nearMiss: [radio({ name: 'first_radio_answer', confidence: 0 })],
  },
  {
    code: 'custom_metrics_invalid',
    lines: [bbox({ customMetrics: [{ name: 'iou' }] })],
    path: ['customMetrics', 0],
    nearMiss: [bbox({ customMetrics: [{ name: 'iou', value: 0.5 }] })],
  },
  {
    code: 'custom_metrics_invalid',
    label: 'not a list',
    lines: [bbox({ customMetrics: { iou: 0.5 } })],
    path: ['customMetrics'],
    nearMiss: [bbox({ customMetrics: [] })],
  },
  {
    code: 'relationship_endpoint_unknown',
    lines: [bbox(), relationship({ target: U3 })],
    path: ['relationship', 'target'],
    nearMiss: [relationship({}), ...twoBoxes],
  },
  {
    code: 'relationship_endpoint_unknown',
    label: 'other data row',
    lines: [
      bbox(),
      bbox({ uuid: U2, dataRow: { id: 'ckrow0000000000000000000b' } }),
      relationship({}),
    ],
    path: ['relationship', 'target'],
    nearMiss: [...twoBoxes, relationship({})],
    run: {
      row: (ref) => ({
        id: 'id' in ref ? ref.id : ROW_ID,
        globalKey: null,
        width: null,
        height: null,
      }),
    },
  },
  {
    code: 'relationship_endpoint_unknown',
    label: 'a classification line',
    lines: [bbox(), radio({ name: 'first_radio_answer' }, { uuid: U2 }), relationship({})],
    path: ['relationship', 'target'],
    nearMiss: [...twoBoxes, relationship({})],
  },
  {
    code: 'relationship_self_reference',
    lines: [bbox(), relationship({ target: U1 })],
    path: ['relationship', 'target'],
    nearMiss: [...twoBoxes, relationship({})],
  },
  {
    code: 'relationship_type_invalid',
    lines: [...twoBoxes, relationship({ type: 'sideways' })],
    path: ['relationship', 'type'],
    nearMiss: [...twoBoxes, relationship({ type: 'bidirectional' })],
  },
  {
    code: 'relationship_not_allowed',
    lines: [...twoBoxes, relationship({})],
    path: ['relationship'],
    nearMiss: [...twoBoxes, relationship({})],
    run: { kind: 'ground_truth' },
  },
  {
    code: 'relationship_endpoint_failed',
    lines: [
      bbox({ bbox: { top: 1, left: 1, height: 0, width: 1 } }),
      bbox({ uuid: U2 }),
      relationship({}),
    ],
    path: ['relationship', 'source'],
    nearMiss: [...twoBoxes, relationship({})],
  },
  {
    code: 'relationship_endpoint_failed',
    label: 'rejected later',
    lines: [...twoBoxes, relationship({})],
    path: ['relationship', 'target'],
    nearMiss: [...twoBoxes, relationship({})],
    run: { beforeFinish: (judge) => judge.reject(U2.toUpperCase()) },
  },
  {
    code: 'relationship_endpoint_failed',
    label: 'failed at parse',
    lines: [bbox({ name: 5 }), bbox({ uuid: U2 }), relationship({})],
    path: ['relationship', 'source'],
    nearMiss: [...twoBoxes, relationship({})],
  },
  {
    code: 'annotations_per_feature_exceeded',
    lines: [bbox(), bbox({ uuid: U2 }), bbox({ uuid: U3 })],
    path: [],
    nearMiss: [bbox(), bbox({ uuid: U2 }), bbox({ uuid: U3, name: 'bbox_with_radio_subclass' })],
    run: { options: { maxAnnotationsPerFeature: 2 } },
    nearMissRun: { options: { maxAnnotationsPerFeature: 2 } },
  },
  {
    code: 'mask_invalid',
    lines: [
      { dataRow, name: 'mask', mask: { instanceURI: 'https://example.com/m.png', png: 'iVBOR' } },
    ],
    path: ['mask'],
    nearMiss: [
      {
        dataRow,
        name: 'mask',
        mask: { instanceURI: 'https://example.com/m.png', colorRGB: [255, 255, 255] },
      },
    ],
  },
  {
    code: 'mask_invalid',
    label: 'none',
    lines: [{ dataRow, name: 'mask', mask: { colorRGB: [1, 2, 3] } }],
    path: ['mask'],
    nearMiss: [{ dataRow, name: 'mask', mask: { imBytes: 'iVBOR', colorRGB: [1, 2, 3] } }],
  },
  {
    code: 'mask_invalid',
    label: 'not a string',
    lines: [{ dataRow, name: 'mask', mask: { png: 12 } }],
    path: ['mask', 'png'],
    nearMiss: [{ dataRow, name: 'mask', mask: { png: 'iVBOR' } }],
  },
  {
    code: 'mask_color_invalid',
    lines: [
      { dataRow, name: 'mask', mask: { url: 'https://example.com/m.png', colorRGB: [0, 0, 256] } },
    ],
    path: ['mask', 'colorRGB'],
    nearMiss: [
      { dataRow, name: 'mask', mask: { url: 'https://example.com/m.png', colorRGB: [0, 0, 255] } },
    ],
  },
  {
    code: 'mask_color_invalid',
    label: 'two values',
    lines: [{ dataRow, name: 'mask', mask: { imBytes: 'iVBOR', colorRGB: [0, 0] } }],
    path: ['mask', 'colorRGB'],
    nearMiss: [{ dataRow, name: 'mask', mask: { imBytes: 'iVBOR' } }],
  },
  {
    code: 'mask_rle_invalid',
    lines: [{ dataRow, name: 'mask', mask: { counts: [1, 0, 10], size: [0, 10] } }],
    path: ['mask', 'size'],
    nearMiss: [{ dataRow, name: 'mask', mask: { counts: [1, 0, 10], size: [10, 10] } }],
  },
  {
    code: 'mask_rle_invalid',
    label: 'counts',
    lines: [{ dataRow, name: 'mask', mask: { counts: [1, -1], size: [10, 10] } }],
    path: ['mask', 'counts', 1],
    nearMiss: [{ dataRow, name: 'mask', mask: { counts: 'PPYo0', size: [10, 10] } }],
  },
]

/** Codes judged after this engine: pixels, fetches, data-row creation, the input as a whole. */
const JUDGED_ELSEWHERE: LineErrorCode[] = [
  'mask_color_not_found',
  'mask_too_large',
  'mask_size_mismatch',
  'mask_decode_failed',
  'fetch_failed',
  'fetch_too_large',
  'fetch_timeout',
  'fetch_address_forbidden',
  'global_key_duplicate',
  'global_key_invalid',
  'image_decode_failed',
  'import_source_unreadable',
  // not failures: benchmark_ignored is a warning (tested below); benchmark_not_allowed is no longer produced
  'benchmark_ignored',
  'benchmark_not_allowed',
  // foreign files: judged by @labelport/formats (packages/formats/src/*.test.ts)
  'format_unrecognized',
  'format_syntax_invalid',
  'format_element_invalid',
  'format_image_unknown',
  'format_category_unknown',
  'format_image_size_unknown',
  'format_geometry_lossy',
  'geometry_clipped',
  // a job-level ending (claimed too often without finishing): apps/server/src/crash.test.ts
  'job_interrupted',
]

void describe('ImportJudge: one case per code', () => {
  void test('every line code has a case or is judged elsewhere', () => {
    const covered = new Set<string>([...CASES.map((c) => c.code), ...JUDGED_ELSEWHERE])
    assert.deepEqual(
      LINE_ERROR_CODES.filter((code) => !covered.has(code)),
      [],
    )
  })

  for (const c of CASES) {
    const name = c.label === undefined ? c.code : `${c.code} (${c.label})`
    void test(`${name}: fails with its code and path`, () => {
      const outcomes = runLines(ontology, c.lines, c.run)
      const last = outcomes.at(-1)!
      const found = last.issues.find((i) => i.code === c.code)
      assert.ok(found, `expected ${c.code}, got ${JSON.stringify(last.issues)}`)
      assert.deepEqual(found.path, c.path)
      assert.ok(found.message.length > 0)
    })
    void test(`${name}: the near miss passes`, () => {
      const outcomes = runLines(ontology, c.nearMiss, c.nearMissRun)
      for (const [i, outcome] of outcomes.entries())
        assert.deepEqual(outcome.issues, [], `line ${i + 1}`)
    })
  }
})

void describe('ImportJudge: isBenchmarkReferenceLabel in a MAL import', () => {
  void test('the line succeeds with the warning benchmark_ignored, relationships included', () => {
    const outcomes = runLines(ontology, [
      bbox({ isBenchmarkReferenceLabel: true }),
      bbox({ uuid: U2, isBenchmarkReferenceLabel: true }),
      relationship({}, { isBenchmarkReferenceLabel: true }),
    ])
    for (const outcome of outcomes) {
      assert.equal(outcome.verdict?.ok, true)
      const warnings = outcome.verdict?.ok === true ? (outcome.verdict.warnings ?? []) : []
      assert.deepEqual(
        warnings.map((w) => [w.code, w.path]),
        [['benchmark_ignored', ['isBenchmarkReferenceLabel']]],
      )
    }
  })
  void test('in a ground-truth import the flag marks a benchmark, without a warning', () => {
    const [outcome] = runLines(ontology, [bbox({ isBenchmarkReferenceLabel: true })], {
      kind: 'ground_truth',
    })
    assert.equal(outcome?.verdict?.ok, true)
    assert.equal(outcome?.verdict?.ok === true && outcome.verdict.benchmarkReference, true)
    assert.equal(outcome?.verdict?.ok === true && outcome.verdict.warnings, undefined)
  })
})

void describe('ImportJudge: the guide', () => {
  const guide = readFixture('seed_image_notebook_ndjson.json') as {
    lines: { var: string; line: unknown }[]
  }
  const source = crypto.randomUUID()
  const target = crypto.randomUUID()
  const lines = guide.lines.map(
    (entry) =>
      JSON.parse(
        JSON.stringify(entry.line)
          .replaceAll('<GLOBAL_KEY>', GLOBAL_KEY)
          .replaceAll('<UUID_SOURCE>', source)
          .replaceAll('<UUID_TARGET>', target)
          .replace(/\["<R>","<G>","<B>[^"]*"\]/, '[255,0,0]'),
      ) as Record<string, unknown>,
  )
  const row = { id: ROW_ID, globalKey: GLOBAL_KEY, width: null, height: null }

  void test('every line of the guide passes a MAL import; masks go to the server', () => {
    const outcomes = runLines(ontology, lines, { row })
    for (const [i, outcome] of outcomes.entries())
      assert.deepEqual(outcome.issues, [], `line ${i + 1}: ${guide.lines[i]?.var}`)
    const masks = outcomes.filter((o) => o.verdict?.ok === 'mask')
    assert.equal(masks.length, 2)
    for (const m of masks)
      if (m.verdict?.ok === 'mask') {
        assert.deepEqual(m.verdict.mask.path, ['mask'])
        assert.equal('geometry' in m.verdict.record, false) // no placeholder geometry
      }
    const relationship = outcomes.find(
      (o) => o.verdict?.ok === true && o.verdict.record.kind === 'relationship',
    )
    assert.ok(relationship?.verdict?.ok === true)
    assert.deepEqual(relationship.verdict.record, {
      kind: 'relationship',
      uuid: relationship.verdict.record.uuid,
      dataRowId: ROW_ID,
      featureSchemaId: toolId('relationship'),
      name: 'relationship',
      source,
      target,
      relationshipType: 'unidirectional',
    })
  })

  void test('the guide in a ground-truth import: only the relationship fails', () => {
    const outcomes = runLines(ontology, lines, { row, kind: 'ground_truth' })
    const failed = outcomes.flatMap((o, i) =>
      o.issues.length > 0 ? [{ i, codes: o.issues.map((x) => x.code) }] : [],
    )
    const relationshipLine = guide.lines.findIndex((entry) => entry.var === 'relationship_ndjson')
    assert.deepEqual(failed, [{ i: relationshipLine, codes: ['relationship_not_allowed'] }])
  })

  void test('records: ids from the ontology at every depth, polygons closed, checklists as lists', () => {
    const outcomes = runLines(ontology, lines, { row })
    const records = outcomes.map((o) =>
      o.verdict?.ok === true || o.verdict?.ok === 'mask' ? o.verdict.record : undefined,
    )
    const byName = (name: string) => records.find((r) => r?.name === name)!
    const nestedChecklist = byName('nested_checklist_question') as ClassificationLineRecord
    const nestedQuestion = ontology.classifications.byName.get('nested_checklist_question')!
    const option = nestedQuestion.optionsByValue.get('first_checklist_answer')!
    const sub = option.classifications.byName.get('sub_checklist_question')!
    assert.deepEqual(nestedChecklist.classification, {
      type: 'checklist',
      featureSchemaId: nestedQuestion.featureSchemaId,
      name: 'nested_checklist_question',
      answers: [
        {
          featureSchemaId: option.featureSchemaId,
          name: 'first_checklist_answer',
          classifications: [
            {
              type: 'checklist',
              featureSchemaId: sub.featureSchemaId,
              name: 'sub_checklist_question',
              // the guide gives one object here: it becomes a list of one
              answers: [
                {
                  featureSchemaId: sub.optionsByValue.get('first_sub_checklist_answer')!
                    .featureSchemaId,
                  name: 'first_sub_checklist_answer',
                  classifications: [],
                },
              ],
            },
          ],
        },
      ],
    })
    const polygon = byName('polygon') as ObjectRecord
    assert.equal(polygon.geometry.type, 'polygon')
    if (polygon.geometry.type === 'polygon') assert.equal(polygon.geometry.points.length, 16) // already closed: unchanged
    const text = byName('free_text') as ClassificationLineRecord
    assert.deepEqual(text.classification, {
      type: 'text',
      featureSchemaId: classificationId('free_text'),
      name: 'free_text',
      text: 'sample text',
    })
    const box = byName('bounding_box') as ObjectRecord
    assert.deepEqual(box.geometry, { type: 'bbox', top: 977, left: 1690, height: 330, width: 225 })
    const maskWithText = byName('mask_with_text_subclass') as MaskLineRecord
    assert.equal(maskWithText.tool, 'raster-segmentation')
    assert.deepEqual(maskWithText.classifications[0], {
      type: 'text',
      featureSchemaId: ontology.tools.byName
        .get('mask_with_text_subclass')!
        .classifications.byName.get('sub_free_text')!.featureSchemaId,
      name: 'sub_free_text',
      text: 'free text answer',
    })
  })
})

void describe('ImportJudge: behaviour', () => {
  void test('an open polygon is closed', () => {
    const [outcome] = runLines(ontology, [
      {
        dataRow,
        name: 'polygon',
        polygon: [
          { x: 1, y: 1 },
          { x: 9, y: 1 },
          { x: 5, y: 9 },
        ],
      },
    ])
    assert.ok(outcome?.verdict?.ok === true && outcome.verdict.record.kind === 'object')
    assert.deepEqual(outcome.verdict.record.geometry, {
      type: 'polygon',
      points: [
        { x: 1, y: 1 },
        { x: 9, y: 1 },
        { x: 5, y: 9 },
        { x: 1, y: 1 },
      ],
    })
  })

  void test('uuids are canonical; missing ones are generated; extras and nulls are ignored', () => {
    const outcomes = runLines(ontology, [
      bbox({ uuid: `{${U1.toUpperCase()}}`, extra: { a: 1 }, confidence: null }),
      bbox({ uuid: undefined }),
    ])
    assert.equal(outcomes[0]?.parsed.uuid, U1)
    const generated = outcomes[1]?.parsed
    assert.ok(generated?.ok === true && !generated.uuidGiven)
    assert.match(
      generated.uuid,
      /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    )
  })

  void test('a line reports each independent problem', () => {
    const [outcome] = runLines(ontology, [
      { uuid: 'nope', dataRow: { id: ROW_ID, globalKey: GLOBAL_KEY }, bbox: {} },
    ])
    assert.deepEqual(
      outcome?.issues.map((i) => i.code),
      ['uuid_invalid', 'data_row_ref_invalid', 'feature_missing'],
    )
  })

  void test('a duplicate uuid fails the second line only, even when the first line failed', () => {
    const outcomes = runLines(ontology, [bbox({ name: 'nope' }), bbox()])
    assert.deepEqual(
      outcomes.map((o) => o.issues.map((i) => i.code)),
      [['feature_unknown'], ['uuid_duplicate']],
    )
  })

  void test('the default limit: the 5,001st annotation of a feature on a data row fails, other rows do not', () => {
    const lines: TestLine[] = []
    for (let i = 0; i < 5001; i++)
      lines.push({ dataRow, name: 'point', point: { x: i % 4000, y: 1 } })
    lines.push({
      dataRow: { id: 'ckrow0000000000000000000b' },
      name: 'point',
      point: { x: 1, y: 1 },
    })
    lines.push({ dataRow, name: 'bounding_box', bbox: { top: 1, left: 1, height: 1, width: 1 } })
    const outcomes = runLines(ontology, lines, {
      row: (ref) => ({ id: 'id' in ref ? ref.id : '', globalKey: null, width: null, height: null }),
    })
    const failed = outcomes.flatMap((o, i) => (o.issues.length > 0 ? [i] : []))
    assert.deepEqual(failed, [5000])
    assert.equal(outcomes[5000]?.issues[0]?.code, 'annotations_per_feature_exceeded')
  })

  void test('answers is accepted for a checklist (the integration test sends it)', () => {
    const [outcome] = runLines(ontology, [
      { dataRow, name: 'checklist_question', answers: [{ name: 'first_checklist_answer' }] },
    ])
    assert.ok(outcome?.verdict?.ok === true && outcome.verdict.record.kind === 'classification')
    assert.equal(outcome.verdict.record.classification.type, 'checklist')
  })

  void test('schemaId alone resolves the feature and its answers', () => {
    const question = ontology.classifications.byName.get('radio_question')!
    const [outcome] = runLines(ontology, [
      {
        dataRow,
        schemaId: question.featureSchemaId,
        answer: { schemaId: question.optionsByValue.get('second_radio_answer')!.featureSchemaId },
      },
    ])
    assert.ok(outcome?.verdict?.ok === true && outcome.verdict.record.kind === 'classification')
    assert.equal(outcome.verdict.record.name, 'radio_question')
    const classification = outcome.verdict.record.classification
    assert.ok(classification.type === 'radio')
    assert.equal(classification.answer.name, 'second_radio_answer')
  })

  void test('a name that is both a tool and a classification resolves by the line kind', () => {
    const both = indexOf({
      tools: [{ tool: 'rectangle', name: 'car' }],
      classifications: [{ type: 'text', name: 'car' }],
    })
    const outcomes = runLines(both, [
      bbox({ name: 'car' }),
      { dataRow, name: 'car', answer: 'red' },
    ])
    assert.deepEqual(
      outcomes.map((o) => (o.verdict?.ok === true ? o.verdict.record.kind : o.issues)),
      ['object', 'classification'],
    )
  })

  void test('benchmark reference is reported for ground truth', () => {
    const [outcome] = runLines(ontology, [bbox({ isBenchmarkReferenceLabel: true })], {
      kind: 'ground_truth',
    })
    assert.ok(outcome?.verdict?.ok === true)
    assert.equal(outcome.verdict.benchmarkReference, true)
  })

  void test('mask forms are handed to the server as given', () => {
    const outcomes = runLines(ontology, [
      {
        dataRow,
        name: 'mask',
        mask: { instanceURI: 'https://example.com/m.png', colorRGB: [1, 2, 3], extra: true },
      },
      { dataRow, name: 'mask', mask: { counts: [0, 100], size: [10, 10] } },
    ])
    assert.deepEqual(
      outcomes.map((o) => (o.verdict?.ok === 'mask' ? o.verdict.mask.input : o.issues)),
      [
        { instanceURI: 'https://example.com/m.png', colorRGB: [1, 2, 3] },
        { counts: [0, 100], size: [10, 10] },
      ],
    )
  })

  void test('relationships are deferred and may come before their endpoints', () => {
    const judge = new ImportJudge({ ontology, kind: 'mal' })
    const rel = judge.parse(JSON.stringify(relationship({})), 1)
    assert.ok(rel.ok)
    assert.deepEqual(judge.check(rel, ROW), { ok: 'deferred' })
    for (const [i, line] of twoBoxes.entries()) {
      const parsed = judge.parse(JSON.stringify(line), i + 2)
      assert.ok(parsed.ok)
      assert.equal(judge.check(parsed, ROW).ok, true)
    }
    const late = judge.finishRelationships()
    assert.equal(late.length, 1)
    assert.equal(late[0]?.line, 1)
    assert.equal(late[0]?.dataRowId, ROW_ID)
    assert.equal(late[0]?.verdict.ok, true)
    assert.deepEqual(judge.finishRelationships(), [])
  })
})
