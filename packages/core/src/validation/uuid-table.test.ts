import { test } from 'node:test'
import assert from 'node:assert/strict'
import { canonicalUuid } from '../ids.ts'
import {
  ENTRY,
  RowFeatureCounter,
  UuidTable,
  hashRowId,
  newRowHash,
  newUuidWords,
  parseUuid,
  parseUuidInto,
} from './uuid-table.ts'

void test('parseUuid accepts what canonicalUuid accepts, and nothing else', () => {
  const u = '6f0c1a52-5d0e-4a5b-9f7e-0a1b2c3d4e5f'
  const inputs = [
    u,
    u.toUpperCase(),
    `{${u}}`,
    u.replaceAll('-', ''),
    `{${u.replaceAll('-', '').toUpperCase()}}`,
    '6f0c1a525d0e-4a5b-9f7e0a1b2c3d4e5f',
    `${u}0`,
    u.slice(1),
    u.replace('-', '--'),
    `-${u.replaceAll('-', '')}`,
    u.replace('f', 'g'),
    '',
    '{}',
    `${u.slice(0, 8)}-${u.slice(9)}-`,
  ]
  for (const input of inputs) assert.equal(parseUuid(input), canonicalUuid(input), input)
  assert.equal(parseUuid(u), u)
  const words = newUuidWords()
  assert.equal(parseUuidInto(u.toUpperCase(), words), u)
  assert.deepEqual([...words], [0x6f0c1a52, 0x5d0e4a5b, 0x9f7e0a1b, 0x2c3d4e5f])
})

void test('UuidTable: claims once, finds, keeps rows and flags through growth', () => {
  const table = new UuidTable(16)
  const key = newUuidWords()
  const row = newRowHash()
  const uuids: string[] = []
  for (let i = 0; i < 20000; i++)
    uuids.push(`00000000-0000-0000-0000-${i.toString(16).padStart(12, '0')}`)
  for (const [i, u] of uuids.entries()) {
    parseUuidInto(u, key)
    const slot = table.claim(key)
    assert.ok(slot >= 0)
    hashRowId(`row-${i % 7}`, row)
    table.setFlags(slot, i % 2 === 0 ? ENTRY.object : 0)
    table.setRow(slot, row)
  }
  assert.equal(table.size, uuids.length)
  for (const [i, u] of uuids.entries()) {
    parseUuidInto(u, key)
    assert.equal(table.claim(key), -1)
    const slot = table.find(key)
    assert.ok(slot >= 0)
    assert.equal(table.flagsAt(slot) & ENTRY.object, i % 2 === 0 ? ENTRY.object : 0)
    assert.ok(table.flagsAt(slot) & ENTRY.rowKnown)
    hashRowId(`row-${i % 7}`, row)
    assert.ok(table.sameRow(slot, row))
    hashRowId(`row-${(i + 1) % 7}`, row)
    assert.ok(!table.sameRow(slot, row))
  }
  parseUuidInto('6f0c1a52-5d0e-4a5b-9f7e-0a1b2c3d4e5f', key)
  assert.equal(table.find(key), -1)
})

void test('RowFeatureCounter counts per (data row, feature)', () => {
  const counter = new RowFeatureCounter(16)
  const hash = newRowHash()
  for (let row = 0; row < 500; row++) {
    hashRowId(`row-${row}`, hash)
    for (let f = 0; f < 3; f++)
      for (let n = 1; n <= 4; n++) assert.equal(counter.increment(hash, f), n)
  }
  hashRowId('row-7', hash)
  assert.equal(counter.increment(hash, 2), 5)
})
