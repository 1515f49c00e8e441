#!/usr/bin/env node
// Builds what `labelport serve` runs: the web app (Vite, apps/web/dist) and the server, the CLI and
// the packages they load compiled to JavaScript (one tsc program, tsconfig.build.json), each
// package's output moved to its own dist/. Node loads those with --conditions=labelport-compiled
// (the packages' exports); tests and tsx keep loading the TypeScript sources.
// `npm run build` (also run by `npm start`); `--no-web` skips the web app.
import { spawnSync } from 'node:child_process'
import { existsSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'

const root = new URL('..', import.meta.url).pathname
process.chdir(root)

/** The workspaces compiled, as in tsconfig.build.json's include. */
export const COMPILED_WORKSPACES = [
  'packages/core',
  'packages/evaluation',
  'packages/formats',
  'packages/db',
  'packages/sdk',
  'packages/cli',
  'apps/server',
]

let failed = false
if (!process.argv.includes('--no-web')) {
  const web = spawnSync('npm', ['run', 'build', '--workspace', '@labelport/web', '--silent'], {
    stdio: 'inherit',
  })
  if (web.status !== 0) {
    console.warn('The web app did not build; the API still starts.')
    failed = true
  }
}

rmSync('.build', { recursive: true, force: true })
const tsc = spawnSync('npx', ['tsc', '-p', 'tsconfig.build.json'], { stdio: 'inherit' })
if (tsc.status !== 0) {
  console.error('The server and CLI did not compile (tsc -p tsconfig.build.json).')
  process.exit(1)
}
for (const workspace of COMPILED_WORKSPACES) {
  const out = join(workspace, 'dist')
  // a temporary name first, so a dist/ is never half old, half new
  rmSync(`${out}.new`, { recursive: true, force: true })
  renameSync(join('.build', workspace, 'src'), `${out}.new`)
  rmSync(out, { recursive: true, force: true })
  renameSync(`${out}.new`, out)
}
rmSync('.build', { recursive: true, force: true })
// written last: the CLI's bin runs dist/ only when this stamp is newer than every source file
writeFileSync(
  join('packages/cli/dist', 'build-stamp.json'),
  `${JSON.stringify({ builtAt: new Date().toISOString() })}\n`,
)
if (!existsSync('packages/cli/dist/main.js')) process.exit(1)
process.exit(failed ? 1 : 0)
