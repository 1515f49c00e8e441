/**
 * Mask import benchmark: `npx tsx bench/masks/run.ts`.
 *
 * Goal (masks issue): a 9,000×9,000 composite with 50 colors imported as 50 lines costs at most 3×
 * a plain sharp raw decode of the same PNG, with peak RSS under 1 GB. Each phase runs in its own
 * child process so that its peak RSS is its own. Generated data lives in bench/.data/ (gitignored).
 */
import { spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import type { Readable } from 'node:stream'
import sharp from 'sharp'
import type { BlobInfo, BlobStore } from '../../apps/server/src/storage/blob-store.ts'
import { MaskProcessor } from '../../apps/server/src/masks/mask-processor.ts'
import { createSafeFetch } from '../../apps/server/src/net/safe-fetch.ts'

const DATA = fileURLToPath(new URL('../.data/', import.meta.url))
const SIDE = 9000
const COLORS = 50
const COMPOSITE = `${DATA}composite-${SIDE}-${COLORS}.png`
const SMALL_ROWS = 1000

/** The 50 colors: distinct, non-black. */
function colorOf(index: number): [number, number, number] {
  return [(index * 53 + 17) % 256, (index * 97 + 101) % 256, ((index + 1) * 29) % 256 || 1]
}

/** Blobs in memory: the benchmark measures decoding, not disk writes. */
class MemoryBlobStore implements BlobStore {
  readonly blobs = new Map<string, Uint8Array>()
  put(key: string, data: Uint8Array | Readable | AsyncIterable<Uint8Array>): Promise<BlobInfo> {
    if (!(data instanceof Uint8Array)) throw new Error('bench store takes bytes only')
    this.blobs.set(key, data)
    return Promise.resolve({ size: data.length, sha256: '' })
  }
  get(key: string): Promise<Uint8Array | null> {
    return Promise.resolve(this.blobs.get(key) ?? null)
  }
  stream(): Promise<Readable | null> {
    return Promise.resolve(null)
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

function newProcessor(): MaskProcessor {
  return new MaskProcessor({
    blobs: new MemoryBlobStore(),
    fetch: createSafeFetch({ maxBytes: 1, timeoutMs: 1 }),
  })
}

/** Discs of the 50 colors on a black background, overlapping, like a busy segmentation. */
async function generate(): Promise<void> {
  if (existsSync(COMPOSITE)) return
  mkdirSync(DATA, { recursive: true })
  const raw = new Uint8Array(SIDE * SIDE * 3)
  let seed = 12345
  const random = (): number => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff
  for (let c = 0; c < COLORS; c++) {
    const [r, g, b] = colorOf(c)
    for (let disc = 0; disc < 4; disc++) {
      const cx = Math.floor(random() * SIDE)
      const cy = Math.floor(random() * SIDE)
      const radius = 200 + Math.floor(random() * 900)
      for (let y = Math.max(0, cy - radius); y < Math.min(SIDE, cy + radius); y++) {
        const half = Math.floor(Math.sqrt(radius * radius - (y - cy) * (y - cy)))
        for (let x = Math.max(0, cx - half); x < Math.min(SIDE, cx + half); x++) {
          const i = (y * SIDE + x) * 3
          raw[i] = r
          raw[i + 1] = g
          raw[i + 2] = b
        }
      }
    }
  }
  await sharp(raw, { raw: { width: SIDE, height: SIDE, channels: 3 } })
    .png({ compressionLevel: 6 })
    .toFile(COMPOSITE)
}

function peakRssMb(): number {
  return process.resourceUsage().maxRSS / 1024
}

async function phaseDecode(): Promise<object> {
  const png = readFileSync(COMPOSITE)
  const start = performance.now()
  const { info } = await sharp(png, { limitInputPixels: SIDE * SIDE })
    .raw()
    .toBuffer({ resolveWithObject: true })
  return {
    ms: performance.now() - start,
    rssMb: peakRssMb(),
    pngMb: png.length / 1e6,
    channels: info.channels,
  }
}

async function phaseComposite(): Promise<object> {
  const png = readFileSync(COMPOSITE)
  const imBytes = png.toString('base64')
  const processor = newProcessor()
  const start = performance.now()
  let ok = 0
  // one line after the other, as an import reads them
  for (let c = 0; c < COLORS; c++) {
    const result = await processor.process(
      { imBytes, colorRGB: colorOf(c) },
      { width: SIDE, height: SIDE },
      ['mask'],
    )
    if (result.ok) ok++
  }
  return { ms: performance.now() - start, rssMb: peakRssMb(), ok }
}

async function phaseSmall(): Promise<object> {
  // 1,000 data rows, each with its own 256×256 mask of 3 colors
  const inputs: string[] = []
  for (let row = 0; row < SMALL_ROWS; row++) {
    const raw = new Uint8Array(256 * 256 * 3)
    for (let c = 0; c < 3; c++) {
      const [r, g, b] = colorOf(c)
      const x0 = (row * 7 + c * 60) % 180
      for (let y = 20 + c * 40; y < 80 + c * 40; y++) {
        for (let x = x0; x < x0 + 70; x++) raw.set([r, g, b], (y * 256 + x) * 3)
      }
    }
    const png = await sharp(raw, { raw: { width: 256, height: 256, channels: 3 } })
      .png()
      .toBuffer()
    inputs.push(png.toString('base64'))
  }
  const processor = newProcessor()
  const start = performance.now()
  let ok = 0
  for (const imBytes of inputs) {
    for (let c = 0; c < 3; c++) {
      const result = await processor.process(
        { imBytes, colorRGB: colorOf(c) },
        { width: 256, height: 256 },
        ['mask'],
      )
      if (result.ok) ok++
    }
  }
  return { ms: performance.now() - start, rssMb: peakRssMb(), ok, lines: SMALL_ROWS * 3 }
}

const phases: Record<string, () => Promise<object>> = {
  decode: phaseDecode,
  composite: phaseComposite,
  small: phaseSmall,
}

function runPhase(name: string): Record<string, number> {
  const child = spawnSync(
    process.execPath,
    ['--import', 'tsx', fileURLToPath(import.meta.url), name],
    {
      encoding: 'utf8',
      maxBuffer: 1 << 20,
    },
  )
  if (child.status !== 0) throw new Error(`phase ${name} failed:\n${child.stderr}`)
  return JSON.parse(child.stdout.trim().split('\n').pop() ?? '{}') as Record<string, number>
}

const phase = process.argv[2]
const chosen = phase === undefined ? undefined : phases[phase]
if (chosen !== undefined) {
  console.log(JSON.stringify(await chosen()))
} else {
  const t0 = performance.now()
  await generate()
  console.log(
    `composite: ${COMPOSITE} (${((performance.now() - t0) / 1000).toFixed(1)} s to prepare)`,
  )
  const decode = runPhase('decode')
  const composite = runPhase('composite')
  const small = runPhase('small')
  const ratio = composite['ms']! / decode['ms']!
  const rows = [
    ['measure', 'time', 'peak RSS', 'note'],
    [
      'sharp raw decode, 9000×9000 PNG',
      `${decode['ms']!.toFixed(0)} ms`,
      `${decode['rssMb']!.toFixed(0)} MB`,
      `${decode['pngMb']!.toFixed(1)} MB PNG`,
    ],
    [
      `MaskProcessor, ${COLORS} lines of that composite`,
      `${composite['ms']!.toFixed(0)} ms`,
      `${composite['rssMb']!.toFixed(0)} MB`,
      `${composite['ok']} ok`,
    ],
    [
      'ratio (goal ≤ 3×, RSS < 1 GB)',
      `${ratio.toFixed(2)}×`,
      '',
      ratio <= 3 && composite['rssMb']! < 1024 ? 'met' : 'NOT MET',
    ],
    [
      `MaskProcessor, ${SMALL_ROWS} rows × 3 colors, 256×256`,
      `${small['ms']!.toFixed(0)} ms`,
      `${small['rssMb']!.toFixed(0)} MB`,
      `${small['ok']}/${small['lines']} ok, ${(small['ms']! / SMALL_ROWS).toFixed(2)} ms/row`,
    ],
  ]
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)))
  for (const row of rows) console.log(row.map((cell, i) => cell.padEnd(widths[i]!)).join('  '))
}
