/**
 * Media attributes and thumbnails follow EXIF orientation, on the real EXIF examples: every
 * `Landscape_N.jpg` is a landscape picture once oriented, whatever its stored pixel layout.
 */
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { it } from 'node:test'
import sharp from 'sharp'
import { SHARED_FIXTURES } from '@labelport/testkit'
import { makeThumbnail, readMediaAttributes } from './media.ts'

const DIR = `${SHARED_FIXTURES}real/exif-orientation-examples/`

it('reports the displayed size of EXIF-rotated photos and orients thumbnails', async () => {
  for (const n of [1, 3, 5, 6, 8]) {
    for (const kind of ['Landscape', 'Portrait'] as const) {
      const bytes = readFileSync(`${DIR}${kind}_${n}.jpg`)
      const media = await readMediaAttributes(bytes)
      assert.ok(media, `${kind}_${n}`)
      assert.equal(media.exifOrientation, n)
      assert.equal(media.mimeType, 'image/jpeg')
      const landscape = media.width > media.height
      assert.equal(landscape, kind === 'Landscape', `${kind}_${n}: ${media.width}×${media.height}`)
      const thumb = await sharp(await makeThumbnail(bytes, 64)).metadata()
      assert.equal(
        (thumb.width ?? 0) > (thumb.height ?? 0),
        kind === 'Landscape',
        `thumbnail of ${kind}_${n}`,
      )
      assert.ok(Math.max(thumb.width ?? 0, thumb.height ?? 0) <= 64)
    }
  }
})

it('answers null for bytes that are not an image', async () => {
  assert.equal(await readMediaAttributes(new TextEncoder().encode('not an image')), null)
})
