/** A tiny argument parser: positionals, `--flag value`, `--flag=value` and boolean `--flag`. */
export interface Args {
  readonly positionals: ReadonlyArray<string>
  readonly flags: Readonly<Record<string, string | true>>
}

export const parseArgs = (argv: ReadonlyArray<string>): Args => {
  const positionals: Array<string> = []
  const flags: Record<string, string | true> = {}
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? ""
    if (!arg.startsWith("--")) {
      positionals.push(arg)
      continue
    }
    const [name, inline] = arg.slice(2).split(/=(.*)/s, 2) as [string, string | undefined]
    const next = argv[i + 1]
    if (inline !== undefined) flags[name] = inline
    else if (next !== undefined && !next.startsWith("--")) {
      flags[name] = next
      i++
    } else flags[name] = true
  }
  return { positionals, flags }
}

export const flag = (args: Args, name: string): string | undefined => {
  const value = args.flags[name]
  return typeof value === "string" ? value : undefined
}

/** A command-line mistake: printed with the usage, exit code 2. */
export class UsageError extends Error {}
