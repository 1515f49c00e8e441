/**
 * `npm run bench:hostile`: what the text and nesting rule (storable-json.ts) costs per import line.
 * Times JSON.parse alone, with the rule as the judge applies it, and with the walk on every line, over typical lines (boxes, 200-point
 * polygons, nested answers, a mask line with 20,000 RLE counts) and prints lines per second.
 */
import { MAX_LINE_DEPTH, findJsonProblem, jsonTextMayHaveProblem } from '@labelport/core'

const row = { globalKey: 'image-000123.jpg' }
const kinds: Record<string, unknown> = {
  bbox: {
    uuid: crypto.randomUUID(),
    name: 'box',
    dataRow: row,
    bbox: { top: 1, left: 2, height: 3, width: 4 },
  },
  polygon: {
    uuid: crypto.randomUUID(),
    name: 'polygon',
    dataRow: row,
    polygon: Array.from({ length: 200 }, (_, i) => ({ x: i, y: i * 2 })),
  },
  answers: {
    name: 'checklist',
    dataRow: row,
    answer: [
      { name: 'a', classifications: [{ name: 'sub', answer: { name: 'b' } }] },
      { name: 'c' },
    ],
  },
  maskRle: {
    name: 'mask',
    dataRow: row,
    mask: { rle: { size: [2000, 2000], counts: Array.from({ length: 20_000 }, (_, i) => i % 97) } },
  },
}

function measure(label: string, text: string, count: number): void {
  // best of 5 rounds (the machine is shared), after one round of warm-up
  const time = (fn: () => void): number => {
    let best = Number.POSITIVE_INFINITY
    for (let round = 0; round < 6; round++) {
      const start = process.hrtime.bigint()
      for (let i = 0; i < count; i++) fn()
      const seconds = Number(process.hrtime.bigint() - start) / 1e9
      if (round > 0) best = Math.min(best, seconds)
    }
    return best
  }
  const parseOnly = time(() => void JSON.parse(text))
  // as ImportJudge.parse does it: the cheap look at the text, the walk only for suspect lines
  const withRule = time(() => {
    const value: unknown = JSON.parse(text)
    if (jsonTextMayHaveProblem(text, MAX_LINE_DEPTH))
      findJsonProblem(value, { maxDepth: MAX_LINE_DEPTH })
  })
  const walkAlways = time(() => findJsonProblem(JSON.parse(text), { maxDepth: MAX_LINE_DEPTH }))
  const perSecond = (s: number) => Math.round(count / s).toLocaleString('en-US')
  console.log(
    `${label.padEnd(8)} ${String(text.length).padStart(7)} B  parse ${perSecond(parseOnly).padStart(9)} lines/s  ` +
      `parse+rule ${perSecond(withRule).padStart(9)} lines/s (+${Math.round((withRule / parseOnly - 1) * 100)} %)  ` +
      `parse+walk ${perSecond(walkAlways).padStart(9)} lines/s (+${Math.round((walkAlways / parseOnly - 1) * 100)} %)`,
  )
}

for (const [label, line] of Object.entries(kinds)) {
  const text = JSON.stringify(line)
  measure(label, text, label === 'maskRle' ? 100 : label === 'polygon' ? 5_000 : 30_000)
}
