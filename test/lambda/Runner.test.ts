import { describe, expect, it } from "@effect/vitest"
import { Context, Effect, Layer } from "effect"
import { recoveringRuntime } from "../../src/lambda/Runner.js"

class Secret extends Context.Tag("test/Secret")<Secret, string>() {}

describe("recoveringRuntime: a Lambda container heals from a failed start-up", () => {
  it("a start-up failure is rebuilt on the next run; a program failure is not", async () => {
    let builds = 0
    const layer = Layer.effect(
      Secret,
      Effect.suspend(() => ++builds === 1 ? Effect.fail(new Error("Secrets Manager timed out")) : Effect.succeed("s3cret"))
    )
    const runtime = recoveringRuntime(layer)
    const read = Effect.map(Secret, (secret) => secret.length)

    await expect(runtime.runPromise(read)).rejects.toThrow(/timed out/)
    expect(await runtime.runPromise(read)).toBe(6)
    expect(builds).toBe(2)

    // The program's own failure leaves the (healthy) runtime in place: no rebuild.
    await expect(runtime.runPromise(Effect.fail(new Error("bad input")))).rejects.toThrow(/bad input/)
    expect(await runtime.runPromise(read)).toBe(6)
    expect(builds).toBe(2)
  })
})
