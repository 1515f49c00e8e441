/**
 * For working on the web app: starts a real server with the demo loaded and prints the URL and
 * API key. `npx tsx apps/web/e2e/demo-server.ts` (build the app first; Ctrl-C stops it).
 */
import { startServer } from '@labelport/testkit'
import { Client } from '@labelport/sdk'
import { loadDemo } from '@labelport/cli/demo'

const server = await startServer()
const client = new Client(server.apiKey, { endpoint: server.url })
const demo = await loadDemo({ client })
console.log(JSON.stringify({ url: server.url, apiKey: server.apiKey, demo }, null, 2))
const stop = () => void server.stop().then(() => process.exit(0))
process.on('SIGINT', stop)
process.on('SIGTERM', stop)
setInterval(() => undefined, 1 << 30)
