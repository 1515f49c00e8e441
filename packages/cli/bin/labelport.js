#!/usr/bin/env node
// The `labelport` command. After `npm run build` (which `npm start` runs) it runs the compiled
// JavaScript in dist/, with the workspace packages' compiled exports (the `labelport-compiled`
// condition, added by a resolve hook): no TypeScript compiler at run time. Without a build, or
// when a source file changed since it, it runs the TypeScript sources through tsx.
import { existsSync, readdirSync, statSync } from 'node:fs'
import { register } from 'node:module'

const root = new URL('../../../', import.meta.url)
const stamp = new URL('../dist/build-stamp.json', import.meta.url)
const SOURCES = [
  'packages/core/src',
  'packages/evaluation/src',
  'packages/formats/src',
  'packages/db/src',
  'packages/sdk/src',
  'packages/cli/src',
  'apps/server/src',
]

/** True when some source file is newer than `since` (milliseconds). */
function changedSince(since) {
  const walk = (dir) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = `${dir}/${entry.name}`
      if (entry.isDirectory()) {
        if (walk(path)) return true
      } else if (statSync(path).mtimeMs > since) return true
    }
    return false
  }
  return SOURCES.some((dir) => existsSync(new URL(dir, root)) && walk(new URL(dir, root).pathname))
}

const compiled =
  process.env.LABELPORT_RUN_SOURCES !== '1' &&
  existsSync(stamp) &&
  !changedSince(statSync(stamp).mtimeMs)

if (compiled) {
  register(new URL('./compiled-hooks.js', import.meta.url))
  await import('../dist/main.js')
} else {
  const { register: registerTsx } = await import('tsx/esm/api')
  registerTsx()
  await import('../src/main.ts')
}
