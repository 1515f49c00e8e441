/**
 * Streams the elements of the top-level arrays of one large JSON document (a 450 MB COCO file is
 * never parsed whole): a small scanner finds where each element of the wanted members begins and
 * ends (strings and escapes respected), and each element alone goes through the native JSON.parse.
 * `members: null` streams the elements of a top-level array (a COCO results file).
 * Structural errors (unbalanced brackets, a document cut short) raise JsonSyntaxError.
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

const QUOTE = 34
const BACKSLASH = 92
const OPEN_OBJ = 123
const CLOSE_OBJ = 125
const OPEN_ARR = 91
const CLOSE_ARR = 93
const COMMA = 44
const COLON = 58

export async function* streamJson(
  source: FileSource,
  members: readonly string[] | null,
): AsyncGenerator<StreamedValue[]> {
  const wanted = members === null ? null : new Set(members)
  const decoder = new TextDecoder('utf-8', { fatal: false })
  let depth = 0
  let inString = false
  let escape = false
  /** at depth 1 inside the root object: the last string read (a member name once followed by `:`) */
  let keyStart = -1
  let lastString = ''
  let member: string | undefined
  /** collecting the current element: the text of it seen in earlier chunks */
  let carry = ''
  let elementStart = -1
  let collecting = false
  let stringElement = false
  let scalarElement = false
  let index = 0
  let rootSeen = false
  let rootClosed = false
  let offset = 0
  for await (const raw of source.open()) {
    const text = typeof raw === 'string' ? raw : decoder.decode(raw, { stream: true })
    const batch: StreamedValue[] = []
    const emit = (elementText: string): void => {
      carry = ''
      let value: unknown
      try {
        value = JSON.parse(elementText)
      } catch (error) {
        throw new JsonSyntaxError(
          `${member ?? 'element'}[${index}]: ${error instanceof Error ? error.message : String(error)}`,
        )
      }
      batch.push({ member, index: index++, value })
    }
    if (collecting) elementStart = 0
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i)
      if (inString) {
        if (escape) escape = false
        else if (c === BACKSLASH) escape = true
        else if (c === QUOTE) {
          inString = false
          if (keyStart >= 0) {
            lastString += text.slice(keyStart, i)
            keyStart = -1
          }
          if (stringElement) {
            // a string as an element of a streamed array
            stringElement = false
            collecting = false
            batch.push({
              member,
              index: index++,
              value: JSON.parse(carry + text.slice(elementStart, i + 1)),
            })
            carry = ''
          }
        }
        continue
      }
      if (c === QUOTE) {
        if (rootClosed)
          throw new JsonSyntaxError(`unexpected text after the document at ${offset + i}`)
        inString = true
        if (
          !collecting &&
          depth === (members === null ? 1 : 2) &&
          (members === null || member !== undefined)
        ) {
          stringElement = true
          collecting = true
          elementStart = i
          carry = ''
        }
        if (depth === 1 && members !== null) {
          keyStart = i + 1
          lastString = ''
        }
        continue
      }
      // numbers, commas, colons and blanks inside an element: nothing to do (the common case)
      if (scalarElement && (c <= 32 || c === COMMA || c === CLOSE_ARR || c === CLOSE_OBJ)) {
        scalarElement = false
        collecting = false
        emit(carry + text.slice(elementStart, i))
      }
      if (c !== OPEN_OBJ && c !== OPEN_ARR && c !== CLOSE_OBJ && c !== CLOSE_ARR) {
        if (collecting || c <= 32 || c === COMMA || c === COLON) continue
        if (rootClosed)
          throw new JsonSyntaxError(`unexpected text after the document at ${offset + i}`)
      } else if (rootClosed)
        throw new JsonSyntaxError(`unexpected text after the document at ${offset + i}`)
      // the array whose elements are streamed sits at depth 1 (root array) or 2 (member array)
      const elementDepth = members === null ? 1 : 2
      if (c === OPEN_OBJ || c === OPEN_ARR) {
        if (depth === 0) {
          if (rootSeen) throw new JsonSyntaxError(`a second document at ${offset + i}`)
          rootSeen = true
          if ((members === null) !== (c === OPEN_ARR))
            throw new JsonSyntaxError(
              members === null ? 'the document is not a list' : 'the document is not an object',
            )
        } else if (depth === 1 && members !== null) {
          member = c === OPEN_ARR && wanted!.has(lastString) ? lastString : undefined
          index = 0
        } else if (depth === elementDepth && (members === null || member !== undefined)) {
          collecting = true
          elementStart = i
          carry = ''
        }
        depth++
        continue
      }
      if (c === CLOSE_OBJ || c === CLOSE_ARR) {
        depth--
        if (depth < 0)
          throw new JsonSyntaxError(`unbalanced '${String.fromCharCode(c)}' at ${offset + i}`)
        if (depth === 0) rootClosed = true
        if (collecting && depth === elementDepth) {
          collecting = false
          emit(carry + text.slice(elementStart, i + 1))
        } else if (depth === 1 && members !== null) member = undefined
        continue
      }
      // a scalar element of a streamed array (numbers, true, false, null): collected up to its end
      if (depth === elementDepth && (members === null || member !== undefined)) {
        collecting = true
        scalarElement = true
        elementStart = i
        carry = ''
      }
    }
    if (collecting) carry += text.slice(elementStart)
    if (keyStart >= 0) {
      lastString += text.slice(keyStart)
      keyStart = 0
    }
    offset += text.length
    if (batch.length > 0) yield batch
  }
  if (!rootClosed || inString)
    throw new JsonSyntaxError('the file ends before its JSON document does')
}
