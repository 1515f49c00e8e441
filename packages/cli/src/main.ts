/** @module @labelport/cli: entry point of the `labelport` command (bin/labelport.js runs it through tsx). */
import { run } from './program.ts'

process.exitCode = await run(process.argv.slice(2))
