import { Readable } from 'node:stream'
import type { ReadableStream as NodeReadableStream } from 'node:stream/web'

/** A web stream (fetch, Request bodies) as a Node stream; DOM and Node typings of ReadableStream differ. */
export function fromWebStream(stream: ReadableStream<Uint8Array>): Readable {
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-assertion -- needed where DOM typings are loaded (bench, tests)
  return Readable.fromWeb(stream as unknown as NodeReadableStream<Uint8Array>)
}
