import { test } from 'node:test'
import assert from 'node:assert/strict'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { readdirSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { deflateSync } from 'node:zlib'
import sharp from 'sharp'
import { SHARED_FIXTURES } from '@labelport/testkit'
import { decodePngToRgb, extractRgbColors, hasColor, MaskImageError } from './masks.ts'
import { readImageFile } from './node/read-image.ts'

const REAL = `${SHARED_FIXTURES}real/`

function findPngs(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name)
    if (statSync(path).isDirectory()) findPngs(path, out)
    else if (name.toLowerCase().endsWith('.png')) out.push(path)
  }
  return out
}

async function sharpRgb(bytes: Uint8Array): Promise<Uint8Array> {
  const { data, info } = await sharp(bytes, { ignoreIcc: true })
    .removeAlpha()
    .toColourspace('srgb')
    .raw()
    .toBuffer({ resolveWithObject: true })
  assert.equal(info.channels, 3)
  return new Uint8Array(data)
}

void test('every supported PNG among the real fixtures decodes to the same RGB as sharp', async () => {
  let compared = 0
  let refused = 0
  for (const path of findPngs(REAL)) {
    const bytes = await readImageFile(path)
    if (bytes[0] !== 0x89) continue // a few .png files are not PNGs
    const bitDepth = bytes[24]
    const interlace = bytes[28]
    if (bitDepth === 16 || interlace === 1) {
      await assert.rejects(decodePngToRgb(bytes), MaskImageError)
      refused++
      continue
    }
    const ours = await decodePngToRgb(bytes)
    assert.deepEqual(ours.rgb, await sharpRgb(bytes), path)
    compared++
  }
  assert.ok(compared > 100, `compared ${compared}`)
  assert.ok(refused > 10, `refused ${refused}`)
})

void test('extractRgbColors and hasColor on Labelbox mask.png and a COCO-Stuff palette PNG', async () => {
  const mask = await readImageFile(
    `${REAL}labelbox-python/libs/labelbox/tests/data/assets/mask.png`,
  )
  assert.deepEqual(await extractRgbColors(mask), [
    [0, 255, 255],
    [255, 255, 255],
  ])
  assert.equal(await hasColor(mask, [0, 255, 255]), true)
  assert.equal(await hasColor(mask, [1, 2, 3]), false)

  const stuff = await readImageFile(
    `${REAL}cocoapi/results/segmentations/examples/000000000934.png`,
  )
  const rgb = await sharpRgb(stuff)
  const expected = new Set<number>()
  for (let i = 0; i < rgb.length; i += 3)
    expected.add((rgb[i]! << 16) | (rgb[i + 1]! << 8) | rgb[i + 2]!)
  expected.delete(0)
  const colors = await extractRgbColors(stuff)
  assert.deepEqual(
    colors,
    [...expected].sort((a, b) => a - b).map((k) => [k >> 16, (k >> 8) & 255, k & 255]),
  )
})

/** A PNG of 8-bit RGB rows, each row written with the given filter type. */
function encodeWithFilters(
  width: number,
  height: number,
  rgb: Uint8Array,
  filters: number[],
): Uint8Array {
  const rowBytes = width * 3
  const out = new Uint8Array(height * (rowBytes + 1))
  for (let y = 0; y < height; y++) {
    const filter = filters[y % filters.length]!
    out[y * (rowBytes + 1)] = filter
    for (let i = 0; i < rowBytes; i++) {
      const x = rgb[y * rowBytes + i]!
      const a = i >= 3 ? rgb[y * rowBytes + i - 3]! : 0
      const b = y > 0 ? rgb[(y - 1) * rowBytes + i]! : 0
      const c = i >= 3 && y > 0 ? rgb[(y - 1) * rowBytes + i - 3]! : 0
      const p = a + b - c
      const predictor = [
        0,
        a,
        b,
        (a + b) >> 1,
        Math.abs(p - a) <= Math.abs(p - b) && Math.abs(p - a) <= Math.abs(p - c)
          ? a
          : Math.abs(p - b) <= Math.abs(p - c)
            ? b
            : c,
      ][filter]!
      out[y * (rowBytes + 1) + 1 + i] = (x - predictor) & 255
    }
  }
  const chunk = (type: string, data: Uint8Array): Buffer => {
    const head = Buffer.alloc(8)
    head.writeUInt32BE(data.length, 0)
    head.write(type, 4, 'latin1')
    return Buffer.concat([head, data, Buffer.alloc(4)]) // CRC is not checked by the decoder
  }
  const ihdr = Buffer.alloc(13)
  ihdr.writeUInt32BE(width, 0)
  ihdr.writeUInt32BE(height, 4)
  ihdr[8] = 8
  ihdr[9] = 2
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(out)),
    chunk('IEND', new Uint8Array(0)),
  ])
}

void test('all five filter types', async () => {
  const width = 13
  const height = 10
  const rgb = Uint8Array.from(
    { length: width * height * 3 },
    (_, i) => (i * 37 + (i >> 5) * 11) & 255,
  )
  for (const filters of [[0], [1], [2], [3], [4], [0, 1, 2, 3, 4]]) {
    const decoded = await decodePngToRgb(encodeWithFilters(width, height, rgb, filters))
    assert.deepEqual(decoded.rgb, rgb, `filters ${filters.join(',')}`)
  }
})

void test('unsupported or broken images are a MaskImageError with a clear reason', async () => {
  const interlaced = await sharp({
    create: { width: 8, height: 8, channels: 3, background: '#ff0000' },
  })
    .png({ progressive: true })
    .toBuffer()
  await assert.rejects(decodePngToRgb(interlaced), /interlaced/)
  const jpeg = await readImageFile(`${REAL}exif-orientation-examples/Landscape_1.jpg`)
  await assert.rejects(decodePngToRgb(jpeg), /not a PNG/)
  const mask = await readImageFile(
    `${REAL}labelbox-python/libs/labelbox/tests/data/assets/mask.png`,
  )
  await assert.rejects(decodePngToRgb(mask.subarray(0, mask.length - 30)), MaskImageError)
})

void test('a URL is fetched', async () => {
  const mask = await readImageFile(
    `${REAL}labelbox-python/libs/labelbox/tests/data/assets/mask.png`,
  )
  const server = http.createServer((_req, res) =>
    res.writeHead(200, { 'content-type': 'image/png' }).end(mask),
  )
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  try {
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/mask.png`
    assert.deepEqual(await extractRgbColors(url), [
      [0, 255, 255],
      [255, 255, 255],
    ])
    assert.equal(await hasColor(url, [255, 255, 255]), true)
  } finally {
    server.closeAllConnections()
    server.close()
  }
})
