/**
 * What the SDK may learn about where it runs, without Node types: it runs in browsers too.
 * Node-only helpers (files, streams) live in ./node/ and are loaded on demand, never at start-up.
 */
import { LabelportError } from './errors.ts'
import type { NodeHelpers } from './node-helpers.ts'
import type { IssuePath } from '@labelport/core'

interface ProcessLike {
  env?: Record<string, string | undefined>
  versions?: { node?: string }
}

function processLike(): ProcessLike | undefined {
  return (globalThis as { process?: ProcessLike }).process
}

/** An environment variable when `process` exists (Node, Deno, Bun); undefined in browsers. */
export function readEnv(name: string): string | undefined {
  const value = processLike()?.env?.[name]
  return value === undefined || value === '' ? undefined : value
}

export function isNode(): boolean {
  return typeof processLike()?.versions?.node === 'string'
}

// A variable specifier keeps bundlers and the browser type-check from following it into node:*;
// compiled to JavaScript (dist/), this module is a .js file and so is its neighbour.
const NODE_HELPERS_MODULE = import.meta.url.endsWith('.ts') ? './node/files.ts' : './node/files.js'
let helpers: Promise<NodeHelpers> | undefined

/** The Node helpers; a coded error in other runtimes. */
export function loadNodeHelpers(what: string, path: IssuePath = []): Promise<NodeHelpers> {
  if (!isNode()) {
    return Promise.reject(
      new LabelportError(
        'validation_failed',
        `${what} needs Node.js: local files are not readable in this runtime`,
        { path },
      ),
    )
  }
  helpers ??= import(/* @vite-ignore */ NODE_HELPERS_MODULE) as Promise<NodeHelpers>
  return helpers
}
