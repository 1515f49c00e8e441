import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { readFileSync } from 'node:fs'
import { deflateSync } from 'node:zlib'
import { Readable } from 'node:stream'
import { createHash } from 'node:crypto'
import sharp from 'sharp'
import { decodeRle, encodeRle, isPngHeader, readPngHeader } from '@labelport/core'
import type { NdMask } from '@labelport/core'
import { SHARED_FIXTURES } from '@labelport/testkit'
import type { BlobInfo, BlobStore } from '../storage/blob-store.ts'
import { createSafeFetch } from '../net/safe-fetch.ts'
import { MaskProcessor, maskBlobKey } from './mask-processor.ts'

const REAL = `${SHARED_FIXTURES}real/`

/** Just enough of a BlobStore for these tests, in memory; counts writes. */
class MemoryBlobStore implements BlobStore {
  readonly blobs = new Map<string, Uint8Array>()
  puts = 0
  async put(
    key: string,
    data: Uint8Array | Readable | AsyncIterable<Uint8Array>,
  ): Promise<BlobInfo> {
    const chunks: Uint8Array[] = []
    if (data instanceof Uint8Array) chunks.push(data)
    else for await (const chunk of data) chunks.push(chunk as Uint8Array)
    const bytes = Buffer.concat(chunks)
    this.blobs.set(key, new Uint8Array(bytes))
    this.puts++
    return { size: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex') }
  }
  get(key: string): Promise<Uint8Array | null> {
    return Promise.resolve(this.blobs.get(key) ?? null)
  }
  stream(key: string): Promise<Readable | null> {
    const bytes = this.blobs.get(key)
    return Promise.resolve(bytes ? Readable.from([bytes]) : null)
  }
  size(key: string): Promise<number | null> {
    return Promise.resolve(this.blobs.get(key)?.length ?? null)
  }
  has(key: string): Promise<boolean> {
    return Promise.resolve(this.blobs.has(key))
  }
  delete(key: string): Promise<void> {
    this.blobs.delete(key)
    return Promise.resolve()
  }
  localPath(): string | null {
    return null
  }
}

function newProcessor(allowHosts: string[] = []): {
  processor: MaskProcessor
  blobs: MemoryBlobStore
} {
  const blobs = new MemoryBlobStore()
  const fetch = createSafeFetch({ maxBytes: 10_000_000, timeoutMs: 2_000, allowHosts })
  return { processor: new MaskProcessor({ blobs, fetch }), blobs }
}

/** The source decoded by sharp: a 0xRRGGBB key per pixel, row-major. */
async function referencePixels(
  png: Uint8Array,
): Promise<{ keys: Uint32Array; width: number; height: number }> {
  const { data, info } = await sharp(png, { ignoreIcc: true })
    .removeAlpha()
    .toColourspace('srgb')
    .raw()
    .toBuffer({ resolveWithObject: true })
  assert.equal(info.channels, 3)
  const keys = new Uint32Array(info.width * info.height)
  for (let i = 0; i < keys.length; i++)
    keys[i] = (data[i * 3]! << 16) | (data[i * 3 + 1]! << 8) | data[i * 3 + 2]!
  return { keys, width: info.width, height: info.height }
}

const COLOR_MASKS = [
  'labelbox-python/libs/labelbox/tests/data/assets/mask.png', // Labelbox's own 32×32 RGB composite
  'cocoapi/results/segmentations/examples/000000000934.png', // COCO-Stuff palette PNG, 640×480
  'cocoapi/results/segmentations/examples/000000013715.png',
  'datumaro/tests/assets/camvid_dataset/testannot/0001TP_008550.png', // CamVid color mask
  'datumaro/tests/assets/voc_dataset/voc_dataset1/SegmentationClass/2007_000001.png', // VOC palette
  'datumaro/tests/assets/labelme_dataset/Masks/subset1/img1_mask_1.png', // RGBA
  'datumaro/tests/assets/ade20k2020_dataset/dataset/training/street/1/instance_000_ADE_train_1.png', // grayscale
  'debian-packages/python3-skimage/data/palette_color.png', // palette, 78 colors in 10×10
  'debian-packages/python3-skimage/data/green_palette.png',
]

void test('every color of real composite masks: the RLE is exactly the pixels of that color', async () => {
  for (const file of COLOR_MASKS) {
    const png = readFileSync(`${REAL}${file}`)
    const { keys, width, height } = await referencePixels(png)
    const colors = [...new Set(keys)].filter((k) => k !== 0)
    assert.ok(colors.length > 0, file)
    const { processor, blobs } = newProcessor()
    const imBytes = png.toString('base64')
    const results = await Promise.all(
      colors.map((key) =>
        processor.process(
          { imBytes, colorRGB: [key >> 16, (key >> 8) & 0xff, key & 0xff] },
          { width, height },
          ['mask'],
        ),
      ),
    )
    for (const [i, result] of results.entries()) {
      const key = colors[i]!
      assert.ok(result.ok, `${file} ${key.toString(16)}: ${result.ok ? '' : result.issue.code}`)
      const { geometry } = result
      const expected = Uint8Array.from(keys, (k) => (k === key ? 1 : 0))
      const decoded = decodeRle(geometry.rle)
      assert.ok(decoded.ok)
      assert.deepEqual(decoded.mask, expected, `${file} color ${key.toString(16)}`)
      assert.equal(geometry.rle.counts, encodeRle(expected, width, height).counts)
      assert.equal(
        geometry.area,
        expected.reduce((a, b) => a + b, 0),
      )
      assert.deepEqual(geometry.color, [key >> 16, (key >> 8) & 0xff, key & 0xff])
      assert.equal(geometry.compositeSha256, createHash('sha256').update(png).digest('hex'))
    }
    // the composite is stored once, however many lines use it
    assert.equal(blobs.puts, 1, file)
    assert.ok(
      blobs.blobs.has(maskBlobKey(results[0]!.ok ? results[0]!.geometry.compositeSha256 : '')),
    )
  }
})

void test('bbox is the tight box of the color, in pixels of the image', async () => {
  const png = readFileSync(`${REAL}cocoapi/results/segmentations/examples/000000000934.png`)
  const { keys, width, height } = await referencePixels(png)
  const key = keys.find((k) => k !== 0)!
  const { processor } = newProcessor()
  const result = await processor.process(
    { imBytes: png.toString('base64'), colorRGB: [key >> 16, (key >> 8) & 0xff, key & 0xff] },
    null,
    ['mask'],
  )
  assert.ok(result.ok)
  let top = Infinity,
    left = Infinity,
    bottom = -1,
    right = -1
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      if (keys[y * width + x] !== key) continue
      top = Math.min(top, y)
      bottom = Math.max(bottom, y)
      left = Math.min(left, x)
      right = Math.max(right, x)
    }
  }
  assert.deepEqual(result.geometry.bbox, {
    top,
    left,
    height: bottom - top + 1,
    width: right - left + 1,
  })
})

void test('a mask without colorRGB and a {png} mask are binary: every non-black pixel', async () => {
  const composite = readFileSync(`${REAL}labelbox-python/libs/labelbox/tests/data/assets/mask.png`)
  const binary = readFileSync(`${REAL}labelbox-python/libs/labelbox/tests/data/assets/polygon.png`)
  const { processor } = newProcessor()
  for (const [png, input] of [
    [composite, { imBytes: composite.toString('base64') }],
    [binary, { png: binary.toString('base64') }],
  ] as const) {
    const { keys, width, height } = await referencePixels(png)
    const result = await processor.process(input, { width, height }, ['mask'])
    assert.ok(result.ok)
    assert.equal(result.geometry.color, null)
    const decoded = decodeRle(result.geometry.rle)
    assert.ok(decoded.ok)
    assert.deepEqual(
      decoded.mask,
      Uint8Array.from(keys, (k) => (k === 0 ? 0 : 1)),
    )
  }
})

void test('toBinaryPng renders the annotation as a 0/255 grayscale PNG', async () => {
  const png = readFileSync(`${REAL}labelbox-python/libs/labelbox/tests/data/assets/mask.png`)
  const { processor } = newProcessor()
  const result = await processor.process(
    { imBytes: png.toString('base64'), colorRGB: [0, 255, 255] },
    null,
    ['mask'],
  )
  assert.ok(result.ok)
  const rendered = await processor.toBinaryPng(result.geometry)
  const header = readPngHeader(rendered)
  assert.ok(isPngHeader(header))
  assert.equal(header.colorType, 0) // grayscale
  const { data, info } = await sharp(rendered)
    .toColourspace('b-w')
    .raw()
    .toBuffer({ resolveWithObject: true })
  assert.equal(info.channels, 1)
  const decoded = decodeRle(result.geometry.rle)
  assert.ok(decoded.ok)
  assert.deepEqual(
    new Uint8Array(data),
    decoded.mask.map((v) => v * 255),
  )
})

void test('COCO RLE, string and list forms: kept exactly, rendered and stored so the composite URL works', async () => {
  const results = JSON.parse(
    readFileSync(`${REAL}cocoapi/results/instances_val2014_fakesegm100_results.json`, 'utf8'),
  ) as {
    segmentation: { counts: string; size: [number, number] }
  }[]
  const { processor, blobs } = newProcessor()
  for (const { segmentation } of results.slice(0, 5)) {
    const [height, width] = segmentation.size
    const result = await processor.process(segmentation, { width, height }, ['mask'])
    assert.ok(result.ok)
    assert.equal(result.geometry.rle.counts, segmentation.counts)
    assert.equal(result.geometry.color, null)
    const stored = blobs.blobs.get(maskBlobKey(result.geometry.compositeSha256))
    assert.ok(stored)
    const { data } = await sharp(stored)
      .toColourspace('b-w')
      .raw()
      .toBuffer({ resolveWithObject: true })
    const decoded = decodeRle(segmentation)
    assert.ok(decoded.ok)
    assert.deepEqual(
      Uint8Array.from(data, (v) => (v ? 1 : 0)),
      decoded.mask,
    )
  }
  const list: NdMask = { counts: [10, 10, 5, 10, 15], size: [5, 10] } // datumaro stuff_train.json
  const fromList = await processor.process(list, null, ['mask'])
  assert.ok(fromList.ok)
  assert.equal(fromList.geometry.area, 20)
  assert.deepEqual(fromList.geometry.rle.size, [5, 10])

  const wrongSum = await processor.process({ counts: [1, 2], size: [5, 10] }, null, ['mask'])
  assert.ok(!wrongSum.ok)
  assert.equal(wrongSum.issue.code, 'mask_rle_invalid')
  const wrongSize = await processor.process(list, { width: 9, height: 5 }, ['mask'])
  assert.ok(!wrongSize.ok)
  assert.equal(wrongSize.issue.code, 'mask_size_mismatch')
  const huge = await processor.process({ counts: [900_000_000], size: [30_000, 30_000] }, null, [
    'mask',
  ])
  assert.ok(!huge.ok)
  assert.equal(huge.issue.code, 'mask_too_large')
})

void test('a color absent from the mask is mask_color_not_found; the wrong size is mask_size_mismatch', async () => {
  const png = readFileSync(`${REAL}labelbox-python/libs/labelbox/tests/data/assets/mask.png`)
  const { processor } = newProcessor()
  const absent = await processor.process(
    { imBytes: png.toString('base64'), colorRGB: [1, 2, 3] },
    null,
    ['mask'],
  )
  assert.ok(!absent.ok)
  assert.equal(absent.issue.code, 'mask_color_not_found')
  assert.deepEqual(absent.issue.path, ['mask', 'colorRGB'])
  const wrongSize = await processor.process(
    { imBytes: png.toString('base64'), colorRGB: [0, 255, 255] },
    { width: 33, height: 32 },
    ['mask'],
  )
  assert.ok(!wrongSize.ok)
  assert.equal(wrongSize.issue.code, 'mask_size_mismatch')
  const black = await processor.process(
    { imBytes: png.toString('base64'), colorRGB: [0, 0, 0] },
    null,
    ['mask'],
  )
  assert.ok(!black.ok)
  assert.equal(black.issue.code, 'mask_color_invalid')
})

/** A PNG chunk with its CRC. */
function chunk(type: string, data: Uint8Array): Buffer {
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data])
  let crc = 0xffffffff
  for (const byte of body) {
    crc ^= byte
    for (let k = 0; k < 8; k++) crc = crc & 1 ? (crc >>> 1) ^ 0xedb88320 : crc >>> 1
  }
  const out = Buffer.alloc(12 + data.length)
  out.writeUInt32BE(data.length, 0)
  body.copy(out, 4)
  out.writeUInt32BE((crc ^ 0xffffffff) >>> 0, 8 + data.length)
  return out
}

void test('a 30,000×30,000 PNG bomb is mask_too_large, refused from its header before any decode', async () => {
  const ihdr = Buffer.alloc(13)
  ihdr.writeUInt32BE(30_000, 0)
  ihdr.writeUInt32BE(30_000, 4)
  ihdr[8] = 8 // bit depth
  ihdr[9] = 2 // RGB
  // a few rows of zeros; a real bomb's IDAT would be ~2.6 MB of deflate for 2.7 GB of pixels
  const idat = deflateSync(Buffer.alloc(4 * (1 + 30_000 * 3)))
  const bomb = Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', idat),
    chunk('IEND', new Uint8Array(0)),
  ])
  const { processor, blobs } = newProcessor()
  for (const input of [
    { imBytes: bomb.toString('base64'), colorRGB: [1, 1, 1] },
    { png: bomb.toString('base64') },
  ] as NdMask[]) {
    const result = await processor.process(input, null, ['mask'])
    assert.ok(!result.ok)
    assert.equal(result.issue.code, 'mask_too_large')
  }
  assert.equal(blobs.puts, 0)
})

void test('a truncated or non-PNG mask is mask_decode_failed', async () => {
  const png = readFileSync(`${REAL}debian-packages/python3-skimage/data/coffee.png`)
  const { processor, blobs } = newProcessor()
  const truncated = await processor.process(
    { imBytes: png.subarray(0, png.length >> 1).toString('base64'), colorRGB: [1, 2, 3] },
    null,
    ['mask'],
  )
  assert.ok(!truncated.ok)
  assert.equal(truncated.issue.code, 'mask_decode_failed')
  assert.deepEqual(truncated.issue.path, ['mask', 'imBytes'])
  const jpeg = readFileSync(`${REAL}exif-orientation-examples/Landscape_1.jpg`)
  const notPng = await processor.process({ png: jpeg.toString('base64') }, null, ['mask'])
  assert.ok(!notPng.ok)
  assert.equal(notPng.issue.code, 'mask_decode_failed')
  assert.equal(blobs.puts, 0)
})

let server: http.Server
let base = ''
let requests = 0
before(async () => {
  const png = readFileSync(`${REAL}cocoapi/results/segmentations/examples/000000000934.png`)
  server = http.createServer((_req, res) => {
    requests++
    res.writeHead(200, { 'content-type': 'image/png' }).end(png)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
})
after(() => {
  server.closeAllConnections()
  server.close()
})

void test('instanceURI masks: fetched once for many lines when allowed, refused on 127.0.0.1 otherwise', async () => {
  const png = readFileSync(`${REAL}cocoapi/results/segmentations/examples/000000000934.png`)
  const { keys } = await referencePixels(png)
  const colors = [...new Set(keys)].filter((k) => k !== 0)
  const { processor } = newProcessor(['127.0.0.1'])
  requests = 0
  const results = await Promise.all(
    colors.map((key) =>
      processor.process(
        {
          instanceURI: `${base}/composite.png`,
          colorRGB: [key >> 16, (key >> 8) & 0xff, key & 0xff],
        },
        { width: 640, height: 480 },
        ['mask'],
      ),
    ),
  )
  assert.ok(results.every((r) => r.ok))
  const again = await processor.process(
    {
      url: `${base}/composite.png`,
      colorRGB: [colors[0]! >> 16, (colors[0]! >> 8) & 0xff, colors[0]! & 0xff],
    },
    null,
    ['mask'],
  )
  assert.ok(again.ok)
  assert.equal(requests, 1)

  const strict = newProcessor().processor
  const refused = await strict.process(
    { instanceURI: `${base}/composite.png`, colorRGB: [1, 2, 3] },
    null,
    ['mask'],
  )
  assert.ok(!refused.ok)
  assert.equal(refused.issue.code, 'fetch_address_forbidden')
  assert.deepEqual(refused.issue.path, ['mask', 'instanceURI'])
})
