import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { SHARED_FIXTURES } from '@labelport/testkit'
import { AppError } from '../errors.ts'
import { Classification, MediaType, OntologyBuilder, Option, Tool, hueToHex } from './builder.ts'

const expected: unknown = JSON.parse(
  readFileSync(`${SHARED_FIXTURES}labelbox/derived/seed_ontology_builder_asdict.json`, 'utf8'),
)

function throwsCode(fn: () => unknown, code: string, path: (string | number)[]): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof AppError, `expected AppError, got ${String(err)}`)
    assert.equal(err.code, code)
    assert.deepEqual(err.path, path)
    return true
  })
}

/** The guide's Step 2 ontology, ported line by line. */
function guideOntology(): OntologyBuilder {
  return new OntologyBuilder({
    classifications: [
      new Classification({
        classType: Classification.Type.RADIO,
        name: 'radio_question',
        options: [
          new Option({ value: 'first_radio_answer' }),
          new Option({ value: 'second_radio_answer' }),
        ],
      }),
      new Classification({
        classType: Classification.Type.CHECKLIST,
        name: 'checklist_question',
        options: [
          new Option({ value: 'first_checklist_answer' }),
          new Option({ value: 'second_checklist_answer' }),
        ],
      }),
      new Classification({ classType: Classification.Type.TEXT, name: 'free_text' }),
      new Classification({
        classType: Classification.Type.RADIO,
        name: 'nested_radio_question',
        options: [
          new Option({
            value: 'first_radio_answer',
            options: [
              new Classification({
                classType: Classification.Type.RADIO,
                name: 'sub_radio_question',
                options: [new Option({ value: 'first_sub_radio_answer' })],
              }),
            ],
          }),
        ],
      }),
      new Classification({
        classType: Classification.Type.CHECKLIST,
        name: 'nested_checklist_question',
        options: [
          new Option({
            value: 'first_checklist_answer',
            options: [
              new Classification({
                classType: Classification.Type.CHECKLIST,
                name: 'sub_checklist_question',
                options: [new Option({ value: 'first_sub_checklist_answer' })],
              }),
            ],
          }),
        ],
      }),
    ],
    tools: [
      new Tool({ tool: Tool.Type.BBOX, name: 'bounding_box' }),
      new Tool({
        tool: Tool.Type.BBOX,
        name: 'bbox_with_radio_subclass',
        classifications: [
          new Classification({
            classType: Classification.Type.RADIO,
            name: 'sub_radio_question',
            options: [new Option({ value: 'first_sub_radio_answer' })],
          }),
        ],
      }),
      new Tool({ tool: Tool.Type.POLYGON, name: 'polygon' }),
      new Tool({ tool: Tool.Type.RASTER_SEGMENTATION, name: 'mask' }),
      new Tool({
        tool: Tool.Type.RASTER_SEGMENTATION,
        name: 'mask_with_text_subclass',
        classifications: [
          new Classification({ classType: Classification.Type.TEXT, name: 'sub_free_text' }),
        ],
      }),
      new Tool({ tool: Tool.Type.POINT, name: 'point' }),
      new Tool({ tool: Tool.Type.LINE, name: 'polyline' }),
      new Tool({ tool: Tool.Type.RELATIONSHIP, name: 'relationship' }),
    ],
  })
}

void test("the guide's ontology gives exactly Labelbox's asdict() output", () => {
  assert.deepStrictEqual(guideOntology().asDict(), expected)
  assert.equal(MediaType.Image, 'IMAGE')
})

void test('auto colors follow hsv(i/n, 1, 1) with channels truncated like Python int()', () => {
  assert.deepEqual(
    [0, 1, 2, 3, 4, 5, 6, 7].map((i) => hueToHex(i / 8)),
    ['#ff0000', '#ffbf00', '#7fff00', '#00ff3f', '#00ffff', '#003fff', '#7f00ff', '#ff00bf'],
  )
  const dict = new OntologyBuilder({
    tools: [
      new Tool({ tool: 'point', name: 'a', color: '#A23030' }),
      new Tool({ tool: 'point', name: 'b' }),
    ],
  }).asDict()
  assert.deepEqual(
    dict.tools.map((t) => t.color),
    ['#a23030', '#00ffff'],
  )
})

void test('fromDict reads a normalized ontology back to the same asDict, ids included', () => {
  assert.deepStrictEqual(OntologyBuilder.fromDict(expected).asDict(), expected)
  const stored = structuredClone(expected) as {
    tools: { featureSchemaId: string | null; schemaNodeId: string | null }[]
  }
  stored.tools[0]!.featureSchemaId = 'ckrazcueb16og0z6609jj7y3y'
  stored.tools[0]!.schemaNodeId = 'ckrazcueb16og0z6609jj7y3z'
  const again = OntologyBuilder.fromDict(stored)
  assert.equal(again.tools[0]!.featureSchemaId, 'ckrazcueb16og0z6609jj7y3y')
  assert.deepStrictEqual(again.asDict(), stored)
  throwsCode(
    () => OntologyBuilder.fromDict({ tools: [{ tool: 'cube', name: 'x' }] }),
    'validation_failed',
    ['tools', 0, 'tool'],
  )
})

void test('scope: global on top-level classifications only, index kept when asked for', () => {
  const dict = new OntologyBuilder({
    classifications: [
      new Classification({ classType: 'text', name: 't', scope: Classification.Scope.INDEX }),
    ],
    tools: [
      new Tool({
        tool: 'rectangle',
        name: 'b',
        classifications: [new Classification({ classType: 'text', name: 'sub' })],
      }),
    ],
  }).asDict()
  assert.equal(dict.classifications[0]!.scope, 'index')
  assert.equal('scope' in dict.tools[0]!.classifications[0]!, false)
})

void test('radio and checklist need at least one option, with paths into the ontology', () => {
  const builder = new OntologyBuilder({
    tools: [
      new Tool({
        tool: 'rectangle',
        name: 'b',
        classifications: [new Classification({ classType: 'checklist', name: 'empty' })],
      }),
    ],
  })
  throwsCode(() => builder.asDict(), 'field_invalid', ['tools', 0, 'classifications', 0, 'options'])
  throwsCode(
    () =>
      new Classification({ classType: 'text', name: 't', options: [new Option({ value: 'x' })] }),
    'field_invalid',
    ['options'],
  )
  throwsCode(() => new Tool({ tool: 'cube' as 'point', name: 'x' }), 'field_invalid', ['tool'])
  throwsCode(() => new Tool({ tool: 'point', name: 'x', color: 'red' }), 'field_invalid', ['color'])
})

void test('duplicate sibling names are name_taken, at every level', () => {
  throwsCode(
    () =>
      new OntologyBuilder({
        tools: [new Tool({ tool: 'point', name: 'p' }), new Tool({ tool: 'line', name: 'p' })],
      }).asDict(),
    'name_taken',
    ['tools', 1, 'name'],
  )
  throwsCode(
    () =>
      new OntologyBuilder({
        classifications: [
          new Classification({
            classType: 'radio',
            name: 'r',
            options: [new Option({ value: 'a' }), new Option({ value: 'a' })],
          }),
        ],
      }).asDict(),
    'name_taken',
    ['classifications', 0, 'options', 1, 'value'],
  )
  const sub = (): Classification => new Classification({ classType: 'text', name: 'dup' })
  throwsCode(
    () =>
      new OntologyBuilder({
        classifications: [
          new Classification({
            classType: 'radio',
            name: 'r',
            options: [new Option({ value: 'a', options: [sub(), sub()] })],
          }),
        ],
      }).asDict(),
    'name_taken',
    ['classifications', 0, 'options', 0, 'options', 1, 'name'],
  )
  const builder = new OntologyBuilder()
  builder.addTool(new Tool({ tool: 'point', name: 'p' }))
  throwsCode(() => builder.addTool(new Tool({ tool: 'point', name: 'p' })), 'name_taken', [
    'tools',
    1,
    'name',
  ])
  // the same name under different parents is fine (the guide uses sub_radio_question twice)
  assert.doesNotThrow(() => guideOntology().asDict())
})
