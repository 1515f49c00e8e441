import type { Issue, IssuePath } from '@labelport/core'

/** A server-side fetch with a size limit, a timeout and private-address refusal (net/safe-fetch.ts). */
export type Fetcher = (
  url: string,
  path: IssuePath,
) => Promise<
  { ok: true; bytes: Uint8Array; contentType: string | null } | { ok: false; issue: Issue }
>
