/** Profiling aid: CPU seconds of the COCO reader's two passes alone (no judge, no output). */
import { readCocoCatalog, readCoco } from '@labelport/formats'
import { fileSource } from '@labelport/formats/node'

const cpu = () => {
  const u = process.cpuUsage()
  return (u.user + u.system) / 1e6
}
const source = fileSource(process.argv[2]!)
let t = cpu()
const { catalog } = await readCocoCatalog(source)
console.log(`catalog: ${catalog.images.size} images, ${(cpu() - t).toFixed(2)} CPU s`)
t = cpu()
let lines = 0
for await (const e of readCoco(source)) if (e.type === 'line') lines++
console.log(`readCoco (both passes): ${lines} lines, ${(cpu() - t).toFixed(2)} CPU s`)
