import * as JSONSchema from "effect/JSONSchema"
import { ClassifierOutput } from "./Classification.js"

/**
 * The strict JSON Schema sent to OpenAI, generated from the `ClassifierOutput` Effect Schema so the two can
 * never drift: the model is held to exactly the shape the decoder accepts.
 *
 * `JSONSchema.make` emits draft-07 with `$schema`, `title`s and `maxLength`, which strict mode rejects or
 * ignores; `toStrict` rewrites it into the subset structured outputs accept (reference Part B1).
 */
export type JsonObject = { readonly [key: string]: unknown }

/** The only keywords strict mode supports; anything else is dropped (or rejected, see `toStrict`). */
export const STRICT_KEYWORDS: ReadonlySet<string> = new Set([
  "type", "properties", "required", "additionalProperties", "items", "enum", "anyOf", "description",
  "pattern", "format", "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf",
  "minItems", "maxItems"
])

const isObject = (value: unknown): value is JsonObject =>
  typeof value === "object" && value !== null && !Array.isArray(value)

const unsupported = (why: string): never => {
  throw new Error(`ClassifierJsonSchema: ${why} has no strict-mode form`)
}

/** `maxLength` is not enforced by strict mode: say it in words so the model still sees the limit. */
const describeLength = (node: JsonObject): string | undefined => {
  const limits = [
    typeof node.minLength === "number" ? `at least ${node.minLength}` : undefined,
    typeof node.maxLength === "number" ? `at most ${node.maxLength}` : undefined
  ].filter((s) => s !== undefined)
  const base = typeof node.description === "string" ? node.description : undefined
  if (limits.length === 0) return base
  const words = `${limits.join(" and ")} characters`
  return base === undefined || base.startsWith("a string ") ? `A string of ${words}.` : `${base} (${words})`
}

/** `anyOf` of bare scalar types (how `Schema.NullOr(Schema.String)` comes out) becomes `type: [..]`. */
const collapseScalarUnion = (branches: ReadonlyArray<JsonObject>): JsonObject | undefined =>
  branches.every((b) => Object.keys(b).length === 1 && typeof b.type === "string")
    ? { type: branches.map((b) => b.type) }
    : undefined

const strictNode = (node: unknown, defs: JsonObject, seen: ReadonlySet<string>): JsonObject => {
  if (!isObject(node)) return unsupported("a non-object schema node")
  if (typeof node.$ref === "string") {
    const name = node.$ref.replace(/^#\/\$defs\//, "")
    if (seen.has(name)) return unsupported(`the recursive definition ${name}`)
    return strictNode(defs[name] ?? unsupported(`the unresolved $ref ${node.$ref}`), defs, new Set([...seen, name]))
  }
  if (Array.isArray(node.anyOf)) {
    const branches = node.anyOf.map((b) => strictNode(b, defs, seen))
    return collapseScalarUnion(branches) ?? { anyOf: branches }
  }
  if (node.const !== undefined) return strictNode({ ...node, const: undefined, enum: [node.const] }, defs, seen)
  if (node.type === undefined && node.enum === undefined) return unsupported("an untyped node (Unknown/Any)")

  const out: Record<string, unknown> = {}
  for (const [key, value] of Object.entries(node)) {
    if (STRICT_KEYWORDS.has(key) && value !== undefined) out[key] = value
  }
  const description = describeLength(node)
  if (description !== undefined) out.description = description

  if (node.type === "object") {
    const properties = isObject(node.properties) ? node.properties : unsupported("an object without properties")
    const required = new Set(Array.isArray(node.required) ? node.required : [])
    for (const key of Object.keys(properties)) {
      // Strict mode requires every key; an optional key would come back as null, which the decoder rejects.
      if (!required.has(key)) unsupported(`the optional property ${key} (use Schema.NullOr)`)
    }
    out.properties = Object.fromEntries(
      Object.entries(properties).map(([key, value]) => [key, strictNode(value, defs, seen)])
    )
    out.required = Object.keys(properties)
    out.additionalProperties = false
  }
  if (node.type === "array") out.items = strictNode(node.items, defs, seen)
  return out
}

/** Rewrites a `JSONSchema.make` result into OpenAI strict form; throws on constructs strict mode cannot say. */
export const toStrict = (root: JSONSchema.JsonSchema7Root): JsonObject => {
  const defs = isObject(root.$defs) ? root.$defs : {}
  const strict = strictNode(root, defs, new Set())
  if (strict.type !== "object") unsupported("a root that is not an object")
  return strict
}

/** Name sent with the schema (`[a-zA-Z0-9_-]`, ≤ 64). */
export const CLASSIFIER_SCHEMA_NAME = "rp_mw_classification"

export const ClassifierJsonSchema: JsonObject = toStrict(JSONSchema.make(ClassifierOutput))
