/**
 * Base64 (RFC 4648, standard alphabet, padded) for mask bytes in NDJSON. Hand-written because core
 * is isomorphic: no Buffer, and btoa/atob work on binary strings and are not in core's types.
 */
import { AppError } from '../errors.ts'
import type { IssuePath } from '../errors.ts'

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'
const LOOKUP = new Int16Array(128).fill(-1)
for (let i = 0; i < ALPHABET.length; i++) LOOKUP[ALPHABET.charCodeAt(i)] = i
// the URL-safe alphabet decodes too
LOOKUP['-'.charCodeAt(0)] = 62
LOOKUP['_'.charCodeAt(0)] = 63

const char = (sextet: number): string => ALPHABET.charAt(sextet & 63)

export function encodeBase64(bytes: Uint8Array): string {
  let out = ''
  let i = 0
  for (; i + 2 < bytes.length; i += 3) {
    const n =
      ((bytes[i] as number) << 16) | ((bytes[i + 1] as number) << 8) | (bytes[i + 2] as number)
    out += char(n >> 18) + char(n >> 12) + char(n >> 6) + char(n)
  }
  const rest = bytes.length - i
  if (rest === 1) {
    const n = (bytes[i] as number) << 16
    out += char(n >> 18) + char(n >> 12) + '=='
  } else if (rest === 2) {
    const n = ((bytes[i] as number) << 16) | ((bytes[i + 1] as number) << 8)
    out += char(n >> 18) + char(n >> 12) + char(n >> 6) + '='
  }
  return out
}

/** Decodes base64, ignoring whitespace and tolerating missing padding; throws `field_invalid` on other characters. */
export function decodeBase64(text: string, path: IssuePath = []): Uint8Array {
  const clean = text.replace(/[\s=]+/g, '')
  if (clean.length % 4 === 1)
    throw new AppError('field_invalid', 'base64 text has an impossible length', { path })
  const out = new Uint8Array(Math.floor((clean.length * 3) / 4))
  let buffer = 0
  let bits = 0
  let o = 0
  for (let i = 0; i < clean.length; i++) {
    const code = clean.charCodeAt(i)
    const v = code < 128 ? (LOOKUP[code] as number) : -1
    if (v < 0)
      throw new AppError('field_invalid', `base64 text has an invalid character at ${i}`, { path })
    buffer = ((buffer << 6) | v) & 0xffff
    bits += 6
    if (bits >= 8) {
      bits -= 8
      out[o++] = (buffer >> bits) & 255
    }
  }
  return out
}
