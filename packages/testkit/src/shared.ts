/**
 * The one way tests, examples and benchmarks find the shared reference material (`../shared`
 * beside the checkout: fixtures, reference clients). Found upward from this file, so a checkout
 * one level deeper (a git worktree) finds it too; LABELPORT_SHARED_DIR (or, for the fixtures
 * alone, LABELPORT_SHARED_FIXTURES) points elsewhere. Tests read it, never write.
 */
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'

function findSharedDir(): string {
  const fromEnv = process.env['LABELPORT_SHARED_DIR']
  if (fromEnv !== undefined && fromEnv !== '') return fromEnv.replace(/\/?$/, '/')
  // from packages/testkit/src: the checkout is three levels up, ../shared beside it
  let dir = new URL('../../../../', import.meta.url)
  for (let depth = 0; depth < 4; depth++) {
    if (existsSync(new URL('shared/fixtures/', dir))) return fileURLToPath(new URL('shared/', dir))
    dir = new URL('../', dir)
  }
  // not found: the default place, so a missing file names where it was looked for
  return fileURLToPath(new URL('../../../../shared/', import.meta.url))
}

/** `../shared` beside the checkout, with a trailing slash. */
export const SHARED_DIR = findSharedDir()

/** `../shared/fixtures/`, with a trailing slash. */
export const SHARED_FIXTURES =
  process.env['LABELPORT_SHARED_FIXTURES']?.replace(/\/?$/, '/') ?? join(SHARED_DIR, 'fixtures/')

/** The path of a file or folder under the shared fixtures (`sharedFixture('labelbox/derived/x.json')`). */
export function sharedFixture(path: string): string {
  return join(SHARED_FIXTURES, path)
}

/** The same as a file URL (folders keep their trailing slash, so `new URL(name, folder)` works). */
export function sharedFixtureUrl(path: string): URL {
  return pathToFileURL(sharedFixture(path) + (path.endsWith('/') ? '/' : ''))
}
