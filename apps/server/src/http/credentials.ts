/** What a request presents to authentication: its key or session cookie, address and origin (REST and GraphQL alike). */
import type { Context } from 'hono'
import { getCookie } from 'hono/cookie'
import type { RequestCredentials } from '../services/auth-service.ts'
import type { AppEnv } from './route.ts'

export const SESSION_COOKIE = 'lp_session'

/** The client's address, for throttling failed authentications ('local' for in-process requests). */
export function clientAddress(c: Context<AppEnv>): string {
  const env = c.env as { incoming?: { socket?: { remoteAddress?: string } } } | undefined
  return env?.incoming?.socket?.remoteAddress ?? 'local'
}

export function requestCredentials(c: Context<AppEnv>): RequestCredentials {
  return {
    authorization: c.req.header('authorization'),
    sessionToken: getCookie(c, SESSION_COOKIE),
    address: clientAddress(c),
    method: c.req.method,
    csrfHeader: c.req.header('x-labelport-csrf'),
    origin: c.req.header('origin'),
    requestOrigin: new URL(c.req.url).origin,
  }
}
