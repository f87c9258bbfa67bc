import { readFileSync } from "node:fs"
import { join } from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import * as iam from "aws-cdk-lib/aws-iam"
import * as sqs from "aws-cdk-lib/aws-sqs"
import { type Synthesized, synth } from "./synth.js"

interface Suppressed {
  readonly acknowledgedId: string
  readonly acknowledgedAt: string
  readonly reason: string
  readonly violatingConstructs: ReadonlyArray<{ readonly constructPath: string }>
}
interface Report {
  readonly pluginReports: ReadonlyArray<{
    readonly pluginName: string
    readonly conclusion: string
    readonly violations: ReadonlyArray<unknown>
    readonly suppressedViolations: ReadonlyArray<Suppressed>
  }>
}

let prod: Synthesized
let report: Report
beforeAll(() => {
  prod = synth({ env: "prod" })
  report = JSON.parse(readFileSync(join(prod.outdir, "validation-report.json"), "utf8")) as Report
})
afterAll(() => prod.cleanup())

/**
 * Every accepted finding, where it is acknowledged. A new finding fails the synth; a new acknowledgement fails
 * here until it is added to this list, so neither can slip in unreviewed.
 */
const ACCEPTED = [
  "AwsSolutions::AwsSolutions-APIG4 @ Api/HttpApi",
  "AwsSolutions::AwsSolutions-IAM5[Resource::*] @ Functions/Ingress/Role",
  "AwsSolutions::AwsSolutions-IAM5[Resource::*] @ Functions/Worker/Role",
  "AwsSolutions::AwsSolutions-IAM5[Resource::*] @ Ops/Ops/Role",
  "AwsSolutions::AwsSolutions-L1 @ Functions/Ingress/Function",
  "AwsSolutions::AwsSolutions-L1 @ Functions/Worker/Function",
  "AwsSolutions::AwsSolutions-L1 @ Ops/Ops/Function",
  "AwsSolutions::AwsSolutions-SMG4 @ Secrets/OpenAiApiKey",
  "AwsSolutions::AwsSolutions-SMG4 @ Secrets/RichpanelApiKey",
  "AwsSolutions::AwsSolutions-SMG4 @ Secrets/ShopifyAccessToken",
  "AwsSolutions::AwsSolutions-SMG4 @ Secrets/WebhookToken",
  "Serverless::Serverless-EventBusDLQ @ Ops/Schedule",
  "Serverless::Serverless-LambdaDLQ @ Functions/Ingress/Function",
  "Serverless::Serverless-LambdaDLQ @ Functions/Worker/Function",
  "Serverless::Serverless-LambdaDLQ @ Ops/Ops/Function",
  "Serverless::Serverless-LambdaEventSourceMappingDestination @ Functions/Worker/Function",
  "Serverless::Serverless-LambdaLatestVersion @ Functions/Ingress/Function",
  "Serverless::Serverless-LambdaLatestVersion @ Functions/Worker/Function",
  "Serverless::Serverless-LambdaLatestVersion @ Ops/Ops/Function",
  "Serverless::Serverless-SQSRedrivePolicy @ Queues/DeadLetters"
]

describe("cdk-nag (AwsSolutions + Serverless)", () => {
  it("passes both packs with no open violation", () => {
    expect(report.pluginReports.map((plugin) => [plugin.pluginName, plugin.conclusion, plugin.violations.length])).toEqual([
      ["AwsSolutions", "success", 0],
      ["Serverless", "success", 0]
    ])
  })

  it("accepts only the reviewed findings, each with a written reason", () => {
    const suppressed = report.pluginReports.flatMap((plugin) => plugin.suppressedViolations)
    const at = (s: Suppressed) => `${s.acknowledgedId} @ ${s.acknowledgedAt.replace(/^rp-mw-prod\//, "")}`
    expect(suppressed.map(at).sort()).toEqual([...ACCEPTED].sort())
    for (const finding of suppressed) expect(finding.reason.length, at(finding)).toBeGreaterThan(80)
  })

  it("fails the synth for an insecure construct (so the check above can fail)", () => {
    expect(() =>
      synth({ env: "prod", extend: (stack) => void new sqs.Queue(stack, "PlainQueue", { enforceSSL: false }) })
    ).toThrow(/AwsSolutions-SQS4|AwsSolutions-SQS3/)
  })

  it("still fails for a wildcard action on a function role: the X-Ray acknowledgement covers Resource::* only", () => {
    expect(() =>
      synth({
        env: "prod",
        extend: (stack) =>
          void stack.functions.worker.role.addToPrincipalPolicy(
            new iam.PolicyStatement({ actions: ["dynamodb:*"], resources: [stack.tables.idempotency.tableArn] })
          )
      })
    ).toThrow(/AwsSolutions-IAM5\[Action::dynamodb:\*\]/)
  })
})
