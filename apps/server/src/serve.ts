/**
 * How the server is started, owned by the server: its node flags, its command line, and
 * `labelport serve`, which runs it as a child process, forwarding SIGINT/SIGTERM and answering
 * with the server's exit code. The child watches this process through an IPC channel and stops
 * when it ends, so killing the wrapper leaves no orphan. The CLI and the testkit load this module
 * by name at run time (`import.meta.resolve('@labelport/server/serve')`): no package depends on
 * the server.
 */
import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'

/**
 * Whether this module is the compiled JavaScript (`dist/`, built by `npm run build`): the server
 * then runs compiled too, loading every workspace package's `dist/` (the `labelport-compiled`
 * export condition) with no TypeScript compiler at run time. From the sources, through tsx.
 */
export const COMPILED = import.meta.url.endsWith('.js')

/** The export condition that makes workspace packages resolve to their compiled `dist/`. */
export const COMPILED_CONDITION = 'labelport-compiled'

/** The server's entry point, beside this file. */
export const SERVER_MAIN = fileURLToPath(
  new URL(COMPILED ? './main.js' : './main.ts', import.meta.url),
)

export interface ServeOptions {
  port: number
  dataDir: string
  /** the address to listen on (the server's default is 127.0.0.1) */
  host?: string
  /** extra environment for the server (LABELPORT_DATABASE_URL, LABELPORT_BOOTSTRAP_API_KEY…) */
  env?: NodeJS.ProcessEnv
}

/**
 * Node flags of the server process. A 64 MB young generation keeps the import's short-lived
 * objects out of the old generation: validating 1,000,000 lines then takes a steady ~4.1 s
 * instead of 4.1–6 s (docs/benchmarks.md).
 */
export const SERVER_NODE_FLAGS = ['--max-semi-space-size=64']

export function serveArgs(options: ServeOptions): string[] {
  return [
    ...SERVER_NODE_FLAGS,
    // compiled: plain node; else tsx resolved from the server's own dependencies, so `serve`
    // works from any working directory
    ...(COMPILED
      ? [`--conditions=${COMPILED_CONDITION}`]
      : ['--import', import.meta.resolve('tsx')]),
    SERVER_MAIN,
    '--port',
    String(options.port),
    '--data-dir',
    options.dataDir,
    ...(options.host === undefined ? [] : ['--host', options.host]),
  ]
}

/** Resolves with the exit code to use: the server's, or 128 + signal number when it was killed. */
export function serve(options: ServeOptions): Promise<number> {
  // the IPC channel is how the server sees this process end (even by kill -9): it then stops too
  const child = spawn(process.execPath, serveArgs(options), {
    stdio: ['inherit', 'inherit', 'inherit', 'ipc'],
    env: { ...process.env, ...options.env },
  })
  const forward = (signal: NodeJS.Signals) => () => {
    child.kill(signal)
  }
  const onInt = forward('SIGINT')
  const onTerm = forward('SIGTERM')
  process.on('SIGINT', onInt)
  process.on('SIGTERM', onTerm)
  return new Promise((resolve, reject) => {
    child.once('error', (err) => {
      process.off('SIGINT', onInt)
      process.off('SIGTERM', onTerm)
      reject(err)
    })
    child.once('exit', (code, signal) => {
      process.off('SIGINT', onInt)
      process.off('SIGTERM', onTerm)
      resolve(code ?? (signal === 'SIGINT' ? 130 : signal === 'SIGTERM' ? 143 : 1))
    })
  })
}
