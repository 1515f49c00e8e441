/**
 * Writes the benchmark input: N mixed annotations (bbox, polygon, point, line, radio, checklist,
 * nested) over R data rows, as NDJSON, plus the ontology they use. Deterministic for a given seed.
 */
import { createWriteStream } from 'node:fs'
import { mkdir } from 'node:fs/promises'
import { dirname } from 'node:path'
import type { NormalizedOntology } from '@labelport/core'

export const IMAGE_SIZE = { width: 1920, height: 1080 }

export function benchOntology(): NormalizedOntology {
  const option = (value: string, options: NormalizedOntology['classifications'] = []) => ({
    schemaNodeId: null,
    featureSchemaId: null,
    label: value,
    value,
    options,
  })
  const question = (
    type: 'radio' | 'checklist' | 'text',
    name: string,
    options: ReturnType<typeof option>[] = [],
  ) => ({
    type,
    name,
    instructions: name,
    required: false,
    options,
    schemaNodeId: null,
    featureSchemaId: null,
  })
  const tool = (
    kind: 'rectangle' | 'polygon' | 'point' | 'line',
    name: string,
    classifications: NormalizedOntology['classifications'] = [],
  ) => ({
    tool: kind,
    name,
    required: false,
    color: '',
    classifications,
    schemaNodeId: null,
    featureSchemaId: null,
  })
  return {
    tools: [
      tool('rectangle', 'car', [question('radio', 'occluded', [option('yes'), option('no')])]),
      tool('polygon', 'road'),
      tool('point', 'keypoint'),
      tool('line', 'lane'),
    ],
    classifications: [
      {
        ...question('radio', 'weather', [
          option('sunny', [
            question('checklist', 'sun_details', [option('glare'), option('shadows')]),
          ]),
          option('rainy'),
        ]),
        scope: 'global',
      },
      {
        ...question('checklist', 'tags', [option('night'), option('urban'), option('highway')]),
        scope: 'global',
      },
    ],
  }
}

/** A small deterministic generator (mulberry32), so runs compare like with like. */
function random(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

export function globalKeyOf(row: number): string {
  return `bench-row-${row}`
}

/**
 * `grouped`: each image's annotations are consecutive, as exporters and Labelbox's serializer
 * write them (label by label); `interleaved`: line i goes to image i mod R, the worst case for
 * the database, since every chunk then touches every image.
 */
export type LineOrder = 'grouped' | 'interleaved'

export async function generateBenchInput(
  path: string,
  annotations: number,
  dataRows: number,
  order: LineOrder = 'grouped',
  seed = 42,
): Promise<void> {
  const perRow = Math.ceil(annotations / dataRows)
  await mkdir(dirname(path), { recursive: true })
  const out = createWriteStream(path)
  const rand = random(seed)
  const coord = (max: number) => Math.round(rand() * max * 10) / 10
  const uuid = () => {
    const hex = (n: number) =>
      Math.floor(rand() * 16 ** n)
        .toString(16)
        .padStart(n, '0')
    return `${hex(8)}-${hex(4)}-4${hex(3)}-a${hex(3)}-${hex(6)}${hex(6)}`
  }
  let buffer = ''
  for (let i = 0; i < annotations; i++) {
    const dataRow = {
      globalKey: globalKeyOf(order === 'grouped' ? Math.floor(i / perRow) : i % dataRows),
    }
    let line: Record<string, unknown>
    switch (i % 7) {
      case 0: {
        const left = coord(1800)
        const top = coord(1000)
        line = {
          name: 'car',
          bbox: { top, left, height: 1 + coord(70), width: 1 + coord(110) },
          classifications: [{ name: 'occluded', answer: { name: rand() < 0.5 ? 'yes' : 'no' } }],
        }
        break
      }
      case 1: {
        const points = []
        for (let p = 0; p < 6; p++) points.push({ x: coord(1919), y: coord(1079) })
        line = { name: 'road', polygon: points }
        break
      }
      case 2:
        line = { name: 'keypoint', point: { x: coord(1919), y: coord(1079) } }
        break
      case 3:
        line = {
          name: 'lane',
          line: [
            { x: coord(1919), y: coord(1079) },
            { x: coord(1919), y: coord(1079) },
            { x: coord(1919), y: coord(1079) },
          ],
        }
        break
      case 4:
        line = { name: 'weather', answer: { name: 'rainy' } }
        break
      case 5:
        line = { name: 'tags', answer: [{ name: 'night' }, { name: 'urban' }] }
        break
      default:
        line = {
          name: 'weather',
          answer: {
            name: 'sunny',
            classifications: [{ name: 'sun_details', answer: [{ name: 'glare' }] }],
          },
        }
    }
    buffer += `${JSON.stringify({ uuid: uuid(), dataRow, ...line })}\n`
    if (buffer.length > 1 << 20) {
      if (!out.write(buffer)) await new Promise<void>((r) => out.once('drain', () => r()))
      buffer = ''
    }
  }
  out.end(buffer)
  await new Promise<void>((r) => out.once('finish', () => r()))
}
