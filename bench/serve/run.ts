// Processes and memory of `labelport serve` before any work: starts it on a fresh data dir, waits
// for /healthz, then counts the process tree under it and sums each process's RSS (/proc, Linux).
// `npm run bench:serve [-- --runs 3] [-- <command…>]` (`npx tsx bench/serve/run.ts`) (default: node packages/cli/bin/labelport.js serve)
import { spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

const root = new URL('../..', import.meta.url).pathname
const argv = process.argv.slice(2)
const dash = argv.indexOf('--')
const command =
  dash === -1 ? [process.execPath, 'packages/cli/bin/labelport.js', 'serve'] : argv.slice(dash + 1)
const runsAt = argv.indexOf('--runs')
const runs = runsAt === -1 ? 3 : Number(argv[runsAt + 1])

function children(): Map<number, number[]> {
  const byParent = new Map<number, number[]>()
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8')
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1])
      const list = byParent.get(ppid) ?? []
      list.push(Number(name))
      byParent.set(ppid, list)
    } catch {
      // gone
    }
  }
  return byParent
}

function tree(pid: number): number[] {
  const byParent = children()
  const out: number[] = []
  const walk = (p: number): void => {
    out.push(p)
    for (const c of byParent.get(p) ?? []) walk(c)
  }
  walk(pid)
  return out
}

function rssKb(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))
    return m ? Number(m[1]) : 0
  } catch {
    return 0
  }
}

function comm(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8')
      .split('\0')
      .slice(0, 3)
      .join(' ')
      .slice(0, 90)
  } catch {
    return '?'
  }
}

interface Run {
  ready: number
  processes: number
  rssMb: number
  rss: { pid: number; kb: number; cmd: string }[]
}

async function once(): Promise<Run> {
  const dataDir = mkdtempSync(join(tmpdir(), 'labelport-serve-bench-'))
  const port = 20000 + Math.floor(Math.random() * 20000)
  const started = performance.now()
  const [program = process.execPath, ...programArgs] = command
  const child = spawn(program, [...programArgs, '--port', String(port), '--data-dir', dataDir], {
    cwd: root,
    stdio: ['ignore', 'ignore', 'inherit'],
    env: { ...process.env, LABELPORT_BOOTSTRAP_API_KEY: 'bench-key-0123456789' },
  })
  for (;;) {
    try {
      const res = await fetch(`http://127.0.0.1:${port}/healthz`)
      if (res.ok) break
    } catch {
      // not yet
    }
    if (performance.now() - started > 120_000) throw new Error('no answer in 120 s')
    await new Promise((r) => setTimeout(r, 100))
  }
  const ready = performance.now() - started
  await new Promise((r) => setTimeout(r, 2000)) // let start-up settle
  const pids = tree(child.pid ?? 0)
  const rss = pids.map((p) => ({ pid: p, kb: rssKb(p), cmd: comm(p) }))
  child.kill('SIGTERM')
  await new Promise<void>((resolve) => {
    child.once('exit', () => resolve())
  })
  rmSync(dataDir, { recursive: true, force: true })
  return { ready, processes: pids.length, rssMb: rss.reduce((s, r) => s + r.kb, 0) / 1024, rss }
}

const results: Run[] = []
for (let i = 0; i < runs; i++) results.push(await once())
for (const r of results)
  console.log(
    `ready in ${(r.ready / 1000).toFixed(1)} s, ${r.processes} processes, ${r.rssMb.toFixed(0)} MB RSS`,
  )
const last = results.at(-1)
for (const r of last?.rss ?? [])
  console.log(`  ${String(r.pid).padStart(7)} ${(r.kb / 1024).toFixed(0).padStart(5)} MB  ${r.cmd}`)
