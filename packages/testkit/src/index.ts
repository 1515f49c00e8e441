/** @module @labelport/testkit: test-only helpers (services, fixtures, a real server process). */
export * from './services.ts'
export * from './shared.ts'
export * from './server.ts'
