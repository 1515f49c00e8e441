import { test } from 'node:test'
import assert from 'node:assert/strict'
import fc from 'fast-check'
import { JsonSyntaxError, Nested, streamJson } from './json-stream.ts'
import type { FileSource } from './model.ts'

function chunked(text: string, size: number): FileSource {
  return {
    name: 'x.json',

    open: async function* () {
      const bytes = new TextEncoder().encode(text)
      for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size)
    },
  }
}

async function all(source: FileSource, members: string[] | null) {
  const out: { member: string | undefined; index: number; value: unknown }[] = []
  for await (const batch of streamJson(source, members)) out.push(...batch)
  return out
}

void test('the elements of the wanted arrays, whatever the chunk boundaries (bytes split mid-character too)', async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.array(fc.jsonValue(), { maxLength: 6 }),
      fc.array(fc.jsonValue(), { maxLength: 6 }),
      fc.integer({ min: 1, max: 17 }),
      async (images, other, size) => {
        const doc = { info: { 'a"]}': '[{' }, images, other, annotations: images }
        const got = await all(chunked(JSON.stringify(doc), size), ['images', 'annotations'])
        const want = [
          ...images.map((value, index) => ({ member: 'images', index, value })),
          ...images.map((value, index) => ({ member: 'annotations', index, value })),
        ]
        // JSON.parse of the whole document is the reference (it turns -0 into 0 as well)
        assert.deepEqual(JSON.stringify(got), JSON.stringify(want))
      },
    ),
    { numRuns: 200 },
  )
})

void test('a top-level array (a COCO results file)', async () => {
  const got = await all(chunked('[{"a":1}, {"b":"é\\"]"} ,[2]]', 3), null)
  assert.deepEqual(
    got.map((g) => g.value),
    [{ a: 1 }, { b: 'é"]' }, [2]],
  )
})

void test('a document cut short, unbalanced or of the wrong shape is a syntax error', async () => {
  for (const [text, members] of [
    ['{"images":[{"id":1}', ['images']],
    ['{"images":[{"id":1}]}}', ['images']],
    ['[1,2]', ['images']],
    ['{"images":[{"id":1,}]}', ['images']],
  ] as const)
    await assert.rejects(all(chunked(text, 4), [...members]), JsonSyntaxError, text)
})

void test('shallow elements: scalars parsed, arrays and objects as markers, whatever the chunk boundaries', async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.array(fc.dictionary(fc.string(), fc.jsonValue()), { maxLength: 5 }),
      fc.integer({ min: 1, max: 13 }),
      async (objects, size) => {
        const text = JSON.stringify({ annotations: objects })
        const got: unknown[] = []
        for await (const batch of streamJson(chunked(text, size), ['annotations'], {
          shallow: ['annotations'],
        }))
          got.push(...batch.map((b) => b.value))
        const want = (
          JSON.parse(text) as { annotations: Record<string, unknown>[] }
        ).annotations.map((o) =>
          Object.fromEntries(
            Object.entries(o).map(([k, v]) => [
              k,
              Array.isArray(v)
                ? new Nested('array', v.length === 0)
                : typeof v === 'object' && v !== null
                  ? new Nested('object', Object.keys(v).length === 0)
                  : v,
            ]),
          ),
        )
        assert.deepEqual(got, want)
      },
    ),
    { numRuns: 200 },
  )
})

void test('shallowKeys keeps only the keys asked for', async () => {
  const text =
    '{"annotations":[{"id":7,"category_id":12,"segmentation":{"counts":"a\\"b"},"x":[]}]}'
  const got: unknown[] = []
  for await (const batch of streamJson(chunked(text, 5), ['annotations'], {
    shallow: ['annotations'],
    shallowKeys: ['category_id', 'segmentation'],
  }))
    got.push(...batch.map((b) => b.value))
  assert.deepEqual(got, [{ category_id: 12, segmentation: new Nested('object', false) }])
})
