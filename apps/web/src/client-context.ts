/** The signed-in API client, for every page below the shell. */
import { createContext, useContext } from 'react'
import type { ApiClient } from './api-client.ts'

export const ClientContext = createContext<ApiClient | null>(null)

export function useClient(): ApiClient {
  const client = useContext(ClientContext)
  if (!client) throw new Error('useClient outside of a signed-in page')
  return client
}
