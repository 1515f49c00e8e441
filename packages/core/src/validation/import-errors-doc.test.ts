import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { LINE_ERROR_CODES } from '../errors.ts'

const DOC = new URL('../../../../docs/import-errors.md', import.meta.url)

void test('docs/import-errors.md has a `### code` entry for every line code', () => {
  const text = readFileSync(DOC, 'utf8')
  const headings = new Set([...text.matchAll(/^### (\S+)\s*$/gm)].map((m) => m[1]))
  assert.deepEqual(
    LINE_ERROR_CODES.filter((code) => !headings.has(code)),
    [],
  )
})

void test('every entry of docs/import-errors.md says what it means, shows an example and how to fix it', () => {
  const text = readFileSync(DOC, 'utf8')
  for (const section of text.split(/^### /m).slice(1)) {
    const code = section.split('\n', 1)[0]
    for (const part of ['**Meaning.**', '**Example.**', '**Fix.**'])
      assert.ok(section.includes(part), `${code}: ${part}`)
  }
})
