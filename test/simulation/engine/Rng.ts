/** A small seeded PRNG (mulberry32): the generator's only source of randomness, so a seed replays a script exactly. */
export class Rng {
  private state: number
  constructor(readonly seed: number) {
    this.state = seed >>> 0
  }
  /** Uniform in [0, 1). */
  next(): number {
    let t = (this.state = (this.state + 0x6d2b79f5) >>> 0)
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
  /** Integer in [min, max]. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1))
  }
  chance(p: number): boolean {
    return this.next() < p
  }
  pick<T>(items: ReadonlyArray<T>): T {
    if (items.length === 0) throw new Error("Rng.pick: empty list")
    return items[Math.floor(this.next() * items.length)]!
  }
  /** Picks by weight: `[[weight, value], …]`. */
  weighted<T>(entries: ReadonlyArray<readonly [number, T]>): T {
    const total = entries.reduce((sum, [w]) => sum + w, 0)
    let roll = this.next() * total
    for (const [w, value] of entries) {
      roll -= w
      if (roll < 0) return value
    }
    return entries.at(-1)![1]
  }
  /** A child generator, so adding a draw in one part of a script does not shift every other part. */
  fork(label: string): Rng {
    let h = this.seed ^ 0x9e3779b9
    for (const ch of label) h = Math.imul(h ^ ch.charCodeAt(0), 0x01000193)
    return new Rng(h >>> 0)
  }
}
