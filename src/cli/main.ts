import { parseArgs, UsageError } from "./Args.js"
import { demo, events, replay } from "./commands.js"
import { dlqCommand } from "./DlqCommand.js"
import { evalCommand } from "./EvalCommand.js"
import { modeCommand } from "./ModeCommands.js"

const USAGE = `rp-mw — operator CLI

  rp-mw replay <file|dir>… [--url URL] [--token T]   post webhook JSON files to a running runtime
  rp-mw demo [dir] [--url URL]                        post examples/ and print the decisions
  rp-mw events [--limit N] [--url URL] [--aws]        recent decisions, newest first
  rp-mw mode [show]                                   the effective mode and any override
  rp-mw mode set <shadow|route-only|live> [--reason R]
  rp-mw mode clear                                    back to MW_MODE
  rp-mw kill [--all] [--reason R]                     stop all customer replies (--all: all Richpanel writes)
  rp-mw dlq [show]                                    dead-lettered events waiting in the DLQ
  rp-mw dlq redrive                                   move them back to the event queue to be processed again
  rp-mw eval [--csv FILE]                             rules classifier accuracy on the Bitext dataset

The events and mode commands act on the running local runtime, or with --aws on the deployed stack's DynamoDB table.
The dlq commands act on the running local runtime, or with --aws on the deployed SQS DLQ (--dlq-url URL,
else DLQ_URL, else rp-mw-events-dlq.fifo in AWS_REGION); a redrive there is an SQS message move task.
URL defaults to the running local runtime (MW_DATA_DIR/runtime.json), else http://127.0.0.1:$PORT.`

const run = async (argv: ReadonlyArray<string>): Promise<number> => {
  const [command, ...rest] = argv
  const args = parseArgs(rest)
  switch (command) {
    case "replay":
      return replay(args)
    case "demo":
      return demo(args)
    case "events":
      return events(args)
    case "mode":
      return modeCommand(args, false)
    case "kill":
      return modeCommand(args, true)
    case "dlq":
      return dlqCommand(args)
    case "eval":
      return evalCommand(args)
    case undefined:
    case "help":
    case "--help":
      console.log(USAGE)
      return 0
    default:
      throw new UsageError(`unknown command: ${command}`)
  }
}

run(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    if (error instanceof UsageError) {
      console.error(`${error.message}\n\n${USAGE}`)
      process.exit(2)
    }
    console.error(`rp-mw: ${error instanceof Error ? error.message : String(error)}`)
    process.exit(1)
  }
)
