/**
 * The two numpy behaviours COCOeval's numbers depend on beyond plain arithmetic: `np.linspace`'s
 * values and `np.mean`'s pairwise summation (so a mean of thousands of cells ends in the same last
 * digit as pycocotools').
 */

/** `np.linspace(start, stop, num)` as numpy ≥ 1.20 computes it: `i * step + start`, the last one `stop`. */
export function linspace(start: number, stop: number, num: number): number[] {
  if (num === 1) return [start]
  const step = (stop - start) / (num - 1)
  const out: number[] = []
  for (let i = 0; i < num; i++) out.push(i * step + start)
  out[num - 1] = stop
  return out
}

/** numpy's `pairwise_sum` for float64: 8 accumulators in blocks of up to 128, halves above that. */
export function pairwiseSum(values: ArrayLike<number>, start = 0, n = values.length): number {
  if (n < 8) {
    let sum = 0
    for (let i = start; i < start + n; i++) sum += values[i]!
    return sum
  }
  if (n <= 128) {
    const r = [0, 0, 0, 0, 0, 0, 0, 0]
    for (let j = 0; j < 8; j++) r[j] = values[start + j]!
    let i = 8
    for (; i < n - (n % 8); i += 8) for (let j = 0; j < 8; j++) r[j]! += values[start + i + j]!
    let sum = r[0]! + r[1]! + (r[2]! + r[3]!) + (r[4]! + r[5]! + (r[6]! + r[7]!))
    for (; i < n; i++) sum += values[start + i]!
    return sum
  }
  let half = Math.floor(n / 2)
  half -= half % 8
  return pairwiseSum(values, start, half) + pairwiseSum(values, start + half, n - half)
}

/** `np.mean(values[values > -1])`, or −1 when nothing is left (COCOeval's "absent" cell). */
export function meanOfPresent(values: ArrayLike<number>): number {
  const present: number[] = []
  for (let i = 0; i < values.length; i++) if (values[i]! > -1) present.push(values[i]!)
  if (present.length === 0) return -1
  return pairwiseSum(present) / present.length
}
