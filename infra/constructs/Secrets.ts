import { RemovalPolicy, SecretValue } from "aws-cdk-lib"
import * as secretsmanager from "aws-cdk-lib/aws-secretsmanager"
import { Construct } from "constructs"

/** Config names the code reads; the Lambda gets `<NAME>_SECRET_ARN` and the loader exposes the value as `<NAME>`. */
export type SecretName = "WEBHOOK_TOKEN" | "RICHPANEL_API_KEY" | "OPENAI_API_KEY" | "SHOPIFY_ACCESS_TOKEN"

const physicalNames: Record<SecretName, string> = {
  WEBHOOK_TOKEN: "rp-mw/webhook-token",
  RICHPANEL_API_KEY: "rp-mw/richpanel-api-key",
  OPENAI_API_KEY: "rp-mw/openai-api-key",
  SHOPIFY_ACCESS_TOKEN: "rp-mw/shopify-access-token"
}

/**
 * CloudFormation rejects an empty SecretString, and the code treats a blank value (trimmed) as "not configured",
 * so vendor keys start as one space: the worker runs in dry-run / rules-classifier mode until an operator puts
 * the real key (`aws secretsmanager put-secret-value`). Later deploys do not overwrite it: CloudFormation writes a
 * new version only when `SecretString` / `GenerateSecretString` itself changes in the template — so never edit
 * this placeholder or the webhook token's generator options on a deployed stack.
 */
const NOT_CONFIGURED = SecretValue.unsafePlainText(" ")

export interface SecretsProps {
  readonly retainData: boolean
}

/** The four secrets, plain-string values (contract: SecretString is the value itself, no JSON). */
export class Secrets extends Construct {
  readonly byName: Readonly<Record<SecretName, secretsmanager.Secret>>

  constructor(scope: Construct, id: string, props: SecretsProps) {
    super(scope, id)
    const removalPolicy = props.retainData ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY
    const vendorKey = (constructId: string, name: SecretName, description: string) =>
      new secretsmanager.Secret(this, constructId, {
        secretName: physicalNames[name],
        description,
        secretStringValue: NOT_CONFIGURED,
        removalPolicy
      })
    this.byName = {
      // Generated so ingress is closed from the first deploy; the operator copies it into the Richpanel rule.
      WEBHOOK_TOKEN: new secretsmanager.Secret(this, "WebhookToken", {
        secretName: physicalNames.WEBHOOK_TOKEN,
        description: "Shared token the Richpanel HTTP target sends (x-webhook-token header or ?token=)",
        generateSecretString: { passwordLength: 48, excludePunctuation: true },
        removalPolicy
      }),
      RICHPANEL_API_KEY: vendorKey("RichpanelApiKey", "RICHPANEL_API_KEY", "Richpanel API key (x-richpanel-key); blank = dry run"),
      OPENAI_API_KEY: vendorKey("OpenAiApiKey", "OPENAI_API_KEY", "OpenAI API key; blank = local rules classifier"),
      SHOPIFY_ACCESS_TOKEN: vendorKey("ShopifyAccessToken", "SHOPIFY_ACCESS_TOKEN", "Shopify Admin API access token; blank = no order lookup")
    }
  }

  /** `<NAME>_SECRET_ARN` entries for a function's environment. */
  arnEnvironment(names: ReadonlyArray<SecretName>): Record<string, string> {
    return Object.fromEntries(names.map((name) => [`${name}_SECRET_ARN`, this.byName[name].secretArn]))
  }
}
