import { describe, expect, it } from "@effect/vitest"
import { Arbitrary, FastCheck, JSONSchema, Schema } from "effect"
import { ClassifierOutput } from "../../src/domain/Classification.js"
import {
  ClassifierJsonSchema,
  CLASSIFIER_SCHEMA_NAME,
  type JsonObject,
  STRICT_KEYWORDS,
  toStrict
} from "../../src/domain/ClassifierJsonSchema.js"
import { IntentIds, Language, RiskFlags, Sentiment, Urgency } from "../../src/domain/Taxonomy.js"

/** Every schema node with its depth (objects nest through `properties`, `items` and `anyOf`). */
const nodes = (node: JsonObject, depth = 1): Array<{ node: JsonObject; depth: number }> => {
  const children = [
    ...Object.values((node.properties ?? {}) as Record<string, JsonObject>),
    ...(node.items ? [node.items as JsonObject] : []),
    ...((node.anyOf ?? []) as Array<JsonObject>)
  ]
  const nextDepth = node.type === "object" ? depth + 1 : depth
  return [{ node, depth }, ...children.flatMap((child) => nodes(child, nextDepth))]
}

const property = (name: string) => (ClassifierJsonSchema.properties as Record<string, JsonObject>)[name]!

/** A validator for exactly the strict subset, to check the schema admits every value the decoder admits. */
const conforms = (schema: JsonObject, value: unknown): boolean => {
  if (schema.anyOf) return (schema.anyOf as Array<JsonObject>).some((branch) => conforms(branch, value))
  const types = ([] as Array<unknown>).concat(schema.type)
  const typeOf = value === null ? "null" : Array.isArray(value) ? "array" : typeof value
  if (!types.includes(typeOf)) return false
  if (schema.enum && !(schema.enum as Array<unknown>).includes(value)) return false
  if (typeof value === "number") {
    if (typeof schema.minimum === "number" && value < schema.minimum) return false
    if (typeof schema.maximum === "number" && value > schema.maximum) return false
  }
  if (Array.isArray(value)) {
    if (typeof schema.maxItems === "number" && value.length > schema.maxItems) return false
    return value.every((item) => conforms(schema.items as JsonObject, item))
  }
  if (typeOf === "object") {
    const record = value as Record<string, unknown>
    const properties = schema.properties as Record<string, JsonObject>
    return Object.keys(record).every((k) => k in properties) &&
      Object.entries(properties).every(([k, s]) => k in record && conforms(s, record[k]))
  }
  return true
}

describe("ClassifierJsonSchema", () => {
  it("is an object at the root, never a union, and names itself legally", () => {
    expect(ClassifierJsonSchema.type).toBe("object")
    expect(ClassifierJsonSchema).not.toHaveProperty("anyOf")
    expect(CLASSIFIER_SCHEMA_NAME).toMatch(/^[a-zA-Z0-9_-]{1,64}$/)
  })

  it("uses only strict-mode keywords (no $schema, $defs, $ref, title, maxLength)", () => {
    for (const { node } of nodes(ClassifierJsonSchema)) {
      for (const key of Object.keys(node)) expect(STRICT_KEYWORDS.has(key), key).toBe(true)
    }
    expect(JSON.stringify(ClassifierJsonSchema)).not.toMatch(/"\$schema"|"\$defs"|"\$ref"|"title"|"maxLength"/)
  })

  it("closes every object and requires all of its properties, in schema order", () => {
    const objects = nodes(ClassifierJsonSchema).filter(({ node }) => node.type === "object")
    expect(objects).toHaveLength(2) // the root and a secondary intent
    for (const { node } of objects) {
      expect(node.additionalProperties).toBe(false)
      expect(node.required).toEqual(Object.keys(node.properties as object))
    }
    expect(ClassifierJsonSchema.required).toEqual(Object.keys(ClassifierOutput.fields))
  })

  it("stays within the nesting and size limits", () => {
    expect(Math.max(...nodes(ClassifierJsonSchema).map(({ depth }) => depth))).toBeLessThanOrEqual(5)
    const names = nodes(ClassifierJsonSchema).flatMap(({ node }) => [
      ...Object.keys((node.properties ?? {}) as object),
      ...((node.enum ?? []) as Array<string>)
    ])
    expect(names.join("").length).toBeLessThan(120_000)
    expect(names.length).toBeLessThan(1_000)
  })

  it("every enum is exactly the Effect Schema's literals", () => {
    expect(property("primary_intent").enum).toEqual([...IntentIds])
    const secondary = property("secondary_intents")
    expect(secondary.maxItems).toBe(2)
    expect((secondary.items as { properties: Record<string, JsonObject> }).properties.intent!.enum).toEqual([...IntentIds])
    expect((property("risk_flags").items as JsonObject).enum).toEqual([...RiskFlags])
    expect(property("language").enum).toEqual([...Language.literals])
    expect(property("sentiment").enum).toEqual([...Sentiment.literals])
    expect(property("urgency").enum).toEqual([...Urgency.literals])
  })

  it("says nullable as a type list and keeps numeric bounds; the length limit survives as words", () => {
    expect(property("order_number")).toEqual({ type: ["string", "null"] })
    expect(property("confidence")).toMatchObject({ type: "number", minimum: 0, maximum: 1 })
    expect(property("reason").description).toContain("at most 200 characters")
  })

  it("admits every value the decoder admits", () => {
    const decodable = Arbitrary.make(ClassifierOutput)
    FastCheck.assert(FastCheck.property(decodable, (value) => conforms(ClassifierJsonSchema, value)), { numRuns: 300 })
    expect(conforms(ClassifierJsonSchema, { ...FastCheck.sample(decodable, 1)[0], extra: 1 })).toBe(false)
  })

  describe("toStrict", () => {
    it("inlines $defs and turns const into enum", () => {
      const Item = Schema.Struct({ kind: Schema.Literal("a"), n: Schema.Int }).annotations({ identifier: "Item" })
      const root = JSONSchema.make(Schema.Struct({ item: Item, items: Schema.Array(Item) }))
      expect(JSON.stringify(root)).toContain("$ref")
      const strict = toStrict(root)
      expect(JSON.stringify(strict)).not.toContain("$ref")
      const item = (strict.properties as Record<string, JsonObject>).item!
      expect(item).toMatchObject({ type: "object", additionalProperties: false, required: ["kind", "n"] })
      expect((item.properties as Record<string, JsonObject>).kind).toEqual({ type: "string", enum: ["a"] })
    })

    it("refuses what strict mode cannot express instead of sending a schema the decoder disagrees with", () => {
      expect(() => toStrict(JSONSchema.make(Schema.Struct({ a: Schema.optional(Schema.String) })))).toThrow(/optional property a/)
      expect(() => toStrict(JSONSchema.make(Schema.Struct({ a: Schema.Unknown })))).toThrow(/untyped/)
      expect(() => toStrict(JSONSchema.make(Schema.Union(Schema.Struct({ a: Schema.String }), Schema.Struct({ b: Schema.String }))))).toThrow(/root/)
    })
  })
})
