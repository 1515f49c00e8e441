/**
 * Label Studio's brush RLE (`value.format = 'rle'`, `value.rle = [bytes…]`): the rle-pack bit
 * stream of the brush image as RGBA bytes, row-major, `original_width × original_height × 4`;
 * the mask is the alpha channel. Bits are read most significant first:
 * header `num` (32 bits, the number of values), `wordSize − 1` (5 bits), four run-length field
 * sizes − 1 (4 bits each); then chunks `repeat` (1 bit), `size index` (2 bits),
 * `length − 1` (that many bits), then one word repeated `length` times (repeat = 1) or `length`
 * words (repeat = 0). The encoder here writes only repeat chunks, which every decoder reads.
 */

class BitReader {
  private bit = 0
  private readonly bytes: ArrayLike<number>
  constructor(bytes: ArrayLike<number>) {
    this.bytes = bytes
  }
  read(n: number): number {
    let v = 0
    for (let k = 0; k < n; k++) {
      const byte = this.bytes[this.bit >> 3]
      if (byte === undefined) throw new RangeError('the RLE ends early')
      v = v * 2 + ((byte >> (7 - (this.bit & 7))) & 1)
      this.bit++
    }
    return v
  }
}

class BitWriter {
  readonly bytes: number[] = []
  private bit = 0
  write(value: number, n: number): void {
    for (let k = n - 1; k >= 0; k--) {
      const b = Math.floor(value / 2 ** k) & 1
      if ((this.bit & 7) === 0) this.bytes.push(0)
      if (b) this.bytes[this.bytes.length - 1]! |= 1 << (7 - (this.bit & 7))
      this.bit++
    }
  }
}

/** The values of a Label Studio RLE (for a brush: RGBA bytes). Throws RangeError when malformed. */
export function decodeLabelStudioRle(rle: ArrayLike<number>, maxValues: number): Uint8Array {
  const input = new BitReader(rle)
  const num = input.read(32)
  if (num > maxValues) throw new RangeError(`the RLE holds ${num} values, more than ${maxValues}`)
  const word = input.read(5) + 1
  const sizes = [0, 1, 2, 3].map(() => input.read(4) + 1)
  const out = new Uint8Array(num)
  let i = 0
  while (i < num) {
    const repeat = input.read(1)
    const j = Math.min(num, i + 1 + input.read(sizes[input.read(2)]!))
    if (repeat) {
      out.fill(input.read(word), i, j)
      i = j
    } else while (i < j) out[i++] = input.read(word)
  }
  return out
}

const SIZES = [3, 4, 8, 16]

/** Encodes values (bytes) as a Label Studio RLE. */
export function encodeLabelStudioRle(values: Uint8Array): number[] {
  const out = new BitWriter()
  out.write(values.length, 32)
  out.write(7, 5)
  for (const s of SIZES) out.write(s - 1, 4)
  let i = 0
  while (i < values.length) {
    const v = values[i]!
    let j = i + 1
    while (j < values.length && values[j] === v && j - i < 2 ** 16) j++
    const n = j - i - 1
    const index = SIZES.findIndex((s) => n < 2 ** s)
    out.write(1, 1)
    out.write(index, 2)
    out.write(n, SIZES[index]!)
    out.write(v, 8)
    i = j
  }
  return out.bytes
}

/** A brush RLE as a row-major 0/1 mask (alpha > 0). */
export function brushToMask(rle: ArrayLike<number>, width: number, height: number): Uint8Array {
  const rgba = decodeLabelStudioRle(rle, width * height * 4)
  if (rgba.length !== width * height * 4)
    throw new RangeError(
      `the RLE holds ${rgba.length} values, not ${width}×${height}×4 (RGBA of the image)`,
    )
  const mask = new Uint8Array(width * height)
  for (let p = 0; p < mask.length; p++) mask[p] = rgba[p * 4 + 3]! > 0 ? 1 : 0
  return mask
}

/** A row-major 0/1 mask as a brush RLE (every channel 255 where set, as Label Studio's converter writes). */
export function maskToBrush(mask: Uint8Array): number[] {
  const rgba = new Uint8Array(mask.length * 4)
  for (let p = 0; p < mask.length; p++) if (mask[p]) rgba.fill(255, p * 4, p * 4 + 4)
  return encodeLabelStudioRle(rgba)
}
