import { strict as assert } from 'node:assert'
import { describe, it } from 'node:test'
import { encodeRle, rleBbox, parseCompressedCounts } from '@labelport/core'
import { decodeMaskCrop, maskCovers, maskPixels } from './mask-bitmap.ts'

/** A row-major 0/1 mask of `width`×`height` with the pixels `set(x, y)` says. */
function makeMask(
  width: number,
  height: number,
  set: (x: number, y: number) => boolean,
): Uint8Array {
  const mask = new Uint8Array(width * height)
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) mask[y * width + x] = set(x, y) ? 1 : 0
  return mask
}

describe('decodeMaskCrop', () => {
  it('decodes exactly the pixels of the mask inside its box, on a non-square image', () => {
    const width = 37
    const height = 23
    const inside = (x: number, y: number) =>
      (x - 20) ** 2 + (y - 11) ** 2 < 60 || (x === 3 && y === 22)
    const rle = encodeRle(makeMask(width, height, inside), width, height)
    const parsed = parseCompressedCounts(rle.counts)
    assert.ok(parsed.ok)
    const box = rleBbox(parsed.counts, height)
    const crop = decodeMaskCrop(rle, box)
    assert.ok(crop)
    assert.deepEqual([crop.left, crop.top], [box.left, box.top])
    for (let y = 0; y < height; y++)
      for (let x = 0; x < width; x++)
        assert.equal(maskCovers(crop, x, y), inside(x, y), `pixel ${x},${y}`)
  })

  it('crops to a box smaller than the mask and keeps only what is inside it', () => {
    const rle = encodeRle(
      makeMask(10, 10, () => true),
      10,
      10,
    )
    const crop = decodeMaskCrop(rle, { left: 2.5, top: 3, width: 3, height: 2.2 })
    assert.ok(crop)
    // rounded out to whole pixels: x 2..5, y 3..5
    assert.deepEqual([crop.left, crop.top, crop.width, crop.height], [2, 3, 4, 3])
    assert.equal(
      crop.bits.every((b) => b === 1),
      true,
    )
    assert.equal(maskCovers(crop, 1, 3), false)
  })

  it('refuses counts that are not a valid compressed string', () => {
    assert.equal(
      decodeMaskCrop({ counts: '\u0001', size: [2, 2] }, { left: 0, top: 0, width: 2, height: 2 }),
      null,
    )
  })
})

describe('maskPixels', () => {
  it('paints set pixels in the color and leaves the rest transparent', () => {
    const pixels = maskPixels(
      { left: 0, top: 0, width: 2, height: 1, bits: Uint8Array.from([1, 0]) },
      '#10a0ff',
      128,
    )
    assert.deepEqual([...pixels], [0x10, 0xa0, 0xff, 128, 0, 0, 0, 0])
  })
})
