/**
 * Where a frame's time goes: records a Chrome trace (CDP `Tracing`) around an action and sums the
 * renderer main thread's top-level and nested events by name. Used by `run.ts` with
 * `LABELPORT_BENCH_TRACE=1`.
 */
import type { Page } from 'playwright-core'

interface TraceEvent {
  name: string
  ph: string
  dur?: number
  pid: number
  tid: number
  args?: { name?: string }
}

const CATEGORIES = [
  'devtools.timeline',
  'disabled-by-default-devtools.timeline',
  'blink',
  'cc',
  'gpu',
  'skia',
  'v8.execute',
]

/** Runs `action` under a trace and returns [event name, total ms, count] on the main thread, largest first. */
export async function traceMainThread(
  page: Page,
  action: () => Promise<void>,
): Promise<{ totalMs: number; events: [string, number, number][] }> {
  const cdp = await page.context().newCDPSession(page)
  const events: TraceEvent[] = []
  cdp.on('Tracing.dataCollected', (message) => {
    events.push(...(message.value as unknown as TraceEvent[]))
  })
  const done = new Promise<void>((resolve) => cdp.once('Tracing.tracingComplete', () => resolve()))
  await cdp.send('Tracing.start', {
    traceConfig: { includedCategories: CATEGORIES },
    transferMode: 'ReportEvents',
  })
  await action()
  await cdp.send('Tracing.end')
  await done
  await cdp.detach()
  const threads = new Map<string, string>()
  for (const e of events)
    if (e.ph === 'M' && e.name === 'thread_name')
      threads.set(`${e.pid}:${e.tid}`, e.args?.name ?? '')
  const totals = new Map<string, [number, number]>()
  let totalMs = 0
  for (const e of events) {
    if (e.ph !== 'X' || e.dur === undefined) continue
    if (threads.get(`${e.pid}:${e.tid}`) !== 'CrRendererMain') continue
    const t = totals.get(e.name) ?? [0, 0]
    t[0] += e.dur / 1000
    t[1]++
    totals.set(e.name, t)
    if (e.name === 'ThreadControllerImpl::RunTask' || e.name === 'RunTask') totalMs += e.dur / 1000
  }
  const sorted = [...totals.entries()]
    .map(([name, [ms, n]]): [string, number, number] => [name, ms, n])
    .sort((a, b) => b[1] - a[1])
  return { totalMs, events: sorted.slice(0, 25) }
}
