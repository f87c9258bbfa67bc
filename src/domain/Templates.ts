import { readFile } from "node:fs/promises"
import * as Config from "effect/Config"
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"
// Imported, not read from disk, so the Lambda bundle carries the catalogue with it.
import bundledCatalogue from "../../config/templates.json" with { type: "json" }
import { Tier } from "./Taxonomy.js"

// ---- The file (product spec §8) ----

const VariableName = Schema.String.pipe(Schema.pattern(/^[a-z][a-z0-9_]*$/))
export const TemplateId = Schema.String.pipe(Schema.pattern(/^t_[a-z0-9_]+$/))

/** One line per element: a section opens and closes on its line, and a line that renders empty is dropped. */
const Lines = Schema.NonEmptyArray(Schema.String)

export const TemplateDefinition = Schema.Struct({
  tier: Tier,
  enabled: Schema.Boolean,
  /** The "Says (gist)" of the spec, for reviewers; never sent. */
  description: Schema.optional(Schema.String),
  variables: Schema.Struct({ required: Schema.Array(VariableName), optional: Schema.Array(VariableName) }),
  text: Schema.Struct({ email: Lines, livechat: Schema.optional(Lines) })
})
export type TemplateDefinition = typeof TemplateDefinition.Type

export const TemplateCatalogue = Schema.Struct({
  version: Schema.Literal(1),
  /** Brand constants every template may use; a caller's value of the same name wins. */
  constants: Schema.Struct({
    support_signature: Schema.optionalWith(Schema.NonEmptyString, { default: () => "Customer Support" })
  }),
  templates: Schema.Record({ key: TemplateId, value: TemplateDefinition })
})
export type TemplateCatalogue = typeof TemplateCatalogue.Type

export type TemplateChannel = "email" | "livechat"

export interface RenderedReply {
  readonly template_id: string
  readonly tier: Tier
  /** The text variant used: livechat falls back to email when a template has no livechat text. */
  readonly variant: TemplateChannel
  readonly body: string
}

/** Why a reply could not be rendered; the caller hands over instead of sending. Names, never values. */
export class TemplateError extends Schema.TaggedError<TemplateError>()("TemplateError", {
  template_id: Schema.String,
  reason: Schema.Literal("unknown_template", "disabled", "missing_variable", "unknown_variable", "malformed"),
  detail: Schema.String
}) {}

/** The catalogue file is unusable; start-up fails naming the place. */
export class TemplateConfigError extends Data.TaggedError("TemplateConfigError")<{
  readonly path: string
  readonly template_id?: string
  readonly key: string
  readonly detail: string
}> {
  override get message() {
    return `${this.path}: ${this.template_id ?? "(catalogue)"} ${this.key}: ${this.detail}`
  }
}

// ---- Parsing: `{{name}}`, `{{#name}}…{{/name}}`, `{{^name}}…{{/name}}` (greeting fallback), nothing else ----

type Node =
  | { readonly _tag: "Text"; readonly text: string }
  | { readonly _tag: "Var"; readonly name: string }
  | { readonly _tag: "Section"; readonly name: string; readonly inverted: boolean; readonly nodes: ReadonlyArray<Node> }

interface Problem {
  readonly reason: "unknown_variable" | "malformed"
  readonly key: string
  readonly detail: string
}

const tag = /\{\{([#^/]?)([a-z][a-z0-9_]*)\}\}/g

/** Anything brace-like the grammar does not know (`{{ x }}`, `{{{x}}}`, `{{> p}}`) must not pass as text. */
const stray = (text: string): boolean => text.includes("{{") || text.includes("}}") || /\{$|^\}/.test(text)

const parseLine = (line: string): Either.Either<ReadonlyArray<Node>, string> => {
  const stack: Array<{ name: string; inverted: boolean; nodes: Array<Node> }> = [
    { name: "", inverted: false, nodes: [] }
  ]
  const pushText = (text: string) => {
    if (text !== "") stack[stack.length - 1]!.nodes.push({ _tag: "Text", text })
  }
  let at = 0
  for (const match of line.matchAll(tag)) {
    const before = line.slice(at, match.index)
    if (stray(before)) return Either.left(`unsupported tag near "${match[0]}"`)
    pushText(before)
    const [, sigil, name = ""] = match
    if (sigil === "#" || sigil === "^") {
      stack.push({ name, inverted: sigil === "^", nodes: [] })
    } else if (sigil === "/") {
      const closed = stack.pop()
      if (closed === undefined || stack.length === 0 || closed.name !== name) {
        return Either.left(`{{/${name}}} does not close the open section`)
      }
      stack[stack.length - 1]!.nodes.push({ _tag: "Section", name, inverted: closed.inverted, nodes: closed.nodes })
    } else {
      stack[stack.length - 1]!.nodes.push({ _tag: "Var", name })
    }
    at = match.index + match[0].length
  }
  const rest = line.slice(at)
  if (stray(rest)) return Either.left(`unsupported tag near "${rest.slice(0, 30)}"`)
  if (stack.length > 1) return Either.left(`{{#${stack[stack.length - 1]!.name}}} is not closed on its line`)
  pushText(rest)
  return Either.right(stack[0]!.nodes)
}

/**
 * Every name must be declared, and an optional variable may only appear inside its own `{{#name}}` section,
 * so an absent value removes its whole phrase instead of leaving "Carrier: " behind.
 */
const checkNodes = (
  nodes: ReadonlyArray<Node>,
  def: TemplateDefinition,
  constants: ReadonlySet<string>,
  open: ReadonlySet<string>
): string | undefined => {
  for (const node of nodes) {
    if (node._tag === "Text") continue
    const declared = def.variables.required.includes(node.name) || def.variables.optional.includes(node.name) ||
      constants.has(node.name)
    if (!declared) return `unknown variable "${node.name}"`
    if (node._tag === "Var" && def.variables.optional.includes(node.name) && !open.has(node.name)) {
      return `optional variable "${node.name}" used outside {{#${node.name}}}`
    }
    if (node._tag === "Section") {
      const inner = checkNodes(node.nodes, def, constants, node.inverted ? open : new Set([...open, node.name]))
      if (inner !== undefined) return inner
    }
  }
  return undefined
}

type ParsedText = Record<TemplateChannel, ReadonlyArray<ReadonlyArray<Node>> | undefined>

const parseTemplate = (def: TemplateDefinition, constants: ReadonlySet<string>): Either.Either<ParsedText, Problem> => {
  const variants: ParsedText = { email: undefined, livechat: undefined }
  for (const variant of ["email", "livechat"] as const) {
    const lines = def.text[variant]
    if (lines === undefined) continue
    const parsed: Array<ReadonlyArray<Node>> = []
    for (const [i, line] of lines.entries()) {
      const key = `text.${variant}[${i}]`
      const nodes = parseLine(line)
      if (Either.isLeft(nodes)) return Either.left({ reason: "malformed", key, detail: nodes.left })
      const unknown = checkNodes(nodes.right, def, constants, new Set())
      if (unknown !== undefined) return Either.left({ reason: "unknown_variable", key, detail: unknown })
      parsed.push(nodes.right)
    }
    variants[variant] = parsed
  }
  const both = [...def.variables.required, ...def.variables.optional]
  if (new Set(both).size !== both.length) {
    return Either.left({ reason: "malformed", key: "variables", detail: "a variable is listed twice" })
  }
  return Either.right(variants)
}

// ---- Loading ----

const decodeFile = Schema.decodeUnknownEither(TemplateCatalogue)

/** `text.email[3]`, the same form the line checks use. */
const keyOf = (path: ReadonlyArray<PropertyKey>): string =>
  path.map((p, i) => (typeof p === "number" ? `[${p}]` : i === 0 ? String(p) : `.${String(p)}`)).join("")

/** Validates a catalogue (shape, then every line of every template), naming the first bad template and key. */
export const decodeTemplates = (input: unknown, path: string): Either.Either<TemplateCatalogue, TemplateConfigError> =>
  Either.flatMap(
    Either.mapLeft(decodeFile(input), (error) => {
      const [issue] = ParseResult.ArrayFormatter.formatErrorSync(error)
      const at = issue?.path ?? []
      const detail = issue?.message ?? String(error)
      return at[0] === "templates" && at[1] !== undefined
        ? new TemplateConfigError({ path, template_id: String(at[1]), key: keyOf(at.slice(2)) || "(template)", detail })
        : new TemplateConfigError({ path, key: keyOf(at) || "(root)", detail })
    }),
    (catalogue) => {
      const constants = new Set(Object.keys(catalogue.constants))
      for (const [id, def] of Object.entries(catalogue.templates)) {
        const problem = parseTemplate(def, constants)
        if (Either.isLeft(problem)) {
          return Either.left(new TemplateConfigError({ path, template_id: id, ...problem.left }))
        }
        if (!def.variables.optional.includes("first_name")) {
          return Either.left(new TemplateConfigError({
            path, template_id: id, key: "variables.optional", detail: "every template takes first_name (spec §8)"
          }))
        }
      }
      return Either.right(catalogue)
    }
  )

const bundledPath = "config/templates.json"

/** The repo's catalogue, validated at import: a broken file fails every test that loads it. */
export const defaultTemplates: TemplateCatalogue = Either.getOrThrowWith(
  decodeTemplates(bundledCatalogue, bundledPath),
  (error) => error
)

/** `path`, else `MW_TEMPLATES`, else the repo's `config/templates.json` (bundled at build time). */
export const loadTemplates = (path?: string): Effect.Effect<TemplateCatalogue, TemplateConfigError> =>
  Effect.gen(function*() {
    const fromEnv = yield* Config.option(Config.string("MW_TEMPLATES")).pipe(Effect.orElseSucceed(Option.none))
    const chosen = path ?? Option.getOrUndefined(fromEnv)
    if (chosen === undefined) return defaultTemplates
    const fail = (key: string) => (cause: unknown) =>
      new TemplateConfigError({ path: chosen, key, detail: String(cause) })
    const text = yield* Effect.tryPromise({ try: () => readFile(chosen, "utf8"), catch: fail("(file)") })
    const json = yield* Effect.try({ try: (): unknown => JSON.parse(text), catch: fail("(json)") })
    return yield* decodeTemplates(json, chosen)
  }).pipe(Effect.withSpan("Templates.load"))

// ---- Rendering ----

/** Ids, names, carriers, dates: short. A longer value is not what we think it is, so it is cut, not sent whole. */
export const MAX_VALUE_LENGTH = 200
const MAX_URL_LENGTH = 2_000

// C0/C1 controls, zero-width and bidi-override characters: none belong in a reply, some disguise text.
const invisible = /[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]/g

const isWebUrl = (value: string): boolean => {
  try {
    const url = new URL(value)
    return url.protocol === "https:" || url.protocol === "http:"
  } catch {
    return false
  }
}

/**
 * A value becomes plain text: no tags, no braces (so nothing downstream can read it as a template either), no
 * control characters, one line, capped. `*_url` values must be http(s) URLs or count as absent.
 */
const sanitise = (name: string, raw: string | number | null | undefined): string | undefined => {
  if (raw === undefined || raw === null) return undefined
  const cleaned = String(raw)
    .replace(/<[^>]*>/g, "")
    .replace(/[<>{}]/g, "")
    .replace(invisible, " ")
    .replace(/\s+/g, " ")
    .trim()
  if (cleaned === "") return undefined
  if (name.endsWith("_url")) return cleaned.length <= MAX_URL_LENGTH && isWebUrl(cleaned) ? cleaned : undefined
  const chars = Array.from(cleaned)
  return chars.length <= MAX_VALUE_LENGTH ? cleaned : `${chars.slice(0, MAX_VALUE_LENGTH - 1).join("").trimEnd()}…`
}

const renderNodes = (nodes: ReadonlyArray<Node>, values: ReadonlyMap<string, string>): string =>
  nodes.map((node) => {
    switch (node._tag) {
      case "Text":
        return node.text
      case "Var":
        return values.get(node.name) ?? ""
      case "Section":
        return values.has(node.name) !== node.inverted ? renderNodes(node.nodes, values) : ""
    }
  }).join("")

const renderLines = (lines: ReadonlyArray<ReadonlyArray<Node>>, values: ReadonlyMap<string, string>): string => {
  const out: Array<string> = []
  for (const nodes of lines) {
    const line = renderNodes(nodes, values).trimEnd()
    // A line of tags that rendered to nothing (an absent optional) disappears; an empty literal line is a
    // paragraph break, kept once.
    if (line.trim() === "" && nodes.some((n) => n._tag !== "Text")) continue
    if (line === "" && (out.length === 0 || out[out.length - 1] === "")) continue
    out.push(line)
  }
  while (out[out.length - 1] === "") out.pop()
  return out.join("\n")
}

/**
 * Fills an approved template. Values are inserted into the parsed template and never parsed themselves, so a
 * value cannot add tags. Any doubt (unknown or disabled template, missing required value) is an error, never a
 * half-filled message.
 */
export const renderTemplate = (
  catalogue: TemplateCatalogue,
  templateId: string,
  variables: Readonly<Record<string, string | number | null | undefined>>,
  options: { readonly channel: TemplateChannel }
): Either.Either<RenderedReply, TemplateError> => {
  const fail = (reason: TemplateError["reason"], detail: string) =>
    Either.left(new TemplateError({ template_id: templateId, reason, detail }))
  const def = Object.hasOwn(catalogue.templates, templateId) ? catalogue.templates[templateId] : undefined
  if (def === undefined) return fail("unknown_template", "not in the catalogue")
  if (!def.enabled) return fail("disabled", "template is switched off")
  const parsed = parseTemplate(def, new Set(Object.keys(catalogue.constants)))
  if (Either.isLeft(parsed)) return fail(parsed.left.reason, `${parsed.left.key}: ${parsed.left.detail}`)

  const values = new Map<string, string>(Object.entries(catalogue.constants))
  for (const name of [...def.variables.required, ...def.variables.optional, ...values.keys()]) {
    const value = Object.hasOwn(variables, name) ? sanitise(name, variables[name]) : undefined
    if (value !== undefined) values.set(name, value)
  }
  const missing = def.variables.required.filter((name) => !values.has(name))
  if (missing.length > 0) return fail("missing_variable", `missing ${missing.join(", ")}`)

  const variant: TemplateChannel =
    options.channel === "livechat" && parsed.right.livechat !== undefined ? "livechat" : "email"
  const lines = parsed.right[variant] ?? []
  return Either.right({ template_id: templateId, tier: def.tier, variant, body: renderLines(lines, values) })
}
