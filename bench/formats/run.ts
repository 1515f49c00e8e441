/**
 * `npm run bench:formats [-- --scale S --write N]`: generates a COCO instances file with COCO 2017's
 * statistics (scale 1 = 118,287 images, 860,001 objects, ≈ 450 MB; cached in bench/.data), then
 * measures in fresh processes: COCO → NDJSON lines + the import judge's verdict on each, and
 * writing N annotations (default 1,000,000) from export v2 rows to a COCO file. Figures: seconds,
 * objects per second, peak RSS.
 */
import { execFileSync } from 'node:child_process'
import { existsSync, mkdirSync, statSync } from 'node:fs'
import { cpus, loadavg } from 'node:os'
import { join } from 'node:path'
import { generateCoco } from './generate.ts'

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`)
  return i >= 0 ? Number(process.argv[i + 1]) : fallback
}
const scale = arg('scale', 1)
const write = arg('write', 1_000_000)
const root = new URL('../..', import.meta.url).pathname
mkdirSync(join(root, 'bench/.data'), { recursive: true })
const file = join(root, 'bench/.data', `coco-2017-stats-${scale}.json`)
if (!existsSync(file)) {
  console.log(`generating a COCO file at scale ${scale} → ${file}`)
  const made = await generateCoco(file, scale)
  console.log(`  ${made.images} images, ${made.annotations} annotations`)
}
console.log(
  `input: ${(statSync(file).size / 2 ** 20).toFixed(0)} MB; load average ${loadavg()[0]!.toFixed(1)} on ${cpus().length} cores`,
)
const once = (args: string[]) =>
  JSON.parse(
    execFileSync(
      process.execPath,
      ['--import', 'tsx', join(root, 'bench/formats/convert-once.ts'), ...args],
      {
        encoding: 'utf8',
        maxBuffer: 1 << 20,
      },
    )
      .trim()
      .split('\n')
      .pop()!,
  ) as Record<string, number>
const read = once(['read', file])
console.log(
  `COCO → NDJSON + judge: ${read['lines']} lines (${read['accepted']} accepted) in ${read['seconds']!.toFixed(1)} s ` +
    `= ${Math.round(read['lines']! / read['seconds']!)} lines/s; CPU ${read['cpuSeconds']!.toFixed(1)} s ` +
    `= ${Math.round(read['lines']! / read['cpuSeconds']!)} lines per CPU second; peak RSS ${read['peakRssMb']} MB`,
)
const out = once(['write', file, String(write)])
console.log(
  `export v2 rows → COCO: ${out['annotations']} annotations (${out['megabytes']} MB) in ${out['seconds']!.toFixed(1)} s ` +
    `= ${Math.round(out['annotations']! / out['seconds']!)} annotations/s; CPU ${out['cpuSeconds']!.toFixed(1)} s ` +
    `= ${Math.round(out['annotations']! / out['cpuSeconds']!)} per CPU second; peak RSS ${out['peakRssMb']} MB`,
)
