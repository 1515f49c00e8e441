#!/usr/bin/env node
// The README's run command: builds the web app and compiles the server and CLI to JavaScript
// (scripts/build.mjs), then serves API + web app on the embedded default (SQLite + files in
// ./.labelport) as compiled JavaScript. Extra arguments go to the server: npm start -- --port 8080
import { spawn, spawnSync } from 'node:child_process'

const root = new URL('..', import.meta.url).pathname
process.chdir(root)

const build = spawnSync(process.execPath, ['scripts/build.mjs'], { stdio: 'inherit' })
if (build.status !== 0)
  console.warn('The build did not finish; the server still starts (from the TypeScript sources).')

const args = process.argv.slice(2)
if (!args.includes('--port')) args.push('--port', process.env.LABELPORT_PORT ?? '7440')
if (!args.includes('--data-dir'))
  args.push('--data-dir', process.env.LABELPORT_DATA_DIR ?? '.labelport')
// `labelport serve` starts the server with its node flags (compiled JavaScript after the build)
const server = spawn(process.execPath, ['packages/cli/bin/labelport.js', 'serve', ...args], {
  stdio: 'inherit',
})
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => server.kill(signal))
server.on('exit', (code) => process.exit(code ?? 1))
