/**
 * Splits a byte stream into lines without ever holding more than `maxLineBytes` of one line:
 * a longer line is skipped to its end and reported by its size only, so one enormous line
 * cannot exhaust memory. Accepts \n and \r\n endings.
 */
import { StringDecoder } from 'node:string_decoder'

export type InputLine =
  | { kind: 'line'; number: number; text: string; bytes: number }
  | { kind: 'too_long'; number: number; bytes: number }

export async function* readLines(
  input: AsyncIterable<Uint8Array>,
  maxLineBytes: number,
): AsyncGenerator<InputLine> {
  let parts: Buffer[] = []
  let size = 0
  let skipping = false
  let number = 0

  const finish = (): InputLine => {
    number++
    if (skipping) return { kind: 'too_long', number, bytes: size }
    let bytes = Buffer.concat(parts, size)
    if (bytes.length > 0 && bytes[bytes.length - 1] === 0x0d) bytes = bytes.subarray(0, -1)
    return { kind: 'line', number, text: new StringDecoder('utf8').end(bytes), bytes: size + 1 }
  }

  for await (const chunk of input) {
    const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk)
    let start = 0
    for (;;) {
      const newline = buffer.indexOf(0x0a, start)
      const end = newline === -1 ? buffer.length : newline
      const piece = buffer.subarray(start, end)
      size += piece.length
      if (!skipping) {
        if (size > maxLineBytes) {
          skipping = true
          parts = []
        } else if (piece.length > 0) parts.push(piece)
      }
      if (newline === -1) break
      yield finish()
      parts = []
      size = 0
      skipping = false
      start = newline + 1
    }
  }
  if (size > 0 || skipping) yield finish()
}
