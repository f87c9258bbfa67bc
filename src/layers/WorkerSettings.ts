import * as Config from "effect/Config"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import { loadRoutingConfig } from "../domain/RoutingConfig.js"
import { loadTemplates, renderTemplate } from "../domain/Templates.js"
import { AppConfig } from "../services/AppConfig.js"
import { WorkerSettings } from "../services/WorkerSettings.js"
import * as RulesClassifier from "./RulesClassifier.js"

/**
 * Loads and validates the routing config (`MW_ROUTING_CONFIG`) and the template catalogue (`MW_TEMPLATES`) once
 * per runtime; a bad file stops the start with the key to fix, instead of surfacing as odd decisions later.
 */
export const layer = Layer.effect(
  WorkerSettings,
  Effect.gen(function* () {
    const routing = yield* loadRoutingConfig()
    const templates = yield* loadTemplates()
    // Trimmed and empty-as-unset, as the Richpanel layer reads it: both must agree on who "we" are.
    const botAuthorId = yield* Config.option(Config.string("RICHPANEL_BOT_AUTHOR_ID")).pipe(
      Config.map(Option.flatMap((id) => Option.liftPredicate(id.trim(), (trimmed) => trimmed !== "")))
    )
    const maxReceiveCount = yield* Config.integer("MW_MAX_RECEIVE_COUNT").pipe(Config.withDefault(5))
    const config = yield* AppConfig
    if (Option.isSome(config.richpanelApiKey) && Option.isNone(botAuthorId)) {
      // Safe (the bot only says less), but surprising: every conversation gets one bot reply at most.
      yield* Effect.logWarning(
        "RICHPANEL_BOT_AUTHOR_ID is not set: the bot cannot tell its own replies from an agent's, so after its first " +
          "reply in a conversation it stays quiet there (no order-number follow-ups). Set it to the bot agent's user id."
      )
    }
    return WorkerSettings.of({
      routing,
      botAuthorId,
      rulesClassifier: RulesClassifier.make(routing.rules_classifier.patterns),
      maxReceiveCount,
      renderReply: (templateId, channel, variables) =>
        Either.mapBoth(renderTemplate(templates, templateId, variables, { channel }), {
          onLeft: (error) => error.reason,
          onRight: (reply) => reply.body
        })
    })
  })
)
