// Child-process half of bundle.test.ts: loads a bundled handler the way the Lambda Node runtime does (cwd = the
// asset directory, as /var/task; `import()` of index.mjs; one module instance for several invocations, like a warm
// container) and prints what each invocation returned or threw after a marker line, then exits.
import { pathToFileURL } from "node:url"

const [entry, eventsJson] = process.argv.slice(2)
const events = JSON.parse(eventsJson ?? "[]")
const context = {
  functionName: process.env.AWS_LAMBDA_FUNCTION_NAME,
  awsRequestId: "00000000-0000-4000-8000-000000000000",
  getRemainingTimeInMillis: () => 30_000
}
const describe = (error) => (error instanceof Error ? `${error.name}: ${error.message}` : String(error))

const outcome = { node: process.version, results: [] }
try {
  const module = await import(pathToFileURL(entry).href)
  for (const event of events) {
    try {
      outcome.results.push({ ok: await module.handler(event, context) })
    } catch (error) {
      outcome.results.push({ error: describe(error) })
    }
  }
} catch (error) {
  outcome.importError = describe(error)
}
process.stdout.write(`\n@@OUTCOME@@${JSON.stringify(outcome)}\n`)
process.exit(0)
