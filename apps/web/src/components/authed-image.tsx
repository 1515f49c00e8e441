/**
 * Images behind the API key: <img> cannot send an Authorization header, so thumbnails are
 * fetched as blobs (a few at a time) and shown through object URLs, cached for the session.
 */
import { useEffect, useState } from 'react'
import { api } from '@labelport/core'
import type { ApiClient } from '../api-client.ts'
import { useClient } from '../client-context.ts'

const cache = new Map<string, Promise<string>>()
const MAX_PARALLEL = 6
let running = 0
const queue: (() => void)[] = []

function schedule<T>(task: () => Promise<T>): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const start = () => {
      running++
      task()
        .then(resolve, reject)
        .finally(() => {
          running--
          queue.shift()?.()
        })
    }
    if (running < MAX_PARALLEL) start()
    else queue.push(start)
  })
}

export function thumbnailUrl(client: ApiClient, dataRowId: string, size: number): Promise<string> {
  const key = `${dataRowId}@${size}`
  let url = cache.get(key)
  if (!url) {
    url = schedule(() => client.blob(api.getDataRowThumbnail, { dataRowId }, { size })).then(
      (blob) => URL.createObjectURL(blob),
    )
    url.catch(() => cache.delete(key))
    cache.set(key, url)
  }
  return url
}

export function Thumbnail({
  dataRowId,
  size = 256,
  alt,
}: {
  dataRowId: string
  size?: number
  alt: string
}) {
  const client = useClient()
  const [src, setSrc] = useState<string | null>(null)
  const [failed, setFailed] = useState(false)
  useEffect(() => {
    let live = true
    thumbnailUrl(client, dataRowId, size).then(
      (url) => live && setSrc(url),
      () => live && setFailed(true),
    )
    return () => {
      live = false
    }
  }, [client, dataRowId, size])
  if (failed) return <div className="lp-thumb lp-thumb--failed">no preview</div>
  if (!src) return <div className="lp-thumb lp-thumb--loading" />
  return <img className="lp-thumb" src={src} alt={alt} loading="lazy" data-testid="thumbnail" />
}
