import * as Config from "effect/Config"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as ParseResult from "effect/ParseResult"
import * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"
import OpenAI from "openai"
import type { ChatCompletion, ChatCompletionCreateParamsNonStreaming } from "openai/resources/chat/completions"
import { type Classification, type ClassifierInput, ClassifierOutput, type TokenUsage } from "../domain/Classification.js"
import { CLASSIFIER_SCHEMA_NAME, ClassifierJsonSchema } from "../domain/ClassifierJsonSchema.js"
import { PROMPT_VERSION, SYSTEM_PROMPT, userMessage } from "../domain/ClassifierPrompt.js"
import { Classifier, ClassifierInvalidOutput, ClassifierRefused, ClassifierTruncated } from "../services/Classifier.js"
import { classifierError } from "./OpenAiErrors.js"

/**
 * The OpenAI classifier on Chat Completions. Chosen over Responses because the two outcomes we must branch on
 * (`message.refusal`, `finish_reason`) are plain fields there, `store` defaults to off, and OpenAI-compatible
 * gateways behind `OPENAI_BASE_URL` implement it far more widely than `/v1/responses`.
 * `create` (not `parse`) so the SDK never throws on length/content-filter: every outcome is mapped here.
 */
export interface Options {
  readonly apiKey: Redacted.Redacted<string>
  /** Include `/v1`, e.g. `http://127.0.0.1:4010/v1`. Defaults to the SDK's (OpenAI). */
  readonly baseURL?: string | undefined
  readonly model?: string | undefined
  readonly timeoutMs?: number | undefined
}

export const DEFAULT_MODEL = "gpt-4o-mini"
export const DEFAULT_TIMEOUT_MS = 20_000

/** Reasoning models reject `temperature` and spend output tokens on thinking, so they get a larger budget. */
const isReasoningModel = (model: string) => /^(o\d|gpt-5)(?!-chat)/.test(model)

export const chatRequest = (model: string, input: ClassifierInput): ChatCompletionCreateParamsNonStreaming => ({
  model,
  store: false,
  messages: [
    { role: "system", content: SYSTEM_PROMPT },
    { role: "user", content: userMessage(input) }
  ],
  response_format: {
    type: "json_schema",
    json_schema: { name: CLASSIFIER_SCHEMA_NAME, strict: true, schema: ClassifierJsonSchema }
  },
  ...(isReasoningModel(model)
    ? { reasoning_effort: "low", max_completion_tokens: 4_000 }
    : { temperature: 0, max_completion_tokens: 600 })
})

/** Extra keys are an error too: a gateway that does not enforce strict mode must not slip them through. */
const decodeOutput = Schema.decodeUnknown(Schema.parseJson(ClassifierOutput), { onExcessProperty: "error" })

/** Paths only: a ParseError's message quotes the model's output, which may echo customer text. */
const invalidReason = (error: ParseResult.ParseError): string => {
  const issues = ParseResult.ArrayFormatter.formatErrorSync(error)
  if (issues.some((i) => i.path.length === 0 && i._tag === "Transformation")) return "output is not JSON"
  const paths = [...new Set(issues.map((i) => i.path.join(".") || "(root)"))]
  return `output does not match the schema at ${paths.join(", ")}`
}

const toUsage = (usage: NonNullable<ChatCompletion["usage"]>): TokenUsage => ({
  inputTokens: usage.prompt_tokens,
  outputTokens: usage.completion_tokens,
  cachedTokens: usage.prompt_tokens_details?.cached_tokens ?? 0
})

/** Refusal first (it comes with null content), then truncation, then the answer itself. */
const interpret = (completion: ChatCompletion, requestedModel: string) =>
  Effect.gen(function*() {
    const choice = completion.choices[0]
    if (choice === undefined) return yield* new ClassifierInvalidOutput({ reason: "no choices in the response" })
    if (choice.message.refusal) return yield* new ClassifierRefused({ refusal: choice.message.refusal })
    if (choice.finish_reason === "length" || choice.finish_reason === "content_filter") {
      return yield* new ClassifierTruncated({ reason: choice.finish_reason })
    }
    const content = choice.message.content
    if (content === null || content.trim() === "") {
      return yield* new ClassifierInvalidOutput({ reason: `empty content (finish_reason ${choice.finish_reason})` })
    }
    const output = yield* decodeOutput(content).pipe(
      Effect.mapError((error) => new ClassifierInvalidOutput({ reason: invalidReason(error) }))
    )
    const classification: Classification = {
      output,
      source: "openai",
      model: completion.model || requestedModel,
      promptVersion: PROMPT_VERSION,
      ...(completion.usage ? { usage: toUsage(completion.usage) } : {})
    }
    return classification
  })

/** The service on one client built from explicit options (tests point `baseURL` at a loopback fake). */
export const make = (options: Options) =>
  Effect.sync(() => {
    const model = options.model ?? DEFAULT_MODEL
    // The SDK holds no connections of its own (global fetch), so there is nothing to release with the scope.
    const client = new OpenAI({
      apiKey: Redacted.value(options.apiKey),
      baseURL: options.baseURL,
      maxRetries: 0, // the worker's Schedule owns retries; SDK retries would multiply them
      timeout: options.timeoutMs ?? DEFAULT_TIMEOUT_MS
    })
    const classify = Effect.fn("OpenAiClassifier.classify")(function*(input: ClassifierInput) {
      yield* Effect.annotateCurrentSpan({ model, promptVersion: PROMPT_VERSION, channel: input.channel, textLength: input.text.length })
      const completion = yield* Effect.tryPromise({
        // The Effect's signal aborts the HTTP request when the fiber is interrupted.
        try: (signal) => client.chat.completions.create(chatRequest(model, input), { signal }),
        catch: (error) => error
      }).pipe(Effect.catchAll(classifierError))
      const classification = yield* interpret(completion, model)
      yield* Effect.annotateCurrentSpan({
        primaryIntent: classification.output.primary_intent,
        confidence: classification.output.confidence,
        responseModel: classification.model,
        inputTokens: classification.usage?.inputTokens ?? -1,
        outputTokens: classification.usage?.outputTokens ?? -1
      })
      return classification
    })
    return Classifier.of({ classify })
  })

const nonEmpty = (name: string) =>
  Config.option(Config.string(name)).pipe(Config.map(Option.filter((s) => s.trim().length > 0)))

/** `OPENAI_API_KEY` (required), `OPENAI_BASE_URL` (optional), `OPENAI_MODEL` (default gpt-4o-mini). */
export const layer = Layer.effect(
  Classifier,
  Effect.gen(function*() {
    // Validated before wrapping so a failure names the variable; the value itself is never printed.
    const apiKey = yield* Config.string("OPENAI_API_KEY").pipe(
      Config.validate({ message: "must not be empty", validation: (key) => key.trim() !== "" }),
      Config.map(Redacted.make)
    )
    const baseURL = yield* nonEmpty("OPENAI_BASE_URL")
    const model = yield* nonEmpty("OPENAI_MODEL")
    return yield* make({
      apiKey,
      baseURL: Option.getOrUndefined(baseURL),
      model: Option.getOrElse(model, () => DEFAULT_MODEL),
      timeoutMs: DEFAULT_TIMEOUT_MS
    })
  })
)
