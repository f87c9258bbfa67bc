import * as path from "node:path"
import { fileURLToPath } from "node:url"

export const BENCH_DIR = path.dirname(fileURLToPath(import.meta.url))
export const PROJECT_DIR = path.dirname(BENCH_DIR)
/** Git-ignored: bundles, server logs, CPU profiles. */
export const BUILD_DIR = path.join(BENCH_DIR, ".build")
