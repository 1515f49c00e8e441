import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { isId } from '../ids.ts'
import { NormalizedOntologySchema, type NormalizedClassification } from './normalized.ts'
import { buildOntologyIndex, completeOntology, hsvColor } from './ontology-index.ts'
import { sharedFixtureUrl } from '@labelport/testkit'

const FIXTURES = sharedFixtureUrl('labelbox/derived/')
const seed = NormalizedOntologySchema.parse(
  JSON.parse(readFileSync(new URL('seed_ontology_builder_asdict.json', FIXTURES), 'utf8')),
)

void test('hsvColor follows the builder: tool i of n gets hsv(i/n, 1, 1)', () => {
  const n = seed.tools.length
  assert.deepEqual(
    seed.tools.map((_, i) => hsvColor(i / n)),
    seed.tools.map((t) => t.color),
  )
})

void test('completeOntology assigns ids everywhere and colors where missing, without touching the input', () => {
  const input = NormalizedOntologySchema.parse({
    tools: [
      { tool: 'rectangle', name: 'a' },
      {
        tool: 'polygon',
        name: 'b',
        color: '#123456',
        featureSchemaId: 'ckeep00000000000000000000',
      },
    ],
    classifications: [
      {
        type: 'radio',
        name: 'q',
        options: [{ value: 'o', options: [{ type: 'text', name: 'n' }] }],
      },
    ],
  })
  const snapshot = structuredClone(input)
  const done = completeOntology(input)
  assert.deepEqual(input, snapshot)
  assert.equal(done.tools[0]?.color, '#ff0000')
  assert.equal(done.tools[1]?.color, '#123456')
  assert.equal(done.tools[1]?.featureSchemaId, 'ckeep00000000000000000000')
  const ids: unknown[] = []
  const walk = (c: NormalizedClassification): void => {
    ids.push(c.featureSchemaId, c.schemaNodeId)
    for (const o of c.options) {
      ids.push(o.featureSchemaId, o.schemaNodeId)
      o.options.forEach(walk)
    }
  }
  for (const t of done.tools) {
    ids.push(t.schemaNodeId)
    t.classifications.forEach(walk)
  }
  ids.push(done.tools[0]?.featureSchemaId)
  done.classifications.forEach(walk)
  assert.equal(ids.length, 9)
  for (const id of ids) assert.ok(isId(id), String(id))
  assert.equal(new Set(ids).size, ids.length)
})

void test('buildOntologyIndex finds features by name and id, at every depth', () => {
  const index = buildOntologyIndex(completeOntology(seed))
  const tool = index.tools.byName.get('bbox_with_radio_subclass')!
  assert.equal(index.tools.byId.get(tool.featureSchemaId), tool)
  assert.equal(tool.type, 'rectangle')
  const sub = tool.classifications.byName.get('sub_radio_question')!
  assert.equal(tool.classifications.byId.get(sub.featureSchemaId), sub)
  assert.equal(sub.optionsByValue.get('first_sub_radio_answer')?.value, 'first_sub_radio_answer')

  const nested = index.classifications.byName.get('nested_radio_question')!
  const option = nested.optionsByValue.get('first_radio_answer')!
  assert.equal(nested.optionsById.get(option.featureSchemaId), option)
  assert.equal(option.classifications.byName.get('sub_radio_question')?.type, 'radio')
  assert.equal(
    index.classifications.byName.get('radio_question')?.optionsByValue.get('first_radio_answer')
      ?.classifications.byId.size,
    0,
  )
  // ordinals: tools first, then top-level classifications; nested ones have none
  assert.equal(index.featureCount, 13)
  assert.equal(index.classifications.byName.get('radio_question')?.ordinal, 8)
  assert.equal(sub.ordinal, -1)
  assert.ok(index.allFeatureSchemaIds.has(option.featureSchemaId))
})

void test('buildOntologyIndex refuses an ontology without ids', () => {
  assert.throws(() => buildOntologyIndex(seed), /completeOntology/)
})
