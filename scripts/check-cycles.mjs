#!/usr/bin/env node
// Fails when source files import each other in a cycle (type-only imports count: a cycle of types
// is still two files that cannot be understood apart), or when workspace packages depend on each
// other in a cycle. Reads imports with TypeScript's own pre-processor, so no file is executed.
import { readFileSync, readdirSync, statSync, existsSync } from 'node:fs'
import { dirname, join, relative, resolve } from 'node:path'
import ts from 'typescript'

const root = resolve(new URL('..', import.meta.url).pathname)
const SOURCE = /\.(ts|tsx|mts)$/

function listSources(dir, out = []) {
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name === 'dist' || name.startsWith('.')) continue
    const path = join(dir, name)
    if (statSync(path).isDirectory()) listSources(path, out)
    else if (SOURCE.test(name) && !name.endsWith('.d.ts')) out.push(path)
  }
  return out
}

/** Resolves a relative specifier the way our sources write them (with their extension, or a folder index). */
function resolveRelative(from, specifier) {
  const base = resolve(dirname(from), specifier)
  const candidates = [
    base,
    `${base}.ts`,
    `${base}.tsx`,
    join(base, 'index.ts'),
    join(base, 'index.tsx'),
  ]
  return candidates.find((c) => existsSync(c) && statSync(c).isFile())
}

/** Strongly connected components with more than one node, or a node importing itself (Tarjan). */
export function findCycles(graph) {
  let counter = 0
  const index = new Map()
  const low = new Map()
  const stack = []
  const onStack = new Set()
  const cycles = []
  function visit(node) {
    index.set(node, counter)
    low.set(node, counter)
    counter++
    stack.push(node)
    onStack.add(node)
    for (const next of graph.get(node) ?? []) {
      if (!index.has(next)) {
        visit(next)
        low.set(node, Math.min(low.get(node), low.get(next)))
      } else if (onStack.has(next)) low.set(node, Math.min(low.get(node), index.get(next)))
    }
    if (low.get(node) === index.get(node)) {
      const component = []
      let member
      do {
        member = stack.pop()
        onStack.delete(member)
        component.push(member)
      } while (member !== node)
      if (component.length > 1 || graph.get(node)?.has(node)) cycles.push(component.sort())
    }
  }
  for (const node of graph.keys()) if (!index.has(node)) visit(node)
  return cycles
}

function fileGraph() {
  const graph = new Map()
  const dirs = ['packages', 'apps', 'scripts', 'bench', 'examples'].map((d) => join(root, d))
  for (const file of dirs.filter(existsSync).flatMap((d) => listSources(d))) {
    const info = ts.preProcessFile(readFileSync(file, 'utf8'), true, true)
    const edges = new Set()
    for (const { fileName } of info.importedFiles) {
      if (!fileName.startsWith('.')) continue
      const target = resolveRelative(file, fileName)
      if (target) edges.add(relative(root, target))
    }
    graph.set(relative(root, file), edges)
  }
  return graph
}

function packageGraph() {
  const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'))
  const graph = new Map()
  for (const workspace of manifest.workspaces) {
    const pkg = JSON.parse(readFileSync(join(root, workspace, 'package.json'), 'utf8'))
    const deps = { ...pkg.dependencies, ...pkg.devDependencies, ...pkg.peerDependencies }
    graph.set(pkg.name, new Set(Object.keys(deps).filter((d) => d.startsWith('@labelport/'))))
  }
  return graph
}

if (process.argv[1] === new URL(import.meta.url).pathname) {
  const cycles = [
    ...findCycles(packageGraph()).map((c) => `packages: ${c.join(' ↔ ')}`),
    ...findCycles(fileGraph()).map((c) => `files: ${c.join(' ↔ ')}`),
  ]
  for (const cycle of cycles) console.error(`import cycle: ${cycle}`)
  if (cycles.length > 0) process.exit(1)
  console.log('no import cycles')
}
