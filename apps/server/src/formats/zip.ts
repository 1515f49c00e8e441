/**
 * ZIP archives, as much as foreign-format imports and exports need, written here (no dependency):
 * `zipStream` writes entries stored (no compression; label files are small and images are
 * compressed already), with ZIP64 end records when there are more than 65,535 entries or the
 * archive passes 4 GiB; `extractZip` reads a file's central directory and unpacks stored and
 * deflated entries into a folder, refusing paths that leave it and stopping past a size limit.
 */
import { createReadStream, createWriteStream } from 'node:fs'
import { mkdir, open } from 'node:fs/promises'
import { dirname, resolve, sep } from 'node:path'
import { Readable, Transform } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { createInflateRaw } from 'node:zlib'
import { AppError } from '@labelport/core'

const CRC_TABLE = (() => {
  const table = new Uint32Array(256)
  for (let n = 0; n < 256; n++) {
    let c = n
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1
    table[n] = c >>> 0
  }
  return table
})()

export function crc32(data: Uint8Array, crc = 0): number {
  let c = ~crc >>> 0
  for (let i = 0; i < data.length; i++) c = CRC_TABLE[(c ^ data[i]!) & 0xff]! ^ (c >>> 8)
  return ~c >>> 0
}

const U32_MAX = 0xffffffff
/** 1980-01-01 00:00, the earliest DOS date: archives are reproducible */
const DOS_TIME = 0
const DOS_DATE = (0 << 9) | (1 << 5) | 1

export interface ZipEntry {
  path: string
  content: string | Uint8Array
}

/** The entries as a ZIP, streamed: one entry's bytes at a time plus the central directory. */
export async function* zipStream(entries: AsyncIterable<ZipEntry>): AsyncGenerator<Buffer> {
  const central: Buffer[] = []
  let offset = 0
  let count = 0
  for await (const entry of entries) {
    const name = Buffer.from(entry.path, 'utf8')
    const data = typeof entry.content === 'string' ? Buffer.from(entry.content) : entry.content
    if (data.length >= U32_MAX)
      throw new AppError('limit_exceeded', `${entry.path} is larger than a ZIP entry may be`)
    const crc = crc32(data)
    const local = Buffer.alloc(30)
    local.writeUInt32LE(0x04034b50, 0)
    local.writeUInt16LE(20, 4) // version needed
    local.writeUInt16LE(0x0800, 6) // UTF-8 names
    local.writeUInt16LE(0, 8) // stored
    local.writeUInt16LE(DOS_TIME, 10)
    local.writeUInt16LE(DOS_DATE, 12)
    local.writeUInt32LE(crc, 14)
    local.writeUInt32LE(data.length, 18)
    local.writeUInt32LE(data.length, 22)
    local.writeUInt16LE(name.length, 26)
    local.writeUInt16LE(0, 28)
    // the central record: a ZIP64 extra field holds an offset past 4 GiB
    const big = offset >= U32_MAX
    const extra = Buffer.alloc(big ? 12 : 0)
    if (big) {
      extra.writeUInt16LE(0x0001, 0)
      extra.writeUInt16LE(8, 2)
      extra.writeBigUInt64LE(BigInt(offset), 4)
    }
    const record = Buffer.alloc(46)
    record.writeUInt32LE(0x02014b50, 0)
    record.writeUInt16LE(big ? 45 : 20, 4) // version made by
    record.writeUInt16LE(big ? 45 : 20, 6) // version needed
    record.writeUInt16LE(0x0800, 8)
    record.writeUInt16LE(0, 10)
    record.writeUInt16LE(DOS_TIME, 12)
    record.writeUInt16LE(DOS_DATE, 14)
    record.writeUInt32LE(crc, 16)
    record.writeUInt32LE(data.length, 20)
    record.writeUInt32LE(data.length, 24)
    record.writeUInt16LE(name.length, 28)
    record.writeUInt16LE(extra.length, 30)
    record.writeUInt32LE(big ? U32_MAX : offset, 42)
    central.push(record, name, extra)
    yield Buffer.concat([local, name])
    yield Buffer.from(data.buffer, data.byteOffset, data.length)
    offset += local.length + name.length + data.length
    count++
  }
  const directory = Buffer.concat(central)
  const zip64 = count >= 0xffff || offset >= U32_MAX || offset + directory.length >= U32_MAX
  yield directory
  const end: Buffer[] = []
  if (zip64) {
    const record = Buffer.alloc(56)
    record.writeUInt32LE(0x06064b50, 0)
    record.writeBigUInt64LE(44n, 4)
    record.writeUInt16LE(45, 12)
    record.writeUInt16LE(45, 14)
    record.writeBigUInt64LE(BigInt(count), 24)
    record.writeBigUInt64LE(BigInt(count), 32)
    record.writeBigUInt64LE(BigInt(directory.length), 40)
    record.writeBigUInt64LE(BigInt(offset), 48)
    const locator = Buffer.alloc(20)
    locator.writeUInt32LE(0x07064b50, 0)
    locator.writeBigUInt64LE(BigInt(offset + directory.length), 8)
    locator.writeUInt32LE(1, 16)
    end.push(record, locator)
  }
  const eocd = Buffer.alloc(22)
  eocd.writeUInt32LE(0x06054b50, 0)
  eocd.writeUInt16LE(zip64 ? 0xffff : count, 8)
  eocd.writeUInt16LE(zip64 ? 0xffff : count, 10)
  eocd.writeUInt32LE(zip64 ? U32_MAX : directory.length, 12)
  eocd.writeUInt32LE(zip64 ? U32_MAX : offset, 16)
  end.push(eocd)
  yield Buffer.concat(end)
}

/** Whether the bytes start like a ZIP archive. */
export function isZip(head: Uint8Array): boolean {
  return head[0] === 0x50 && head[1] === 0x4b && (head[2] === 0x03 || head[2] === 0x05)
}

function invalid(message: string): AppError {
  return new AppError('format_syntax_invalid', message, { path: ['source'] })
}

interface CentralEntry {
  name: string
  method: number
  compressed: number
  size: number
  localOffset: number
  directory: boolean
  symlink: boolean
}

async function readCentral(path: string): Promise<CentralEntry[]> {
  const file = await open(path, 'r')
  try {
    const { size } = await file.stat()
    const tail = Buffer.alloc(Math.min(size, 65_557))
    await file.read(tail, 0, tail.length, size - tail.length)
    let at = -1
    for (let i = tail.length - 22; i >= 0; i--)
      if (tail.readUInt32LE(i) === 0x06054b50) {
        at = i
        break
      }
    if (at < 0) throw invalid('the archive is not a ZIP file (no end of central directory)')
    let count = tail.readUInt16LE(at + 10)
    let dirSize = tail.readUInt32LE(at + 12)
    let dirOffset = tail.readUInt32LE(at + 16)
    if (at >= 20 && tail.readUInt32LE(at - 20) === 0x07064b50) {
      const recordAt = Number(tail.readBigUInt64LE(at - 20 + 8))
      const record = Buffer.alloc(56)
      await file.read(record, 0, 56, recordAt)
      if (record.readUInt32LE(0) !== 0x06064b50) throw invalid('a damaged ZIP64 end record')
      count = Number(record.readBigUInt64LE(32))
      dirSize = Number(record.readBigUInt64LE(40))
      dirOffset = Number(record.readBigUInt64LE(48))
    }
    if (dirOffset + dirSize > size)
      throw invalid('the ZIP central directory lies past the file end')
    const dir = Buffer.alloc(dirSize)
    await file.read(dir, 0, dirSize, dirOffset)
    const entries: CentralEntry[] = []
    let p = 0
    for (let n = 0; n < count; n++) {
      if (p + 46 > dir.length || dir.readUInt32LE(p) !== 0x02014b50)
        throw invalid(`ZIP central directory entry ${n} is damaged`)
      const method = dir.readUInt16LE(p + 10)
      let compressed = dir.readUInt32LE(p + 20)
      let uncompressed = dir.readUInt32LE(p + 24)
      const nameLength = dir.readUInt16LE(p + 28)
      const extraLength = dir.readUInt16LE(p + 30)
      const commentLength = dir.readUInt16LE(p + 32)
      const attributes = dir.readUInt32LE(p + 38)
      let localOffset = dir.readUInt32LE(p + 42)
      const name = dir.toString('utf8', p + 46, p + 46 + nameLength)
      // ZIP64 extra: the fields that are 0xffffffff above, in this order
      let e = p + 46 + nameLength
      const extraEnd = e + extraLength
      while (e + 4 <= extraEnd) {
        const id = dir.readUInt16LE(e)
        const length = dir.readUInt16LE(e + 2)
        if (id === 0x0001) {
          let q = e + 4
          if (uncompressed === U32_MAX) {
            uncompressed = Number(dir.readBigUInt64LE(q))
            q += 8
          }
          if (compressed === U32_MAX) {
            compressed = Number(dir.readBigUInt64LE(q))
            q += 8
          }
          if (localOffset === U32_MAX) localOffset = Number(dir.readBigUInt64LE(q))
        }
        e += 4 + length
      }
      const mode = attributes >>> 16
      entries.push({
        name,
        method,
        compressed,
        size: uncompressed,
        localOffset,
        directory: name.endsWith('/'),
        symlink: (mode & 0o170000) === 0o120000,
      })
      p = extraEnd + commentLength
    }
    return entries
  } finally {
    await file.close()
  }
}

/** The entry's path below `root`, or null when it would leave it (`..`, absolute, drive letters). */
function safeTarget(root: string, name: string): string | null {
  const clean = name.replace(/\\/g, '/')
  if (clean.startsWith('/') || /^[a-zA-Z]:/.test(clean)) return null
  const parts = clean.split('/').filter((s) => s !== '' && s !== '.')
  if (parts.length === 0 || parts.includes('..')) return null
  const target = resolve(root, ...parts)
  return target.startsWith(resolve(root) + sep) ? target : null
}

/** A byte counter that fails the stream past `limit` bytes. */
function counting(limit: number, name: string): Transform {
  let seen = 0
  return new Transform({
    transform(chunk: Buffer, _enc, done) {
      seen += chunk.length
      if (seen > limit)
        done(new AppError('limit_exceeded', `${name} unpacks to more than its declared size`))
      else done(null, chunk)
    },
  })
}

/**
 * Unpacks `zipPath` into `root` (which exists). Returns the files written (relative paths).
 * Entries that would leave `root`, symbolic links and folders are skipped; a total above
 * `maxBytes` stops with `limit_exceeded`.
 */
export async function extractZip(
  zipPath: string,
  root: string,
  maxBytes: number,
): Promise<string[]> {
  const entries = await readCentral(zipPath)
  const total = entries.reduce((n, e) => n + e.size, 0)
  if (total > maxBytes)
    throw new AppError(
      'limit_exceeded',
      `the archive unpacks to ${total} bytes; at most ${maxBytes} are accepted`,
      { path: ['source'] },
    )
  const written: string[] = []
  const file = await open(zipPath, 'r')
  try {
    for (const entry of entries) {
      if (entry.directory || entry.symlink) continue
      const target = safeTarget(root, entry.name)
      if (target === null) continue
      if (entry.method !== 0 && entry.method !== 8)
        throw invalid(
          `${entry.name} uses ZIP compression method ${entry.method} (only stored and deflate are read)`,
        )
      const header = Buffer.alloc(30)
      await file.read(header, 0, 30, entry.localOffset)
      if (header.readUInt32LE(0) !== 0x04034b50)
        throw invalid(`${entry.name}: damaged local header`)
      const start = entry.localOffset + 30 + header.readUInt16LE(26) + header.readUInt16LE(28)
      await mkdir(dirname(target), { recursive: true })
      const steps: (Readable | Transform | NodeJS.WritableStream)[] = [
        entry.compressed === 0
          ? Readable.from([])
          : createReadStream(zipPath, { start, end: start + entry.compressed - 1 }),
      ]
      if (entry.method === 8) steps.push(createInflateRaw())
      steps.push(counting(entry.size, entry.name), createWriteStream(target))
      await (pipeline as (...s: unknown[]) => Promise<void>)(...steps)
      written.push(
        target
          .slice(resolve(root).length + 1)
          .split(sep)
          .join('/'),
      )
    }
  } finally {
    await file.close()
  }
  return written
}
