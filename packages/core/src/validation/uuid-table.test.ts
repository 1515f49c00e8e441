import { test } from 'node:test'
import assert from 'node:assert/strict'
import { canonicalUuid } from '../ids.ts'
import {
  ENTRY,
  RowFeatureCounter,
  UuidTable,
  hashRowId,
  parseUuid,
  rowHash,
  uuidWords,
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
  parseUuid(u.toUpperCase())
  assert.deepEqual([...uuidWords], [0x6f0c1a52, 0x5d0e4a5b, 0x9f7e0a1b, 0x2c3d4e5f])
})

void test('UuidTable: claims once, finds, keeps rows and flags through growth', () => {
  const table = new UuidTable(16)
  const uuids: string[] = []
  for (let i = 0; i < 20000; i++)
    uuids.push(`00000000-0000-0000-0000-${i.toString(16).padStart(12, '0')}`)
  for (const [i, u] of uuids.entries()) {
    parseUuid(u)
    const slot = table.claim()
    assert.ok(slot >= 0)
    hashRowId(`row-${i % 7}`)
    table.setFlags(slot, i % 2 === 0 ? ENTRY.object : 0)
    table.setRow(slot)
  }
  assert.equal(table.size, uuids.length)
  for (const [i, u] of uuids.entries()) {
    parseUuid(u)
    assert.equal(table.claim(), -1)
    const slot = table.find()
    assert.ok(slot >= 0)
    assert.equal(table.flagsAt(slot) & ENTRY.object, i % 2 === 0 ? ENTRY.object : 0)
    assert.ok(table.flagsAt(slot) & ENTRY.rowKnown)
    hashRowId(`row-${i % 7}`)
    assert.ok(table.sameRow(slot))
    hashRowId(`row-${(i + 1) % 7}`)
    assert.ok(!table.sameRow(slot))
  }
  parseUuid('6f0c1a52-5d0e-4a5b-9f7e-0a1b2c3d4e5f')
  assert.equal(table.find(), -1)
})

void test('RowFeatureCounter counts per (data row, feature)', () => {
  const counter = new RowFeatureCounter(16)
  for (let row = 0; row < 500; row++) {
    hashRowId(`row-${row}`)
    for (let f = 0; f < 3; f++) for (let n = 1; n <= 4; n++) assert.equal(counter.increment(f), n)
  }
  hashRowId('row-7')
  assert.equal(counter.increment(2), 5)
  assert.equal(rowHash.length, 2)
})
