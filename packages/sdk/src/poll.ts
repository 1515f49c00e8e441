/** Polling without hammering: start short so quick jobs return fast, then back off. */

export interface Backoff {
  /** first wait, seconds */
  initialSeconds: number
  /** longest wait, seconds */
  maxSeconds: number
}

export const DEFAULT_BACKOFF: Backoff = { initialSeconds: 0.5, maxSeconds: 2 }

/** Waits before each poll: initial, ×1.5 each time, capped; a fixed interval when given. */
export function* pollDelays(backoff: Backoff, fixedSeconds?: number): Generator<number, never> {
  if (fixedSeconds !== undefined) for (;;) yield fixedSeconds * 1000
  let seconds = backoff.initialSeconds
  for (;;) {
    yield seconds * 1000
    seconds = Math.min(backoff.maxSeconds, seconds * 1.5)
  }
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason as Error)
      return
    }
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort)
      resolve()
    }, ms)
    const onAbort = (): void => {
      clearTimeout(timer)
      reject(signal?.reason as Error)
    }
    signal?.addEventListener('abort', onAbort, { once: true })
  })
}
