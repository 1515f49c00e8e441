/** Serves the built web app (apps/web/dist) with an SPA fallback to index.html. */
import { readFile } from 'node:fs/promises'
import { extname, join, normalize, sep } from 'node:path'
import type { Context } from 'hono'
import { AppError } from '@labelport/core'
import type { AppEnv } from './route.ts'

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
}

function decodedPath(raw: string): string {
  try {
    return decodeURIComponent(raw)
  } catch {
    throw new AppError('validation_failed', 'The path has a malformed % escape', { path: ['path'] })
  }
}

export async function serveWebApp(c: Context<AppEnv>, webDir: string): Promise<Response> {
  const requested = normalize(join(webDir, decodedPath(c.req.path)))
  const inside = requested.startsWith(webDir + sep)
  for (const path of inside && extname(requested) !== ''
    ? [requested, join(webDir, 'index.html')]
    : [join(webDir, 'index.html')]) {
    try {
      const body = await readFile(path)
      const immutable = path.includes(`${sep}assets${sep}`)
      return c.body(body, 200, {
        'content-type': TYPES[extname(path)] ?? 'application/octet-stream',
        'cache-control': immutable ? 'public, max-age=31536000, immutable' : 'no-cache',
      })
    } catch {
      // try the next candidate
    }
  }
  return c.html(
    '<!doctype html><title>Labelport</title><p>The Labelport API is running. The web app is not built yet: run <code>npm run build --workspace @labelport/web</code>.</p>',
    200,
  )
}
