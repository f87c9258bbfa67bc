import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import {
  environmentNames,
  environments,
  resolveEnvironment,
  validate,
  visibilityTimeoutSeconds
} from "../../infra/environments.js"
import { type CfnResource, resourcesOf, resourceWith, type Synthesized, synth } from "./synth.js"

describe("environment settings", () => {
  it("defines dev, staging and prod in us-east-2, shadow mode, with the spec's queue and worker figures", () => {
    expect(environmentNames).toEqual(["dev", "staging", "prod"])
    for (const name of environmentNames) {
      const settings = resolveEnvironment(name)
      expect(settings).toMatchObject({ name, region: "us-east-2", mode: "shadow" })
      expect(settings.queue).toEqual({ maxReceiveCount: 5, retentionDays: 4, dlqRetentionDays: 14 })
      expect(settings.worker).toMatchObject({ timeoutSeconds: 30, batchSize: 1 })
      expect(settings.worker.maxConcurrency).toBeGreaterThanOrEqual(2)
      expect(settings.worker.maxConcurrency).toBe(settings.worker.reservedConcurrency)
      expect(visibilityTimeoutSeconds(settings)).toBe(180)
    }
    expect(environments.prod.worker.reservedConcurrency).toBe(10)
    expect(environments.prod.logRetentionDays).toBe(30)
  })

  it("applies context overrides and rejects unknown environments and modes", () => {
    expect(resolveEnvironment("staging", { region: "eu-west-1", mode: "live", alarmEmail: "oncall@example.com" })).toMatchObject({
      region: "eu-west-1",
      mode: "live",
      alarms: { email: "oncall@example.com" }
    })
    expect(() => resolveEnvironment("qa")).toThrow(/unknown environment "qa"/)
    expect(() => resolveEnvironment("prod", { mode: "yolo" })).toThrow(/shadow, route-only or live/)
    expect(() => resolveEnvironment("prod", { workerBatchSize: "two" })).toThrow(/workerBatchSize=two: expected a whole number/)
    expect(() => resolveEnvironment("prod", { workerMaxConcurrency: "50" })).toThrow(/maxConcurrency above the reserved/)
  })

  it("refuses settings AWS would reject at deploy time, or that break the worker's deadline", () => {
    const prod = environments.prod
    expect(() => validate({ ...prod, worker: { ...prod.worker, batchSize: 11 } })).toThrow(/workerBatchSize=11/)
    // Records behind a failing group-mate, or not started before the deadline, would burn receives unprocessed.
    for (const size of ["2", "10"]) {
      expect(() => resolveEnvironment("prod", { workerBatchSize: size })).toThrow(/one message per invocation.*workerReservedConcurrency/)
    }
    expect(() => validate({ ...prod, worker: { ...prod.worker, maxConcurrency: 1 } })).toThrow(/maxConcurrency/)
    expect(() => validate({ ...prod, worker: { ...prod.worker, maxConcurrency: 20 } })).toThrow(/reserved concurrency/)
    expect(() => validate({ ...prod, worker: { ...prod.worker, timeoutSeconds: 20 } })).toThrow(/25 s record deadline/)
    expect(() => validate(prod)).not.toThrow()
  })
})

// Two more synths (no bundling): dev with its defaults, and dev with every CLI override.
let dev: Synthesized
let overridden: Synthesized
beforeAll(() => {
  dev = synth({ env: "dev" })
  overridden = synth({
    env: "dev",
    context: {
      // Kept in cdk.json for the environment (numbers allowed), with `-c` values over them: `mode` is overridden.
      environments: { dev: { mode: "live", shopifyShop: "sample-store", workerBatchSize: 1 } },
      region: "eu-west-1",
      alarmEmail: "oncall@example.com",
      mode: "route-only",
      richpanelBotAuthorId: "agent-7",
      workerReservedConcurrency: "20"
    }
  })
})
afterAll(() => {
  dev?.cleanup()
  overridden?.cleanup()
})

describe("dev stack versus prod settings", () => {
  const props = (resource: CfnResource) => resource.Properties ?? {}
  const worker = (s: Synthesized) => props(resourceWith(s.json, "AWS::Lambda::Function", "FunctionName", "rp-mw-worker")[1])

  it("defaults to dev when no -c env= is given", () => {
    const defaulted = synth()
    try {
      expect(defaulted.stack.stackName).toBe("rp-mw-dev")
    } finally {
      defaulted.cleanup()
    }
  })

  it("runs fewer workers, throttles harder, keeps logs shorter and keeps nothing on delete", () => {
    expect(dev.stack.stackName).toBe("rp-mw-dev")
    expect(worker(dev)["ReservedConcurrentExecutions"]).toBe(environments.dev.worker.reservedConcurrency)
    expect(environments.dev.worker.reservedConcurrency).toBeLessThan(environments.prod.worker.reservedConcurrency)
    dev.template.hasResourceProperties("AWS::Lambda::EventSourceMapping", {
      ScalingConfig: { MaximumConcurrency: environments.dev.worker.maxConcurrency }
    })
    dev.template.hasResourceProperties("AWS::ApiGatewayV2::Stage", {
      DefaultRouteSettings: { ThrottlingRateLimit: environments.dev.api.rateLimit, ThrottlingBurstLimit: environments.dev.api.burstLimit }
    })
    expect(environments.dev.api.rateLimit).toBeLessThan(environments.prod.api.rateLimit)
    for (const [, group] of resourcesOf(dev.json, "AWS::Logs::LogGroup")) {
      expect(props(group)["RetentionInDays"]).toBe(environments.dev.logRetentionDays)
    }
    for (const [, table] of resourcesOf(dev.json, "AWS::DynamoDB::GlobalTable")) {
      expect(table.DeletionPolicy).toBe("Delete")
      expect(JSON.stringify(props(table)["Replicas"])).not.toContain("DeletionProtectionEnabled\":true")
    }
    for (const [, secret] of resourcesOf(dev.json, "AWS::SecretsManager::Secret")) expect(secret.DeletionPolicy).toBe("Delete")
    const worker5xx = resourceWith(dev.json, "AWS::CloudWatch::Alarm", "AlarmName", "rp-mw-dev-worker-errors")[1]
    expect(props(worker5xx)["Threshold"]).toBe(environments.dev.alarms.workerErrors)
    expect(environments.dev.alarms.workerErrors).toBeGreaterThan(environments.prod.alarms.workerErrors)
    expect(JSON.stringify(dev.json)).toContain("rp-mw/dev")
  })

  it("refuses a setting in cdk.json it does not know, naming the key", () => {
    expect(() => synth({ env: "dev", context: { environments: { dev: { shopify_shop: "x" } } } })).toThrow(
      /context\.environments\.dev\.shopify_shop is not a setting/
    )
  })

  it("takes region, alarm e-mail, mode, bot author, Shopify shop and worker scaling from context", () => {
    expect(overridden.stack.region).toBe("eu-west-1")
    overridden.template.hasResourceProperties("AWS::SNS::Subscription", { Protocol: "email", Endpoint: "oncall@example.com" })
    expect(worker(overridden)["Environment"]).toMatchObject({
      Variables: { MW_MODE: "route-only", RICHPANEL_BOT_AUTHOR_ID: "agent-7", SHOPIFY_SHOP: "sample-store" }
    })
    expect(worker(overridden)["ReservedConcurrentExecutions"]).toBe(20)
    overridden.template.hasResourceProperties("AWS::Lambda::EventSourceMapping", {
      BatchSize: 1,
      ScalingConfig: { MaximumConcurrency: 20 }
    })
    dev.template.resourceCountIs("AWS::SNS::Subscription", 0)
  })
})
