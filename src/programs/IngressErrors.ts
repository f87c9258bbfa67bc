import * as Schema from "effect/Schema"
/**
 * Every way ingress can refuse a webhook. Each is serialised as the HTTP error body
 * `{ "error": <code>, "message": …, "field"? }`, so callers (and Richpanel's logs) see what to fix.
 */
export class Unauthorized extends Schema.TaggedError<Unauthorized>()("Unauthorized", {
  message: Schema.String
}) {}

export class PayloadTooLarge extends Schema.TaggedError<PayloadTooLarge>()("PayloadTooLarge", {
  message: Schema.String,
  limitBytes: Schema.Number
}) {}

export class UnsupportedMediaType extends Schema.TaggedError<UnsupportedMediaType>()("UnsupportedMediaType", {
  message: Schema.String
}) {}

export class InvalidJson extends Schema.TaggedError<InvalidJson>()("InvalidJson", {
  message: Schema.String
}) {}

export class InvalidPayload extends Schema.TaggedError<InvalidPayload>()("InvalidPayload", {
  field: Schema.String,
  message: Schema.String
}) {}

/** The queue or the store is down: the only case the sender should retry. */
export class ServiceUnavailable extends Schema.TaggedError<ServiceUnavailable>()("ServiceUnavailable", {
  message: Schema.String
}) {}

export type IngressRejection =
  | Unauthorized
  | PayloadTooLarge
  | UnsupportedMediaType
  | InvalidJson
  | InvalidPayload
  | ServiceUnavailable
