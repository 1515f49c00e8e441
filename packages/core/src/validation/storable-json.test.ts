import assert from 'node:assert/strict'
import { test } from 'node:test'
import {
  MAX_LINE_DEPTH,
  findJsonProblem,
  jsonTextMayHaveProblem,
  textProblem,
} from './storable-json.ts'

const deep = (depth: number, open = '[', close = ']', filler = '1'): string =>
  `${open.repeat(depth)}${filler}${close.repeat(depth)}`

void test('text: NUL and lone surrogates are problems; pairs, U+2400 and U+FFFD are not', () => {
  assert.match(textProblem('a\u0000b') ?? '', /NUL/)
  assert.match(textProblem('x\ud800') ?? '', /U\+D800/)
  assert.match(textProblem('\udc00x') ?? '', /U\+DC00/)
  assert.match(textProblem('\ud83d\ud83d\ude00') ?? '', /U\+D83D/)
  for (const fine of ['', 'plain', '\ud83d\ude00', '\u2400', '\ufffd', '名前', '\u202e'])
    assert.equal(textProblem(fine), null, JSON.stringify(fine))
})

void test('findJsonProblem names the path of the first bad string, key or level', () => {
  assert.deepEqual(findJsonProblem({ a: [1, { b: 'x\u0000' }] }, { maxDepth: 10 })?.path, [
    'a',
    1,
    'b',
  ])
  const key = findJsonProblem({ a: { 'k\ud800': 1 } }, { maxDepth: 10, path: ['body'] })
  assert.equal(key?.code, 'text_invalid')
  assert.deepEqual(key?.path, ['body', 'a', 'k\ud800'])
  const tooDeep = findJsonProblem(JSON.parse(deep(20)), { maxDepth: 5 })
  assert.equal(tooDeep?.code, 'nesting_too_deep')
  assert.deepEqual(tooDeep?.path, [0, 0, 0, 0, 0])
  assert.equal(findJsonProblem(JSON.parse(deep(5)), { maxDepth: 5 }), null)
  // a sub-tree judged elsewhere keeps its text but not its depth
  const lines = { source: { lines: [{ k: 'a\u0000' }] } }
  const skip = { maxDepth: 10, textJudgedElsewhere: [['source', 'lines']] }
  assert.equal(findJsonProblem(lines, skip), null)
  assert.equal(findJsonProblem(lines, { ...skip, maxDepth: 3 })?.code, 'nesting_too_deep')
})

void test('the fast look at the text never misses what the walk finds', () => {
  const texts = [
    JSON.stringify({ name: 'a\u0000b' }),
    JSON.stringify({ name: 'x\ud800' }),
    JSON.stringify({ ['k\udfff']: 1 }),
    '{"name": "x\ud800"}', // a raw lone surrogate in the text
    deep(MAX_LINE_DEPTH + 1),
    deep(MAX_LINE_DEPTH + 1, '{"a":', '}'),
    // brackets inside strings must not hide depth
    `${'["]]]]",'.repeat(MAX_LINE_DEPTH + 1)}1${']'.repeat(MAX_LINE_DEPTH + 1)}`,
    `${'["\\"]]",'.repeat(MAX_LINE_DEPTH + 1)}1${']'.repeat(MAX_LINE_DEPTH + 1)}`,
  ]
  for (const text of texts) {
    assert.notEqual(findJsonProblem(JSON.parse(text), { maxDepth: MAX_LINE_DEPTH }), null, text)
    assert.equal(jsonTextMayHaveProblem(text, MAX_LINE_DEPTH), true, text.slice(0, 60))
  }
  // and lets ordinary lines through without a walk
  const polygon = JSON.stringify({
    name: 'polygon',
    dataRow: { globalKey: 'k [{' },
    polygon: Array.from({ length: 500 }, (_, i) => ({ x: i, y: i })),
  })
  assert.equal(jsonTextMayHaveProblem(polygon, MAX_LINE_DEPTH), false)
  assert.equal(jsonTextMayHaveProblem(deep(MAX_LINE_DEPTH - 1), MAX_LINE_DEPTH), false)
})
