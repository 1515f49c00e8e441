import { strict as assert } from 'node:assert'
import { describe, it } from 'node:test'
// @ts-expect-error: a plain .mjs script without type declarations
import { findCycles } from './check-cycles.mjs'

const graph = (edges: Record<string, string[]>) =>
  new Map(Object.entries(edges).map(([node, targets]) => [node, new Set(targets)]))

describe('findCycles', () => {
  it('finds a cycle through several nodes and a node importing itself', () => {
    const cycles = (findCycles as (g: Map<string, Set<string>>) => string[][])(
      graph({ a: ['b'], b: ['c'], c: ['a', 'd'], d: [], e: ['e'] }),
    )
    assert.deepEqual(cycles, [['a', 'b', 'c'], ['e']])
  })

  it('finds nothing in a graph that only points one way', () => {
    const cycles = (findCycles as (g: Map<string, Set<string>>) => string[][])(
      graph({ app: ['sdk', 'core'], sdk: ['core'], core: [] }),
    )
    assert.deepEqual(cycles, [])
  })
})
