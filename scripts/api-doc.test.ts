import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { it } from 'node:test'
import { renderApiDoc } from './api-doc.ts'

it('docs/api.md matches the contract (regenerate with npx tsx scripts/api-doc.ts > docs/api.md)', () => {
  const doc = readFileSync(new URL('../docs/api.md', import.meta.url), 'utf8')
  assert.equal(doc, renderApiDoc())
})
