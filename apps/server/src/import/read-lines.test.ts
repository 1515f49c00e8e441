import assert from 'node:assert/strict'
import { it } from 'node:test'
import { readLines, type InputLine } from './read-lines.ts'

async function collect(chunks: string[], max: number): Promise<InputLine[]> {
  async function* source() {
    for (const c of chunks) yield Buffer.from(c)
  }
  const out: InputLine[] = []
  for await (const line of readLines(source(), max)) out.push(line)
  return out
}

it('splits on \\n and \\r\\n across chunk boundaries, keeping multi-byte characters whole', async () => {
  const euro = Buffer.from('€')
  const lines = await collect(
    ['{"a":1}\r', '\n{"b":"', euro.subarray(0, 1).toString('latin1'), 'x"}\nlast'],
    100,
  )
  assert.deepEqual(
    lines.map((l) => (l.kind === 'line' ? l.text : 'TOO LONG')),
    ['{"a":1}', '{"b":"\u00e2x"}', 'last'],
  )
  const split = await (async () => {
    async function* source() {
      yield Buffer.concat([Buffer.from('"'), euro.subarray(0, 2)])
      yield Buffer.concat([euro.subarray(2), Buffer.from('"\n')])
    }
    const out: InputLine[] = []
    for await (const l of readLines(source(), 100)) out.push(l)
    return out
  })()
  assert.deepEqual(
    split.map((l) => (l.kind === 'line' ? l.text : '')),
    ['"€"'],
  )
})

it('reports a line over the limit by its size without keeping it, and goes on', async () => {
  const long = 'x'.repeat(50)
  const lines = await collect(['ok\n', long.slice(0, 20), long.slice(20), '\nafter\n'], 10)
  assert.deepEqual(
    lines.map((l) => [l.number, l.kind, l.bytes]),
    [
      [1, 'line', 3],
      [2, 'too_long', 50],
      [3, 'line', 6],
    ],
  )
})

it('counts the bytes of every line, newline included, to report progress', async () => {
  const text = 'a\nbb\n\nccc'
  const lines = await collect([text], 100)
  assert.equal(
    lines.reduce((n, l) => n + l.bytes, 0),
    Buffer.byteLength(text) + 1,
  )
})
