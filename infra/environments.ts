/**
 * Every per-environment knob of the stack in one typed place. Environments are separate AWS accounts
 * (seed 000 §0.2), so physical names are the same everywhere and only these figures differ.
 * Figures: product spec §10 (wins over seed 000 §1.2 where they differ).
 */
export type EnvironmentName = "dev" | "staging" | "prod"
export const environmentNames: ReadonlyArray<EnvironmentName> = ["dev", "staging", "prod"]

export type Mode = "shadow" | "route-only" | "live"

export interface EnvironmentSettings {
  readonly name: EnvironmentName
  /** Seed 000 §0.1: us-east-2 unless a deployment says otherwise. */
  readonly region: string
  readonly mode: Mode
  readonly ingress: { readonly memoryMb: number; readonly timeoutSeconds: number }
  readonly worker: {
    readonly memoryMb: number
    /** Must leave room for one record's 25 s deadline plus the handler's 2 s safety margin. */
    readonly timeoutSeconds: number
    /** The main scaling knob (seed 000 §5): caps parallel downstream calls across all conversations. */
    readonly reservedConcurrency: number
    /** Always 1 (see `validate`); a parameter only so that a deploy asking for more fails with the reason. */
    readonly batchSize: number
    /** Event source mapping ceiling (2–1000); at most the reserved concurrency, so polling never gets throttled. */
    readonly maxConcurrency: number
  }
  readonly ops: { readonly scheduleMinutes: number }
  readonly queue: {
    readonly maxReceiveCount: number
    readonly retentionDays: number
    readonly dlqRetentionDays: number
  }
  readonly api: { readonly rateLimit: number; readonly burstLimit: number }
  readonly logRetentionDays: number
  readonly alarms: {
    /** Oldest message on the main queue, seconds; messages legitimately wait out outages, so minutes not seconds. */
    readonly oldestMessageAgeSeconds: number
    /** Worker invocation errors per 5 minutes (a handled record failure is not an invocation error). */
    readonly workerErrors: number
    /** Share of a downstream's calls answered 429 / THROTTLED over 5 minutes, percent. */
    readonly throttledPercent: number
    /** Optional e-mail subscribed to the alarm topic. */
    readonly email?: string
  }
  /** Keep tables, secrets and log groups when the stack is deleted (prod data outlives a stack). */
  readonly retainData: boolean
  /** Agent user id the worker sends replies as (`RICHPANEL_BOT_AUTHOR_ID`); not a secret. */
  readonly richpanelBotAuthorId?: string
  /** The `<shop>` of `<shop>.myshopify.com` (`SHOPIFY_SHOP`); needed once the Shopify token secret is set. */
  readonly shopifyShop?: string
}

const RESERVED_CONCURRENCY = 10

const base: Omit<EnvironmentSettings, "name"> = {
  region: "us-east-2",
  mode: "shadow",
  ingress: { memoryMb: 512, timeoutSeconds: 6 },
  worker: {
    memoryMb: 1024,
    timeoutSeconds: 30,
    reservedConcurrency: RESERVED_CONCURRENCY,
    batchSize: 1,
    maxConcurrency: RESERVED_CONCURRENCY
  },
  ops: { scheduleMinutes: 15 },
  queue: { maxReceiveCount: 5, retentionDays: 4, dlqRetentionDays: 14 },
  api: { rateLimit: 50, burstLimit: 100 },
  logRetentionDays: 30,
  alarms: { oldestMessageAgeSeconds: 600, workerErrors: 1, throttledPercent: 5 },
  retainData: true
}

export const environments: Readonly<Record<EnvironmentName, EnvironmentSettings>> = {
  dev: {
    ...base,
    name: "dev",
    // A developer account: fewer parallel workers, quieter alarms, and nothing kept after `cdk destroy`.
    worker: { ...base.worker, reservedConcurrency: 2, maxConcurrency: 2 },
    api: { rateLimit: 10, burstLimit: 20 },
    logRetentionDays: 14,
    alarms: { ...base.alarms, oldestMessageAgeSeconds: 1_800, workerErrors: 5, throttledPercent: 20 },
    retainData: false
  },
  staging: { ...base, name: "staging" },
  // Design peak is 10 × 430 messages/h ≈ 1.2/s (spec §10); 50 rps with a burst of 100 leaves room for retries.
  prod: { ...base, name: "prod" }
}

export const isEnvironmentName = (value: string): value is EnvironmentName =>
  (environmentNames as ReadonlyArray<string>).includes(value)

/** Overrides accepted from `cdk -c key=value` (strings, as the CLI passes them). */
export interface ContextOverrides {
  readonly region?: string
  readonly alarmEmail?: string
  readonly mode?: string
  readonly richpanelBotAuthorId?: string
  readonly shopifyShop?: string
  /** Worker scaling, as integers: reserved concurrency, the event source's maxConcurrency, and its batch size. */
  readonly workerReservedConcurrency?: string
  readonly workerMaxConcurrency?: string
  readonly workerBatchSize?: string
}

/** `-c key=12` → 12; anything but a whole number fails the synth with the key to fix. */
const integer = (key: string, value: string | undefined): number | undefined => {
  if (value === undefined) return undefined
  if (!/^\d+$/.test(value)) throw new Error(`-c ${key}=${value}: expected a whole number`)
  return Number(value)
}

const isMode = (value: string): value is Mode => value === "shadow" || value === "route-only" || value === "live"

/** The settings for `name` with CLI overrides applied; unknown names and bad values fail the synth loudly. */
export const resolveEnvironment = (name: string, overrides: ContextOverrides = {}): EnvironmentSettings => {
  if (!isEnvironmentName(name)) throw new Error(`unknown environment "${name}"; expected one of ${environmentNames.join(", ")}`)
  const settings = environments[name]
  if (overrides.mode !== undefined && !isMode(overrides.mode)) {
    throw new Error(`MW_MODE override "${overrides.mode}" must be shadow, route-only or live`)
  }
  const resolved: EnvironmentSettings = {
    ...settings,
    ...(overrides.region === undefined ? {} : { region: overrides.region }),
    ...(overrides.mode === undefined ? {} : { mode: overrides.mode as Mode }),
    ...(overrides.richpanelBotAuthorId === undefined ? {} : { richpanelBotAuthorId: overrides.richpanelBotAuthorId }),
    ...(overrides.shopifyShop === undefined ? {} : { shopifyShop: overrides.shopifyShop }),
    worker: scaledWorker(settings.worker, overrides),
    alarms: { ...settings.alarms, ...(overrides.alarmEmail === undefined ? {} : { email: overrides.alarmEmail }) }
  }
  validate(resolved)
  return resolved
}

const scaledWorker = (worker: EnvironmentSettings["worker"], overrides: ContextOverrides): EnvironmentSettings["worker"] => {
  const reserved = integer("workerReservedConcurrency", overrides.workerReservedConcurrency)
  const max = integer("workerMaxConcurrency", overrides.workerMaxConcurrency)
  const batch = integer("workerBatchSize", overrides.workerBatchSize)
  return {
    ...worker,
    ...(reserved === undefined ? {} : { reservedConcurrency: reserved }),
    // Raising only the reserved concurrency raises the poller's ceiling with it, as the defaults pair them.
    maxConcurrency: max ?? (reserved === undefined ? worker.maxConcurrency : Math.max(2, reserved)),
    ...(batch === undefined ? {} : { batchSize: batch })
  }
}

/** Invariants AWS would only report at deploy time (or never), checked at synth. */
export const validate = (settings: EnvironmentSettings): void => {
  const { worker } = settings
  if (worker.batchSize !== 1) {
    throw new Error(
      `workerBatchSize=${worker.batchSize}: the worker takes one message per invocation. With larger batches, the records ` +
        "behind a failing record of the same conversation, and those not started before the invocation's deadline, go " +
        "back to the queue unprocessed and burn their receive count toward the DLQ without an outcome. Scale with " +
        "workerReservedConcurrency instead."
    )
  }
  if (worker.maxConcurrency < 2 || worker.maxConcurrency > 1000) throw new Error("worker.maxConcurrency must be 2–1000")
  if (worker.maxConcurrency > worker.reservedConcurrency) {
    throw new Error("worker.maxConcurrency above the reserved concurrency only makes the poller throttle itself")
  }
  if (worker.timeoutSeconds < 28) throw new Error("worker.timeoutSeconds must cover the 25 s record deadline + 2 s margin")
}

/** SQS guidance: the visibility timeout is at least six times the consumer's timeout. */
export const visibilityTimeoutSeconds = (settings: EnvironmentSettings): number => 6 * settings.worker.timeoutSeconds
