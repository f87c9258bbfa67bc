import * as Config from "effect/Config"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import * as SqsQueueStats from "../layers/SqsQueueStats.js"
import { QueueStats, type QueueStatsFailed } from "../services/QueueStats.js"
import { type Args, flag, UsageError } from "./Args.js"
import { ensureReachable } from "./Http.js"
import { table } from "./Table.js"
import { baseUrl } from "./Target.js"

/** The DLQ's physical name in every environment (one account per environment). */
export const DLQ_NAME = "rp-mw-events-dlq.fifo"

interface LocalDlq {
  readonly queue: string
  readonly visible: number
  readonly in_flight: number
  readonly messages: ReadonlyArray<{ message_id: string; event_id: string | null; sent_at: string; receive_count: number }>
}

const localCall = async <A>(url: string, method: "GET" | "POST", path: string): Promise<A> => {
  await ensureReachable(url)
  const response = await fetch(`${url}${path}`, { method })
  const body = (await response.json()) as A & { readonly message?: string }
  if (!response.ok) throw new Error(`${method} ${path} answered ${response.status}: ${body.message ?? "no message"}`)
  return body
}

const localShow = async (url: string) => {
  const dlq = await localCall<LocalDlq>(url, "GET", "/dlq")
  const rows = dlq.messages.map((m) => [m.event_id ?? "(unreadable body)", m.message_id, m.sent_at, String(m.receive_count)])
  return [
    `${dlq.queue}: ${dlq.visible} message(s) waiting${dlq.in_flight > 0 ? `, ${dlq.in_flight} in flight` : ""}`,
    ...(rows.length === 0 ? [] : [table(["event", "message", "sent", "receives"], rows), "move them back with `rp-mw dlq redrive`"])
  ].join("\n")
}

const localRedrive = async (url: string) => {
  const { moved, from, to } = await localCall<{ moved: number; from: string; to: string }>(url, "POST", "/dlq/redrive")
  return moved === 0
    ? `${from} is empty: nothing to redrive`
    : `moved ${moved} message(s) from ${from} back to ${to}; the worker takes them now (see \`rp-mw events\`)`
}

/** What an operator does about a failed SQS call; the SDK's own words are kept. */
const advice = (error: QueueStatsFailed): string => {
  const what = `${error.operation} on ${error.queue} failed (${error.code}: ${error.reason})`
  if (/AccessDenied|NotAuthorized/i.test(error.code)) return `${what}: your credentials need sqs:${error.operation} on that queue`
  if (/NonExistentQueue|QueueDoesNotExist|NotFound/i.test(error.code)) {
    return `${what}: check --dlq-url / DLQ_URL and AWS_REGION (the stack's region, default us-east-2)`
  }
  return what
}

/** `--dlq-url`, else `DLQ_URL`, else the seed's DLQ name looked up in the account and region of the credentials. */
const dlqUrl = (args: Args) =>
  Effect.gen(function* () {
    const given = flag(args, "dlq-url") ?? Option.getOrUndefined(yield* Config.option(Config.nonEmptyString("DLQ_URL")))
    return given ?? (yield* Effect.flatMap(QueueStats, (stats) => stats.urlOf(DLQ_NAME)))
  })

const awsShow = (args: Args) =>
  Effect.gen(function* () {
    const url = yield* dlqUrl(args)
    const depth = yield* Effect.flatMap(QueueStats, (stats) => stats.depth(url))
    return `${url}: ${depth.visible} message(s) waiting, ${depth.inFlight} in flight (being received or moved)`
  })

const awsRedrive = (args: Args) =>
  Effect.gen(function* () {
    const stats = yield* QueueStats
    const url = yield* dlqUrl(args)
    const depth = yield* stats.depth(url)
    if (depth.visible === 0) return `${url} has no message waiting: nothing to redrive`
    const arn = yield* stats.arn(url)
    // No DestinationArn: SQS moves each message back to the queue it was dead-lettered from.
    const task = yield* stats.startRedrive(arn)
    return [
      `started moving ${depth.visible} message(s) from ${arn} back to their source queue (task ${task})`,
      "SQS moves them in the background; `rp-mw dlq show --aws` shows the DLQ draining"
    ].join("\n")
  })

/** `rp-mw dlq [show|redrive]`: the local runtime's DLQ, or with `--aws` the deployed one. */
export const dlqCommand = async (args: Args): Promise<number> => {
  const [action = "show"] = args.positionals
  if (action !== "show" && action !== "redrive") throw new UsageError(`unknown dlq action: ${action}`)
  if (args.flags["aws"] !== true) {
    const url = baseUrl(args)
    console.log(action === "show" ? await localShow(url) : await localRedrive(url))
    return 0
  }
  const program = action === "show" ? awsShow(args) : awsRedrive(args)
  const result = await Effect.runPromise(
    program.pipe(
      Effect.provide(SqsQueueStats.layer),
      Effect.mapError((error) => (error._tag === "QueueStatsFailed" ? advice(error) : `configuration: ${String(error)}`)),
      Effect.either
    )
  )
  if (Either.isLeft(result)) throw new Error(result.left)
  console.log(result.right)
  return 0
}
