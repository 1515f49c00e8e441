/**
 * Streams selected values of one large JSON document (a 450 MB COCO file is never parsed whole):
 * each value at one of `paths` (JSONPath as @streamparser/json takes them) is handed over with
 * the key of the top-level member it sits under and its index there.
 */
import { JSONParser } from '@streamparser/json'
import type { FileSource } from './model.ts'

export interface StreamedValue {
  /** the top-level member (`images`, `annotations`…), or undefined for a top-level array */
  member: string | undefined
  /** index of the element in that array */
  index: number
  /** for deeper paths: the keys below the element */
  keys: (string | number | undefined)[]
  value: unknown
}

export class JsonSyntaxError extends Error {}

export async function* streamJson(
  source: FileSource,
  paths: string[],
): AsyncGenerator<StreamedValue[]> {
  const parser = new JSONParser({ paths, keepStack: false })
  let batch: StreamedValue[] = []
  parser.onValue = ({ value, key, stack }) => {
    const keys = stack.map((s) => s.key)
    // stack[0] is the root; for `$.member.*` stack[1].key is the member and `key` the index
    const topArray = paths.some((p) => p.startsWith('$.*'))
    const member = topArray ? undefined : (keys[1] as string | undefined)
    const index = topArray
      ? ((stack.length > 1 ? keys[1] : key) as number)
      : ((stack.length > 2 ? keys[2] : key) as number)
    batch.push({ member, index, keys: [...keys.slice(topArray ? 2 : 3), key], value })
  }
  try {
    for await (const chunk of source.open()) {
      parser.write(chunk)
      if (batch.length > 0) {
        yield batch
        batch = []
      }
    }
    if (!parser.isEnded) throw new Error('the file ends before its JSON document does')
  } catch (error) {
    throw new JsonSyntaxError(error instanceof Error ? error.message : String(error))
  }
  if (batch.length > 0) yield batch
}
