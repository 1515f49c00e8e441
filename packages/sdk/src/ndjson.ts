/** NDJSON both ways, streamed: responses are read line by line, uploads are produced lazily. */

/** Yields each JSON value of an NDJSON body as it arrives. */
export async function* readNdjson<T = unknown>(
  body: ReadableStream<Uint8Array> | null,
): AsyncGenerator<T> {
  if (body === null) return
  const reader = body.getReader()
  const decoder = new TextDecoder()
  let pending = ''
  try {
    for (;;) {
      const { done, value } = await reader.read()
      pending += done ? decoder.decode() : decoder.decode(value, { stream: true })
      let newline = pending.indexOf('\n')
      while (newline !== -1) {
        const line = pending.slice(0, newline).trim()
        pending = pending.slice(newline + 1)
        if (line !== '') yield JSON.parse(line) as T
        newline = pending.indexOf('\n')
      }
      if (done) break
    }
    const last = pending.trim()
    if (last !== '') yield JSON.parse(last) as T
  } finally {
    reader.releaseLock()
  }
}

const CHUNK_BYTES = 64 * 1024

/** A byte stream of `values` as NDJSON, encoded in chunks of about 64 KiB as it is read. */
export function toNdjsonStream(values: Iterable<unknown>): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder()
  const iterator = values[Symbol.iterator]()
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      let chunk = ''
      while (chunk.length < CHUNK_BYTES) {
        const next = iterator.next()
        if (next.done === true) {
          if (chunk !== '') controller.enqueue(encoder.encode(chunk))
          controller.close()
          return
        }
        chunk += `${JSON.stringify(next.value)}\n`
      }
      controller.enqueue(encoder.encode(chunk))
    },
  })
}

/** The same NDJSON as one Blob, for runtimes that cannot stream a request body (browsers over HTTP/1.1). */
export function toNdjsonBlob(values: Iterable<unknown>): Blob {
  const parts: string[] = []
  for (const value of values) parts.push(`${JSON.stringify(value)}\n`)
  return new Blob(parts, { type: 'application/x-ndjson' })
}
