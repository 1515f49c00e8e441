/**
 * `npm run demo`: loads the demo (generated images, the guide's ontology, a project, MAL and
 * ground-truth imports of every annotation kind) into the server at LABELPORT_ENDPOINT.
 * Same as `labelport demo`.
 */
import { Client } from '@labelport/sdk'
import { loadDemo } from '@labelport/cli/demo'

const result = await loadDemo({ client: new Client(), log: (text) => console.error(text) })
console.log(`Demo project ready: ${result.projectUrl}`)
