/**
 * Streams the elements of the top-level arrays of one large JSON document (a 450 MB COCO file is
 * never parsed whole). A byte scanner finds where each element of the wanted members begins and
 * ends (strings skipped with `indexOf`, escapes respected); the complete elements of one chunk
 * are parsed together by one native JSON.parse (`[` + their bytes + `]`), so the cost per element
 * is a few bytes of scanning. `members: null` streams the elements of a top-level array (a COCO
 * results file). Members named in `shallow` are not parsed: each element comes as its top-level
 * keys with scalar values parsed and arrays and objects as `Nested` markers (a first pass that
 * needs only an annotation's category and the kind of its segmentation).
 * Structural errors (unbalanced brackets, a document cut short) and elements that are not valid
 * JSON raise JsonSyntaxError naming the element.
 */
import type { FileSource } from './model.ts'

export interface StreamedValue {
  /** the top-level member (`images`, `annotations`…), or undefined for a top-level array */
  member: string | undefined
  /** index of the element in that array */
  index: number
  value: unknown
}

export class JsonSyntaxError extends Error {}

/** A nested array or object in a shallow element (not parsed). */
export class Nested {
  readonly kind: 'array' | 'object'
  readonly empty: boolean
  constructor(kind: 'array' | 'object', empty: boolean) {
    this.kind = kind
    this.empty = empty
  }
}

const QUOTE = 34
const BACKSLASH = 92
const OPEN_OBJ = 123
const CLOSE_OBJ = 125
const OPEN_ARR = 91
const CLOSE_ARR = 93
const COMMA = 44
const COLON = 58
const EMPTY = new Uint8Array(0)
const decoder = new TextDecoder('utf-8')
const encoder = new TextEncoder()

/** The UTF-8 text of `buf[start, end)`. */
function text(buf: Uint8Array, start: number, end: number): string {
  return decoder.decode(buf.subarray(start, end))
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length)
  out.set(a)
  out.set(b, a.length)
  return out
}

function isBlank(c: number): boolean {
  return c === 32 || c === 10 || c === 13 || c === 9
}

/** Index of the quote that closes a string whose content starts at `from`, or -1. */
function stringEnd(buf: Uint8Array, from: number, end: number): number {
  let i = from
  for (;;) {
    const j = buf.indexOf(QUOTE, i)
    if (j < 0 || j >= end) return -1
    let k = j - 1
    while (k >= i && buf[k] === BACKSLASH) k--
    if ((j - 1 - k) % 2 === 0) return j
    i = j + 1
  }
}

/** End (exclusive) of the array or object opening at `start`, strings skipped; -1 when cut short. */
function containerEnd(buf: Uint8Array, start: number, end: number): number {
  let depth = 0
  for (let i = start; i < end; i++) {
    const c = buf[i]!
    if (c === QUOTE) {
      const j = stringEnd(buf, i + 1, end)
      if (j < 0) return -1
      i = j
    } else if (c === OPEN_ARR || c === OPEN_OBJ) depth++
    else if (c === CLOSE_ARR || c === CLOSE_OBJ) {
      depth--
      if (depth === 0) return i + 1
    }
  }
  return -1
}

function parseText(text: string, what: string): unknown {
  try {
    return JSON.parse(text)
  } catch (error) {
    throw new JsonSyntaxError(`${what}: ${error instanceof Error ? error.message : String(error)}`)
  }
}

function hasBackslash(buf: Uint8Array, start: number, end: number): boolean {
  for (let k = start; k < end; k++) if (buf[k] === BACKSLASH) return true
  return false
}

/** Sets an own property, `__proto__` included (as JSON.parse does). */
function put(out: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__')
    Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true })
  else out[key] = value
}

/** A scalar: small non-negative integers read from the bytes, anything else by JSON.parse. */
function scalar(buf: Uint8Array, start: number, end: number, what: string): unknown {
  if (end - start <= 15 && end > start) {
    let v = 0
    let i = start
    for (; i < end; i++) {
      const d = buf[i]! - 48
      if (d < 0 || d > 9) break
      v = v * 10 + d
    }
    if (i === end && (buf[start] !== 48 || end - start === 1)) return v
  }
  return parseText(text(buf, start, end), what)
}

/**
 * The top-level keys of the object in `buf[start, end)`: scalars parsed, arrays and objects as
 * `Nested`. Anything but an object gives the value itself parsed (a malformed one raises).
 */
export function shallowObject(
  buf: Uint8Array,
  start: number,
  end: number,
  what: string,
  keys?: ReadonlySet<string>,
): unknown {
  let i = start
  while (i < end && isBlank(buf[i]!)) i++
  if (buf[i] !== OPEN_OBJ) return parseText(text(buf, start, end), what)
  const out: Record<string, unknown> = {}
  const bad = (): never => {
    throw new JsonSyntaxError(`${what}: not a valid JSON object`)
  }
  i++
  for (;;) {
    while (i < end && (isBlank(buf[i]!) || buf[i] === COMMA)) i++
    if (i >= end) bad()
    if (buf[i] === CLOSE_OBJ) return out
    if (buf[i] !== QUOTE) bad()
    const keyEnd = stringEnd(buf, i + 1, end)
    if (keyEnd < 0) bad()
    const key = hasBackslash(buf, i + 1, keyEnd)
      ? (parseText(text(buf, i, keyEnd + 1), what) as string)
      : text(buf, i + 1, keyEnd)
    const keep = keys === undefined || keys.has(key)
    i = keyEnd + 1
    while (i < end && isBlank(buf[i]!)) i++
    if (buf[i] !== COLON) bad()
    i++
    while (i < end && isBlank(buf[i]!)) i++
    const c = buf[i]
    let valueEnd: number
    if (c === QUOTE) {
      valueEnd = stringEnd(buf, i + 1, end) + 1
      if (valueEnd <= 0) bad()
      if (keep) put(out, key, parseText(text(buf, i, valueEnd), what))
    } else if (c === OPEN_ARR || c === OPEN_OBJ) {
      valueEnd = containerEnd(buf, i, end)
      if (valueEnd < 0) bad()
      let k = i + 1
      while (isBlank(buf[k]!)) k++
      if (keep) put(out, key, new Nested(c === OPEN_ARR ? 'array' : 'object', k === valueEnd - 1))
    } else {
      valueEnd = i
      while (
        valueEnd < end &&
        buf[valueEnd] !== COMMA &&
        buf[valueEnd] !== CLOSE_OBJ &&
        !isBlank(buf[valueEnd]!)
      )
        valueEnd++
      if (keep) put(out, key, scalar(buf, i, valueEnd, what))
    }
    i = valueEnd
  }
}

export async function* streamJson(
  source: FileSource,
  members: readonly string[] | null,
  options: {
    shallow?: readonly string[]
    /** the keys a shallow element keeps (default: all) */
    shallowKeys?: readonly string[]
  } = {},
): AsyncGenerator<StreamedValue[]> {
  const wanted = members === null ? null : new Set(members)
  const shallow = new Set(options.shallow ?? [])
  const shallowKeys = options.shallowKeys && new Set(options.shallowKeys)
  // the array whose elements are streamed sits at depth 1 (root array) or 2 (member array)
  const elementDepth = members === null ? 1 : 2
  let depth = 0
  let inString = false
  /** the buffer ended inside a string right after a backslash: its next byte is escaped */
  let escape = false
  /** inside the root object at depth 1: where the string being read starts (a member name) */
  let keyStart = -1
  let readingKey = false
  let lastString = ''
  let member: string | undefined
  /** the member whose elements are streamed (wanted), else undefined */
  let streaming = false
  let collecting = false
  let elementStart = -1
  let stringElement = false
  let scalarElement = false
  let index = 0
  let rootSeen = false
  let rootClosed = false
  /** bytes of the document before the current buffer (for error offsets) */
  let offset = 0
  let carry: Uint8Array = EMPTY
  /** complete elements of the current buffer not yet parsed: [start, end) pairs */
  let ranges: number[] = []
  let batch: StreamedValue[] = []
  let buf: Uint8Array = EMPTY

  /** a malformed element: the elements before it come out first, then this is thrown */
  let failure: unknown
  const flush = (): void => {
    try {
      parseRanges()
    } catch (error) {
      failure = error
    }
    ranges = []
  }
  const parseRanges = (): void => {
    if (ranges.length === 0) return
    const count = ranges.length / 2
    const first = index - count
    if (member !== undefined && shallow.has(member)) {
      for (let r = 0; r < count; r++)
        batch.push({
          member,
          index: first + r,
          value: shallowObject(
            buf,
            ranges[2 * r]!,
            ranges[2 * r + 1]!,
            `${member}[${first + r}]`,
            shallowKeys,
          ),
        })
    } else {
      let values: unknown[] | undefined
      try {
        values = JSON.parse(
          '[' + text(buf, ranges[0]!, ranges[ranges.length - 1]!) + ']',
        ) as unknown[]
      } catch {
        values = undefined
      }
      if (values?.length !== count) {
        // find the element at fault; the ones before it still come out
        for (let r = 0; r < count; r++)
          batch.push({
            member,
            index: first + r,
            value: parseText(
              text(buf, ranges[2 * r]!, ranges[2 * r + 1]!),
              `${member ?? 'element'}[${first + r}]`,
            ),
          })
        return
      }
      for (let r = 0; r < count; r++) batch.push({ member, index: first + r, value: values[r] })
    }
  }
  const endElement = (end: number): void => {
    collecting = false
    if (elementStart >= 0) ranges.push(elementStart, end)
    else {
      // the element began in an earlier chunk: its bytes are the carry and this chunk's start
      const bytes = concat(carry, buf.subarray(0, end))
      carry = EMPTY
      const what = `${member ?? 'element'}[${index}]`
      batch.push({
        member,
        index,
        value:
          member !== undefined && shallow.has(member)
            ? shallowObject(bytes, 0, bytes.length, what, shallowKeys)
            : parseText(decoder.decode(bytes), what),
      })
    }
    index++
  }
  const after = (i: number): JsonSyntaxError =>
    new JsonSyntaxError(`unexpected text after the document at byte ${offset + i}`)

  for await (const raw of source.open()) {
    const chunk = typeof raw === 'string' ? encoder.encode(raw) : raw
    buf = chunk
    const n = buf.length
    let i = 0
    if (escape && inString && i < n) {
      i++
      escape = false
    }
    while (i < n) {
      if (inString) {
        const j = stringEnd(buf, i, n)
        if (j < 0) {
          let k = n - 1
          while (k >= i && buf[k] === BACKSLASH) k--
          escape = (n - 1 - k) % 2 === 1
          i = n
          break
        }
        inString = false
        if (readingKey) {
          lastString =
            keyStart >= 0
              ? text(buf, keyStart, j)
              : decoder.decode(concat(carry, buf.subarray(0, j)))
          carry = EMPTY
          readingKey = false
        }
        if (stringElement) {
          stringElement = false
          endElement(j + 1)
        }
        i = j + 1
        continue
      }
      // deep inside an element or a member not streamed only brackets and strings matter
      const floor = collecting ? elementDepth + 1 : streaming || members === null ? 0 : 2
      if (floor > 0 && depth >= floor) {
        let d = depth
        for (; i < n; i++) {
          const b = buf[i]!
          if (b === QUOTE) break
          if (b === OPEN_ARR || b === OPEN_OBJ) d++
          else if (b === CLOSE_ARR || b === CLOSE_OBJ) {
            if (d === floor) break
            d--
          }
        }
        depth = d
        if (i === n) break
      }
      const c = buf[i]!
      if (c === QUOTE) {
        if (rootClosed) throw after(i)
        inString = true
        if (!collecting && depth === elementDepth && streaming) {
          stringElement = true
          collecting = true
          elementStart = i
        }
        if (depth === 1 && members !== null) {
          readingKey = true
          keyStart = i + 1
        }
        i++
        continue
      }
      if (c === OPEN_OBJ || c === OPEN_ARR) {
        if (rootClosed) throw after(i)
        if (depth === 0) {
          if (rootSeen) throw new JsonSyntaxError(`a second document at byte ${offset + i}`)
          rootSeen = true
          if ((members === null) !== (c === OPEN_ARR))
            throw new JsonSyntaxError(
              members === null ? 'the document is not a list' : 'the document is not an object',
            )
          if (members === null) streaming = true
        } else if (depth === 1 && members !== null) {
          member = c === OPEN_ARR && wanted!.has(lastString) ? lastString : undefined
          streaming = member !== undefined
          index = 0
        } else if (depth === elementDepth && streaming && !collecting) {
          collecting = true
          elementStart = i
        }
        depth++
        i++
        continue
      }
      if (c === CLOSE_OBJ || c === CLOSE_ARR) {
        if (scalarElement) {
          scalarElement = false
          endElement(i)
        }
        if (rootClosed) throw after(i)
        depth--
        if (depth < 0)
          throw new JsonSyntaxError(`unbalanced '${String.fromCharCode(c)}' at byte ${offset + i}`)
        if (depth === 0) {
          rootClosed = true
          if (members === null) {
            flush()
            if (failure !== undefined) break
            streaming = false
          }
        }
        if (collecting && depth === elementDepth) endElement(i + 1)
        else if (depth === 1 && members !== null) {
          flush()
          if (failure !== undefined) break
          member = undefined
          streaming = false
        }
        i++
        continue
      }
      // numbers, commas, colons and blanks: nothing to do unless a scalar element starts or ends
      if (scalarElement) {
        if (isBlank(c) || c === COMMA) {
          scalarElement = false
          endElement(i)
        }
      } else if (!collecting && !isBlank(c) && c !== COMMA && c !== COLON) {
        if (rootClosed || depth === 0) throw after(i)
        if (depth === elementDepth && streaming) {
          collecting = true
          scalarElement = true
          elementStart = i
        }
      }
      i++
    }
    // keep the unfinished element (or member name) for the next chunk; parse the finished ones
    flush()
    if (failure !== undefined) {
      if (batch.length > 0) yield batch
      throw failure
    }
    if (collecting || readingKey) {
      const start = collecting ? elementStart : keyStart
      carry = start >= 0 ? buf.subarray(start) : concat(carry, buf)
      elementStart = -1
      keyStart = -1
    }
    offset += n
    if (batch.length > 0) {
      yield batch
      batch = []
    }
  }
  if (!rootClosed || inString)
    throw new JsonSyntaxError('the file ends before its JSON document does')
}
