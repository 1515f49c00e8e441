import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { SHARED_FIXTURES } from '@labelport/testkit'
import { isPngHeader, readPngHeader } from './png-header.ts'

const REAL = `${SHARED_FIXTURES}real/`

void test('readPngHeader reads IHDR of real PNGs and refuses other bytes', () => {
  const png = readFileSync(`${REAL}labelbox-python/libs/labelbox/tests/data/assets/mask.png`)
  const header = readPngHeader(png)
  assert.ok(isPngHeader(header))
  assert.equal(header.width, 32)
  assert.equal(header.height, 32)
  const jpeg = readPngHeader(
    Uint8Array.from([0xff, 0xd8, 0xff, 0xe0, ...new Array<number>(40).fill(0)]),
  )
  assert.ok(!isPngHeader(jpeg))
  assert.equal(jpeg.code, 'mask_decode_failed')
  const truncated = readPngHeader(png.subarray(0, 20))
  assert.ok(!isPngHeader(truncated))
  assert.equal(truncated.code, 'mask_decode_failed')
})
