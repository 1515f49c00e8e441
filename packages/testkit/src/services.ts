/**
 * What a test needs from the machine. `npm test` (scripts/services.mjs) prepares the services and
 * passes their addresses in the environment. A missing one skips the test with a visible reason,
 * except under CI=true, where nothing may skip.
 */
const CI = process.env['CI'] === 'true'

export interface ServiceNeed {
  /** pass to node:test's `skip` option: false when the service is there */
  skip: string | false
  value: string
}

function need(envVar: string, what: string): ServiceNeed {
  const value = process.env[envVar]
  if (value) return { skip: false, value }
  if (CI)
    throw new Error(
      `${what} is required under CI (${envVar} is not set; run the suite with npm test)`,
    )
  return { skip: `${what} not available (${envVar} unset; npm test prepares it)`, value: '' }
}

export const postgres = (): ServiceNeed => need('LABELPORT_TEST_DATABASE_URL', 'PostgreSQL')
export const chromium = (): ServiceNeed => need('LABELPORT_TEST_CHROMIUM', 'Debian chromium')
export const s3 = (): ServiceNeed => need('LABELPORT_TEST_S3_ENDPOINT', 'an S3 server (moto)')

// the shared fixtures: ./shared.ts (SHARED_FIXTURES, sharedFixture)
