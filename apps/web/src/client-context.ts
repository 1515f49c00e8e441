/** The signed-in API client and the caller (user, role), for every page below the shell. */
import { createContext, useContext } from 'react'
import type { WhoAmI } from '@labelport/core'
import type { ApiClient } from './api-client.ts'

export const ClientContext = createContext<ApiClient | null>(null)
export const MeContext = createContext<WhoAmI | null>(null)

export function useClient(): ApiClient {
  const client = useContext(ClientContext)
  if (!client) throw new Error('useClient outside of a signed-in page')
  return client
}

/** The caller, once known; null while /v1/me loads. */
export function useMe(): WhoAmI | null {
  return useContext(MeContext)
}

/** Admin controls show only to admins (the server refuses the calls to others anyway). */
export function useIsAdmin(): boolean {
  return useContext(MeContext)?.role === 'admin'
}
