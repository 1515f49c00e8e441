// Type-checks every package with its own compiler settings (core sees no Node or DOM types).
import { spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'

const projects = [
  'packages/core/tsconfig.json',
  'packages/core/tsconfig.pure.json', // core sees no Node or DOM types
  'packages/evaluation/tsconfig.json',
  'packages/evaluation/tsconfig.pure.json', // the evaluator runs in browsers and workers too
  'packages/db/tsconfig.json',
  'packages/formats/tsconfig.json',
  'packages/sdk/tsconfig.json',
  'packages/sdk/tsconfig.browser.json', // the SDK outside src/node runs in browsers
  'packages/cli/tsconfig.json',
  'packages/viewer/tsconfig.json',
  'packages/viewer/tsconfig.browser.json', // the viewer outside its tests sees no Node types
  'packages/testkit/tsconfig.json',
  'apps/server/tsconfig.json',
  'apps/web/tsconfig.json',
  'apps/web/e2e/tsconfig.json',
  'tsconfig.json',
].filter((p) => existsSync(p))

let failed = 0
for (const project of projects) {
  const run = spawnSync('npx', ['tsc', '-p', project], { stdio: 'inherit' })
  if (run.status !== 0) failed++
  console.log(`${run.status === 0 ? 'ok  ' : 'FAIL'} tsc -p ${project}`)
}
process.exit(failed === 0 ? 0 : 1)
