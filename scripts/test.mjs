#!/usr/bin/env node
// The whole test suite, as the README's test command and .ci/run run it:
// prepares the machine's services (PostgreSQL, Chromium, moto S3), then typecheck, format, lint,
// the import-cycle check and every test.
// `npm test -- <file.test.ts>...` runs only those files (services are still prepared).
import { spawn, spawnSync } from 'node:child_process'
import { readdirSync, statSync, existsSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, relative } from 'node:path'
import { ensureServices } from './services.mjs'

const root = new URL('..', import.meta.url).pathname
process.chdir(root)

const only = process.argv.slice(2).filter((a) => !a.startsWith('-'))
const skipStatic = process.argv.includes('--no-static') || only.length > 0

function findTests(dir, out = []) {
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name.startsWith('.') || name === 'dist') continue
    const path = join(dir, name)
    if (statSync(path).isDirectory()) findTests(path, out)
    else if (name.endsWith('.test.ts')) out.push(relative(root, path))
  }
  return out
}

function run(cmd, args, env = process.env) {
  const result = spawnSync(cmd, args, { stdio: 'inherit', env })
  return result.status ?? 1
}

const tapFile = join(tmpdir(), `labelport-tap-${process.pid}.txt`)
let summary = ''
const services = await ensureServices()
let failures = 0
try {
  if (!skipStatic) {
    console.log('\n== typecheck')
    if (run('node', ['scripts/typecheck.mjs']) !== 0) failures++
    console.log('\n== format')
    if (run('npx', ['prettier', '--check', '--log-level', 'warn', '.']) !== 0) failures++
    console.log('\n== lint')
    if (run('npx', ['eslint', '.']) !== 0) failures++
    console.log('\n== import cycles (files and workspace packages)')
    if (run('node', ['scripts/check-cycles.mjs']) !== 0) failures++
    console.log('\n== web build (served by the server in browser tests)')
    if (run('npm', ['run', 'build', '--workspace', '@labelport/web', '--silent']) !== 0) failures++
  }
  const files =
    only.length > 0
      ? only
      : ['packages', 'apps', 'examples', 'scripts', 'bench']
          .filter(existsSync)
          .flatMap((d) => findTests(d))
  console.log(`\n== tests (${files.length} files)`)
  const env = { ...process.env, ...services.env }
  const code = await new Promise((resolve) => {
    const reporters = [
      '--test-reporter=spec',
      '--test-reporter-destination=stdout',
      '--test-reporter=tap',
      `--test-reporter-destination=${tapFile}`,
    ]
    const child = spawn('node', ['--import', 'tsx', '--test', ...reporters, ...files], {
      stdio: 'inherit',
      env,
    })
    child.on('exit', (c) => resolve(c ?? 1))
  })
  if (code !== 0) failures++
  const tap = existsSync(tapFile) ? readFileSync(tapFile, 'utf8') : ''
  const count = (key) => Number(new RegExp(`^# ${key} (\\d+)$`, 'm').exec(tap)?.[1] ?? 0)
  summary = `${count('pass')} passed, ${count('fail')} failed, ${count('skipped')} skipped`
} finally {
  await services.stop()
}
console.log(failures === 0 ? '\nall checks passed' : `\n${failures} step(s) failed`)
if (summary) console.log(summary)
process.exit(failures === 0 ? 0 : 1)
