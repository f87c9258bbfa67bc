import { build } from "esbuild"
import { mkdirSync, statSync } from "node:fs"
import * as path from "node:path"
import { exited, spawnTracked, tail } from "./children.js"
import { BENCH_DIR, BUILD_DIR, PROJECT_DIR } from "./paths.js"
import type { Entry } from "./table.js"

export interface BundleBenchOptions {
  readonly initRuns: number
  readonly progress: (line: string) => void
}

// ESM output has no `require`; bundled CommonJS dependencies (the AWS SDK's) still call it.
const requireBanner = "import { createRequire } from 'module'; const require = createRequire(import.meta.url);"

/**
 * Bundles one entry the way the CDK stack ships it (infra/constructs/LambdaFunction.ts): everything inlined, minified
 * ESM for Node 22, ES-module builds of dependencies preferred (`mainFields`), so unused exports are shaken out.
 */
const bundle = async (entry: string, outName: string) => {
  const outfile = path.join(BUILD_DIR, outName)
  await build({
    entryPoints: [entry],
    outfile,
    bundle: true,
    platform: "node",
    target: "node22",
    format: "esm",
    mainFields: ["module", "main"],
    minify: true,
    banner: { js: requireBanner },
    logLevel: "warning"
  })
  return { file: outfile, bytes: statSync(outfile).size }
}

// Importing must need neither credentials nor a region: the runtime is built on the first invocation only.
const coldEnv = () => Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith("AWS_")))

/** Wall time from spawn to exit of a fresh node that imports `file` and has nothing left to do. */
const coldStart = async (file: string) => {
  const started = performance.now()
  const child = spawnTracked([file], { env: coldEnv(), stdio: ["ignore", "ignore", "pipe"] })
  const stderr = tail(child.stderr)
  const timer = setTimeout(() => child.kill("SIGKILL"), 20_000)
  const code = await exited(child)
  clearTimeout(timer)
  const ms = performance.now() - started
  return code === 0 ? { ok: true as const, ms } : { ok: false as const, reason: `exit ${code ?? child.signalCode}: ${stderr() || "(no stderr)"}` }
}

const median = (values: ReadonlyArray<number>) => {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = Math.floor(sorted.length / 2)
  return sorted.length % 2 === 1 ? (sorted[mid] ?? Number.NaN) : ((sorted[mid - 1] ?? Number.NaN) + (sorted[mid] ?? Number.NaN)) / 2
}

/** Ingress Lambda bundle against a bundle of just the SDK clients it uses: size, then cold import time. */
export const benchBundle = async (options: BundleBenchOptions): Promise<ReadonlyArray<Entry>> => {
  mkdirSync(BUILD_DIR, { recursive: true })
  options.progress("bundle: esbuild src/lambda/ingress.ts and bench/sdkOnly.ts")
  const ingress = await bundle(path.join(PROJECT_DIR, "src/lambda/ingress.ts"), "ingress.mjs")
  const sdkOnly = await bundle(path.join(BENCH_DIR, "sdkOnly.ts"), "sdkOnly.mjs")
  options.progress(`bundle: ingress ${ingress.bytes} bytes, sdk-only ${sdkOnly.bytes} bytes`)
  const sizeEntry: Entry = {
    name: "ingress_bundle_size",
    value: ingress.bytes,
    unit: "bytes",
    baseline: sdkOnly.bytes,
    ratio: ingress.bytes / sdkOnly.bytes,
    target: { on: "ratio", op: "<=", limit: 1.5 }
  }
  const initTarget = { on: "ratio", op: "<=", limit: 1.5 } as const

  options.progress(`cold init: 1 discarded + ${options.initRuns} runs each, alternating ingress/sdk-only`)
  const ingressMs: Array<number> = []
  const sdkMs: Array<number> = []
  for (let run = 0; run <= options.initRuns; run++) {
    const a = await coldStart(ingress.file)
    const b = await coldStart(sdkOnly.file)
    if (!a.ok || !b.ok) {
      const reason = !a.ok ? `importing the ingress bundle failed (${a.reason})` : `importing the sdk-only bundle failed (${b.ok ? "" : b.reason})`
      options.progress(`cold init: ${reason}`)
      return [sizeEntry, { name: "ingress_cold_init", value: null, unit: "ms", baseline: null, ratio: null, target: initTarget }]
    }
    if (run === 0) continue // page cache and the compile cache of the node binary itself
    ingressMs.push(a.ms)
    sdkMs.push(b.ms)
  }
  const value = median(ingressMs)
  const baseline = median(sdkMs)
  options.progress(`cold init: ingress median ${value.toFixed(1)} ms, sdk-only median ${baseline.toFixed(1)} ms`)
  return [sizeEntry, { name: "ingress_cold_init", value, unit: "ms", baseline, ratio: value / baseline, target: initTarget }]
}
