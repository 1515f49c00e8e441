/** The contract of ./node/files.ts, declared here so the isomorphic code can type it without Node types. */

export interface LocalFile {
  /** the file's bytes, streamed */
  body: ReadableStream<Uint8Array>
  size: number
  /** guessed from the extension */
  contentType: string
}

export interface NodeHelpers {
  openLocalFile(path: string): Promise<LocalFile>
  readLocalFile(path: string): Promise<Uint8Array>
  /** `file://` URLs and plain paths to an absolute path */
  toLocalPath(pathOrFileUrl: string): string
}
