import { test } from 'node:test'
import assert from 'node:assert/strict'
import fc from 'fast-check'
import { countsFromMask } from '@labelport/core'
import { buildColorRuns, TooManyRunsError } from './color-runs.ts'

/** The key of pixel i the way the builder defines it (alpha ignored, gray v = (v,v,v)). */
function keyOf(raw: Uint8Array, i: number, channels: number): number {
  const s = i * channels
  return channels >= 3 ? (raw[s]! << 16) | (raw[s + 1]! << 8) | raw[s + 2]! : raw[s]! * 0x010101
}

void test('random images, every channel count, aligned and unaligned rows: runs equal a per-color encode', () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 1, max: 23 }),
      fc.integer({ min: 1, max: 23 }),
      fc.constantFrom(1, 2, 3, 4),
      fc.integer({ min: 0, max: 2 ** 31 - 1 }),
      fc.integer({ min: 1, max: 4 }),
      fc.boolean(),
      (width, height, channels, seed, palette, offset) => {
        let state = seed
        const next = (): number => (state = (state * 1103515245 + 12345) & 0x7fffffff)
        // a few colors (incl. black), long runs: copy the row above most of the time
        const colors = Array.from({ length: palette + 1 }, (_, i) =>
          i === 0 ? [0, 0, 0, 0] : [next() & 255, next() & 255, next() & 255, next() & 255],
        )
        const backing = new Uint8Array(width * height * channels + 1)
        // offset 1 makes the view unaligned, so the copying path runs too
        const raw = backing.subarray(offset ? 1 : 0, (offset ? 1 : 0) + width * height * channels)
        for (let i = 0; i < width * height; i++) {
          const copyAbove = i >= width && next() % 4 !== 0
          const color = colors[next() % colors.length]!
          for (let c = 0; c < channels; c++)
            raw[i * channels + c] = copyAbove ? raw[(i - width) * channels + c]! : color[c]!
        }
        const runs = buildColorRuns(raw, width, height, channels)
        const keys = new Set<number>()
        for (let i = 0; i < width * height; i++) keys.add(keyOf(raw, i, channels))
        keys.delete(0)
        assert.deepEqual(new Set(runs.colors.keys()), keys)
        for (const key of keys) {
          const mask = new Uint8Array(width * height)
          for (let i = 0; i < mask.length; i++) mask[i] = keyOf(raw, i, channels) === key ? 1 : 0
          assert.deepEqual([...runs.colors.get(key)!.counts()], countsFromMask(mask, width, height))
        }
        const union = new Uint8Array(width * height)
        for (let i = 0; i < union.length; i++) union[i] = keyOf(raw, i, channels) === 0 ? 0 : 1
        assert.deepEqual([...runs.union.counts()], countsFromMask(union, width, height))
      },
    ),
    { numRuns: 400 },
  )
})

void test('more colors than tracked sets overflow; too many edges throws', () => {
  const raw = Uint8Array.from({ length: 16 * 3 }, (_, i) =>
    i % 3 === 0 ? Math.floor(i / 3) + 1 : 0,
  )
  const runs = buildColorRuns(raw, 4, 4, 3, 8)
  assert.equal(runs.overflow, true)
  assert.equal(runs.colors.size, 8)
  assert.throws(() => buildColorRuns(raw, 4, 4, 3, 100, 5), TooManyRunsError)
})
