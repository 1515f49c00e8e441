// Test-only: where the shared fixtures are (`../shared` beside the repo; a worktree sits one level deeper).
import { existsSync } from 'node:fs'

export function findSharedFixtures(sub: string): URL {
  let dir = new URL('./', import.meta.url)
  for (let depth = 0; depth < 8; depth++) {
    const candidate = new URL(`shared/fixtures/${sub}`, dir)
    if (existsSync(candidate)) return candidate
    dir = new URL('../', dir)
  }
  throw new Error(`shared fixtures ${sub} not found above ${import.meta.url}`)
}
