/** The API key lives in sessionStorage only: it is gone when the tab closes. */
const KEY = 'labelport.apiKey'

export function readApiKey(): string | null {
  try {
    return sessionStorage.getItem(KEY)
  } catch {
    return null
  }
}

export function storeApiKey(apiKey: string | null): void {
  if (apiKey === null) sessionStorage.removeItem(KEY)
  else sessionStorage.setItem(KEY, apiKey)
}
