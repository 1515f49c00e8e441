/**
 * `labelport serve`: reads flags and LABELPORT_* variables, starts the server, and prints one line
 * `Labelport listening on http://host:port` once it answers.
 */
import { readConfig } from './config.ts'
import { startServer } from './compose.ts'

const config = readConfig(process.argv.slice(2), process.env)
const running = await startServer(config).catch((err: unknown) => {
  // a configuration refused at start (a second server on one SQLite folder, unshared blobs): one clear line
  const name = (err as Error).name
  if (name === 'DatabaseLockedError' || name === 'SharedStorageError') {
    console.error(`Labelport cannot start: ${(err as Error).message}`)
    process.exit(1)
  }
  throw err
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
