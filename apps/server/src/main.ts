/**
 * `labelport serve`: reads flags and LABELPORT_* variables, starts the server, and prints one line
 * `Labelport listening on http://host:port` once it answers.
 */
import { readConfig } from './config.ts'
import { startServer } from './compose.ts'

import { StartupError } from './startup-error.ts'

const config = readConfig(process.argv.slice(2), process.env)
const running = await startServer(config).catch((err: unknown) => {
  const code = (err as { code?: string }).code
  const name = (err as Error).name
  if (err instanceof StartupError) console.error(`labelport: ${err.message}`)
  else if (name === 'DatabaseLockedError' || name === 'SharedStorageError')
    // a configuration refused at start (a second server on one SQLite folder, unshared blobs): one clear line
    console.error(`labelport: cannot start: ${(err as Error).message}`)
  else if (code === 'EADDRINUSE')
    console.error(
      `labelport: port ${config.port} on ${config.host} is in use; choose another with --port N (or LABELPORT_PORT)`,
    )
  else throw err
  process.exit(1)
})
console.log(
  `Labelport listening on ${running.url} (data in ${config.dataDir}, database ${config.databaseUrl ? 'PostgreSQL' : 'SQLite'})`,
)
let stopping = false
const shutdown = () => {
  if (stopping) return
  stopping = true
  running.stop().then(
    () => process.exit(0),
    (err: unknown) => {
      console.error('shutdown failed', err)
      process.exit(1)
    },
  )
}
process.once('SIGINT', shutdown)
process.once('SIGTERM', shutdown)
// started by `labelport serve`: the IPC channel closes when that process ends, even by kill -9,
// and the server stops with it instead of running on as an orphan
if (process.send) process.once('disconnect', shutdown)
