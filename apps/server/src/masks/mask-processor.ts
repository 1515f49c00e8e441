/**
 * Judges and decodes the `mask` of one NDJSON import line into a stored geometry.
 *
 * Composite masks arrive as one line per color, often 50 lines sharing one large PNG. Each
 * composite is therefore decoded once and walked once (`buildColorRuns`), which yields the RLE of
 * every color; the result is kept in a small LRU keyed by the PNG's sha256, so the other lines of
 * the same composite are lookups. Cheap checks (PNG header, size, size limit) run before anything
 * is decompressed, so a small PNG claiming 30,000×30,000 pixels costs microseconds.
 */
import { createHash } from 'node:crypto'
import sharp from 'sharp'
import type { OutputInfo } from 'sharp'
import {
  AppError,
  checkRle,
  compressCounts,
  decodeRle,
  isPngHeader,
  issue,
  readPngHeader,
  rleArea,
  rleBbox,
} from '@labelport/core'
import type { ErrorCode, GeometryRecord, Issue, IssuePath, NdMask } from '@labelport/core'
import type { BlobStore } from '../storage/blob-store.ts'
import type { SafeFetch } from '../net/safe-fetch.ts'
import { buildColorRuns, colorKey, TooManyRunsError } from './color-runs.ts'
import type { CompositeRuns } from './color-runs.ts'

export type MaskGeometry = Extract<GeometryRecord, { type: 'mask' }>
export type ProcessMaskResult = { ok: true; geometry: MaskGeometry } | { ok: false; issue: Issue }

export interface MaskProcessorDeps {
  blobs: BlobStore
  fetch: SafeFetch
  /** largest width or height accepted (default 9000) */
  maxSide?: number
  /** composites whose color runs are kept (default 4) */
  cacheEntries?: number
  /** distinct colors tracked per composite (default 65,536); more and single colors are refused */
  maxColors?: number
}

/** Where a composite is stored; the key the mask URL of the export points at. */
export function maskBlobKey(sha256: string): string {
  return `masks/${sha256}.png`
}

type Failure = { code: ErrorCode; message: string }
type Geometry = Omit<MaskGeometry, 'type' | 'compositeSha256' | 'color'>

interface Composite {
  sha256: string
  runs: CompositeRuns
  /** geometry per color key (-1 = every non-black pixel), computed on first use */
  geometries: Map<number, Geometry>
}

const ANY_COLOR = -1
const URL_TTL_MS = 5 * 60_000

/** A tiny LRU on Map's insertion order. */
class Lru<V> {
  private readonly entries = new Map<string, V>()
  private readonly capacity: number
  constructor(capacity: number) {
    this.capacity = capacity
  }
  get(key: string): V | undefined {
    const value = this.entries.get(key)
    if (value !== undefined) {
      this.entries.delete(key)
      this.entries.set(key, value)
    }
    return value
  }
  set(key: string, value: V): void {
    this.entries.delete(key)
    this.entries.set(key, value)
    while (this.entries.size > this.capacity) {
      const oldest = this.entries.keys().next().value
      if (oldest === undefined) break
      this.entries.delete(oldest)
    }
  }
  delete(key: string): void {
    this.entries.delete(key)
  }
}

/** Limits how many pixels are being decoded at once (one 9000² composite, or many small masks). */
class PixelBudget {
  private used = 0
  private readonly waiting: { pixels: number; resolve: () => void }[] = []
  private readonly capacity: number
  constructor(capacity: number) {
    this.capacity = capacity
  }
  async run<T>(pixels: number, work: () => Promise<T>): Promise<T> {
    const weight = Math.min(pixels, this.capacity)
    if (this.used + weight > this.capacity || this.waiting.length > 0) {
      await new Promise<void>((resolve) => this.waiting.push({ pixels: weight, resolve }))
    } else this.used += weight
    try {
      return await work()
    } finally {
      this.used -= weight
      while (this.waiting.length > 0 && this.used + this.waiting[0]!.pixels <= this.capacity) {
        const next = this.waiting.shift()!
        this.used += next.pixels
        next.resolve()
      }
    }
  }
}

function fail(code: ErrorCode, message: string, path: IssuePath): { ok: false; issue: Issue } {
  return { ok: false, issue: issue(code, message, path) }
}

function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex')
}

/** Lenient like every base64 decoder; bytes that are not a PNG fail at the header check. */
function fromBase64(text: string): Uint8Array {
  return Buffer.from(text, 'base64')
}

export class MaskProcessor {
  private readonly blobs: BlobStore
  private readonly fetch: SafeFetch
  private readonly maxSide: number
  private readonly maxColors: number
  private readonly composites: Lru<
    Promise<{ ok: true; composite: Composite } | { ok: false; failure: Failure }>
  >
  private readonly urls = new Lru<{ at: number; sha256: string }>(64)
  private readonly inflightFetches = new Map<string, Promise<Awaited<ReturnType<SafeFetch>>>>()
  private readonly stored = new Set<string>()
  /** base64 texts of recent inline composites: 50 lines carrying the same megabytes skip decoding and hashing */
  private recentInline: { text: string; sha256: string }[] = []
  private readonly budget: PixelBudget

  constructor(deps: MaskProcessorDeps) {
    this.blobs = deps.blobs
    this.fetch = deps.fetch
    this.maxSide = deps.maxSide ?? 9000
    this.maxColors = deps.maxColors ?? 65_536
    this.composites = new Lru(deps.cacheEntries ?? 4)
    this.budget = new PixelBudget(this.maxSide * this.maxSide)
  }

  /**
   * Judges and decodes one NDJSON `mask` value (already syntax-checked: exactly one form, color
   * 0–255); `expected` is the data row's image size when known. Stores each composite PNG once
   * under masks/<sha256>.png.
   */
  async process(
    input: NdMask,
    expected: { width: number; height: number } | null,
    path: IssuePath,
  ): Promise<ProcessMaskResult> {
    if ('counts' in input) return this.processRle(input, expected, path)
    let color: [number, number, number] | null = null
    let bytes: Uint8Array | null = null
    let known: Composite | null = null
    let inline: string | null = null
    let sourcePath: IssuePath
    if ('png' in input) {
      sourcePath = [...path, 'png']
      inline = input.png
      known = await this.inlineComposite(inline)
      if (known === null) bytes = fromBase64(inline)
    } else {
      color = input.colorRGB ?? null
      if (color !== null && color[0] === 0 && color[1] === 0 && color[2] === 0) {
        return fail('mask_color_invalid', 'black (0,0,0) is the background of a composite mask', [
          ...path,
          'colorRGB',
        ])
      }
      if ('imBytes' in input) {
        sourcePath = [...path, 'imBytes']
        inline = input.imBytes
        known = await this.inlineComposite(inline)
        if (known === null) bytes = fromBase64(inline)
      } else {
        const url = 'instanceURI' in input ? input.instanceURI : input.url
        sourcePath = [...path, 'instanceURI' in input ? 'instanceURI' : 'url']
        const loaded = await this.loadUrl(url, sourcePath)
        if (!loaded.ok) return loaded
        bytes = loaded.bytes
        known = loaded.composite
      }
    }

    let composite: Composite
    if (known !== null) {
      composite = known
    } else {
      if (bytes === null) return fail('mask_invalid', 'the mask has no image', sourcePath)
      const header = readPngHeader(bytes, sourcePath)
      if (!isPngHeader(header)) return { ok: false, issue: header }
      const checked = this.checkSize(header.width, header.height, expected, sourcePath)
      if (checked) return checked
      if (header.bitDepth === 16) {
        return fail(
          'mask_decode_failed',
          '16-bit PNG masks are not supported: use 8-bit RGB, grayscale or palette',
          sourcePath,
        )
      }
      const loaded = await this.compositeOf(bytes, header.width * header.height)
      if (!loaded.ok) return fail(loaded.failure.code, loaded.failure.message, sourcePath)
      composite = loaded.composite
      if (inline !== null) this.rememberInline(inline, composite.sha256)
    }
    const { runs } = composite
    const mismatch = this.checkSize(runs.width, runs.height, expected, sourcePath)
    if (mismatch) return mismatch

    let key = ANY_COLOR
    if (color !== null) {
      key = colorKey(color)
      if (!runs.colors.has(key)) {
        if (runs.overflow) {
          return fail(
            'mask_invalid',
            `the mask has more than ${this.maxColors} colors; it is not a composite mask`,
            sourcePath,
          )
        }
        return fail(
          'mask_color_not_found',
          `color (${color.join(', ')}) does not occur in the mask`,
          [...path, 'colorRGB'],
        )
      }
    }
    const geometry = this.geometryOf(composite, key)
    if (geometry.area === 0)
      return fail('mask_invalid', 'the mask has no set (non-black) pixel', sourcePath)
    return {
      ok: true,
      geometry: { type: 'mask', compositeSha256: composite.sha256, color: color, ...geometry },
    }
  }

  /** The binary mask of one stored annotation as a 0/255 grayscale PNG. */
  async toBinaryPng(geometry: MaskGeometry): Promise<Uint8Array> {
    const decoded = decodeRle(geometry.rle)
    if (!decoded.ok) throw AppError.fromIssue(decoded.issue)
    return this.renderBinary(decoded.mask, decoded.width, decoded.height)
  }

  private async renderBinary(mask: Uint8Array, width: number, height: number): Promise<Uint8Array> {
    for (let i = 0; i < mask.length; i++) if (mask[i] !== 0) mask[i] = 255
    const png = await sharp(mask, { raw: { width, height, channels: 1 } })
      .toColourspace('b-w')
      .png({ compressionLevel: 6 })
      .toBuffer()
    return new Uint8Array(png.buffer, png.byteOffset, png.byteLength)
  }

  private checkSize(
    width: number,
    height: number,
    expected: { width: number; height: number } | null,
    path: IssuePath,
  ): { ok: false; issue: Issue } | null {
    if (width > this.maxSide || height > this.maxSide) {
      return fail(
        'mask_too_large',
        `the mask is ${width}×${height}; at most ${this.maxSide}×${this.maxSide} is accepted`,
        path,
      )
    }
    if (expected !== null && (expected.width !== width || expected.height !== height)) {
      return fail(
        'mask_size_mismatch',
        `the mask is ${width}×${height} but the image is ${expected.width}×${expected.height}`,
        path,
      )
    }
    return null
  }

  private async processRle(
    input: Extract<NdMask, { counts: unknown }>,
    expected: { width: number; height: number } | null,
    path: IssuePath,
  ): Promise<ProcessMaskResult> {
    const [height = 0, width = 0] = input.size
    // size first: a huge size must not be allocated
    const tooLarge = this.checkSize(width, height, expected, [...path, 'size'])
    if (tooLarge) return tooLarge
    const checked = checkRle(input, path)
    if (!checked.ok) return checked
    const area = rleArea(checked.counts)
    if (area === 0) return fail('mask_invalid', 'the mask has no set pixel', [...path, 'counts'])
    const rle = {
      counts: compressCounts(checked.counts),
      size: [height, width] as [number, number],
    }
    // a rendering, so that the composite URL of the export serves something for RLE masks too
    const decoded = decodeRle(rle)
    if (!decoded.ok) return decoded
    const png = await this.budget.run(width * height, () =>
      this.renderBinary(decoded.mask, width, height),
    )
    const sha256 = sha256Hex(png)
    await this.store(sha256, png)
    return {
      ok: true,
      geometry: {
        type: 'mask',
        compositeSha256: sha256,
        color: null,
        rle,
        bbox: rleBbox(checked.counts, height),
        area,
      },
    }
  }

  /** Fetches a mask URL once per import (concurrent lines share the fetch; recent URLs skip it). */
  private async loadUrl(
    url: string,
    path: IssuePath,
  ): Promise<
    | { ok: true; bytes: Uint8Array | null; composite: Composite | null }
    | { ok: false; issue: Issue }
  > {
    const recent = this.urls.get(url)
    if (recent !== undefined && Date.now() - recent.at < URL_TTL_MS) {
      const cached = await this.composites.get(recent.sha256)
      if (cached?.ok) return { ok: true, bytes: null, composite: cached.composite }
    }
    let pending = this.inflightFetches.get(url)
    if (pending === undefined) {
      pending = this.fetch(url, path)
      this.inflightFetches.set(url, pending)
      void pending.finally(() => this.inflightFetches.delete(url))
    }
    const fetched = await pending
    if (!fetched.ok) return { ok: false, issue: { ...fetched.issue, path } }
    // sha256 of a few MB is cheap next to a decode; it also catches a changed URL
    this.urls.set(url, { at: Date.now(), sha256: sha256Hex(fetched.bytes) })
    return { ok: true, bytes: fetched.bytes, composite: null }
  }

  /** Decodes a composite once: concurrent and later callers with the same bytes share the result. */
  private compositeOf(
    bytes: Uint8Array,
    pixels: number,
  ): Promise<{ ok: true; composite: Composite } | { ok: false; failure: Failure }> {
    const sha256 = sha256Hex(bytes)
    const cached = this.composites.get(sha256)
    if (cached !== undefined) return cached
    const created = this.budget.run(pixels, () => this.decode(sha256, bytes))
    this.composites.set(sha256, created)
    return created
  }

  private async decode(
    sha256: string,
    bytes: Uint8Array,
  ): Promise<{ ok: true; composite: Composite } | { ok: false; failure: Failure }> {
    let decoded: { data: Buffer; info: OutputInfo }
    try {
      decoded = await sharp(bytes, {
        failOn: 'error', // truncated or corrupt data fails; harmless libpng warnings do not
        ignoreIcc: true, // mask colors are labels, never color-managed
        limitInputPixels: this.maxSide * this.maxSide,
      })
        .raw()
        .toBuffer({ resolveWithObject: true })
    } catch (err) {
      this.composites.delete(sha256)
      const reason = err instanceof Error ? err.message : String(err)
      return {
        ok: false,
        failure: { code: 'mask_decode_failed', message: `the PNG could not be decoded: ${reason}` },
      }
    }
    const { data, info } = decoded
    const raw = new Uint8Array(data.buffer, data.byteOffset, data.byteLength)
    let runs: CompositeRuns
    try {
      runs = buildColorRuns(raw, info.width, info.height, info.channels, this.maxColors)
    } catch (err) {
      if (!(err instanceof TooManyRunsError)) throw err
      this.composites.delete(sha256)
      return {
        ok: false,
        failure: {
          code: 'mask_invalid',
          message: 'the mask changes color too often to be a segmentation mask',
        },
      }
    }
    await this.store(sha256, bytes)
    return { ok: true, composite: { sha256, runs, geometries: new Map() } }
  }

  private async inlineComposite(text: string): Promise<Composite | null> {
    // string equality is a native memcmp, far cheaper than base64 decoding and sha256
    const hit = this.recentInline.find(
      (entry) => entry.text.length === text.length && entry.text === text,
    )
    if (hit === undefined) return null
    const cached = await this.composites.get(hit.sha256)
    return cached?.ok ? cached.composite : null
  }

  private rememberInline(text: string, sha256: string): void {
    if (this.recentInline.some((entry) => entry.sha256 === sha256)) return
    this.recentInline = [{ text, sha256 }, ...this.recentInline].slice(0, 4)
  }

  private geometryOf(composite: Composite, key: number): Geometry {
    let geometry = composite.geometries.get(key)
    if (geometry === undefined) {
      const { runs } = composite
      const list = key === ANY_COLOR ? runs.union : runs.colors.get(key)
      if (list === undefined) throw new Error('color checked before')
      const counts = list.counts()
      geometry = {
        rle: { counts: compressCounts(counts), size: [runs.height, runs.width] },
        bbox: rleBbox(counts, runs.height),
        area: rleArea(counts),
      }
      composite.geometries.set(key, geometry)
    }
    return geometry
  }

  private async store(sha256: string, png: Uint8Array): Promise<void> {
    if (this.stored.has(sha256)) return
    const key = maskBlobKey(sha256)
    if (!(await this.blobs.has(key))) await this.blobs.put(key, png, 'image/png')
    this.stored.add(sha256)
  }
}
