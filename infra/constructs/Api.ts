import { RemovalPolicy } from "aws-cdk-lib"
import { AccessLogFormat } from "aws-cdk-lib/aws-apigateway"
import * as apigw from "aws-cdk-lib/aws-apigatewayv2"
import { HttpLambdaIntegration } from "aws-cdk-lib/aws-apigatewayv2-integrations"
import type * as lambda from "aws-cdk-lib/aws-lambda"
import * as logs from "aws-cdk-lib/aws-logs"
import { Construct } from "constructs"

export interface ApiProps {
  readonly ingress: lambda.IFunction
  readonly rateLimit: number
  readonly burstLimit: number
  readonly logRetentionDays: number
  readonly retainData: boolean
}

export const WEBHOOK_PATH = "/webhooks/richpanel"

/**
 * Structured access log. Deliberately no `$context.path` or query string: Richpanel may send the webhook token
 * as `?token=`, and it must never reach a log.
 */
const accessLogFormat = AccessLogFormat.custom(
  JSON.stringify({
    requestId: "$context.requestId",
    requestTime: "$context.requestTime",
    sourceIp: "$context.identity.sourceIp",
    routeKey: "$context.routeKey",
    status: "$context.status",
    responseLength: "$context.responseLength",
    responseLatency: "$context.responseLatency",
    integrationLatency: "$context.integrationLatency",
    integrationError: "$context.integrationErrorMessage"
  })
)

/**
 * HTTP API with one route, `POST /webhooks/richpanel` → ingress (payload v2). The auto-created `$default` stage
 * cannot carry throttling, so the stage is declared here with stage-wide limits and access logs.
 */
export class Api extends Construct {
  readonly httpApi: apigw.HttpApi
  readonly stage: apigw.HttpStage
  readonly webhookUrl: string

  constructor(scope: Construct, id: string, props: ApiProps) {
    super(scope, id)
    this.httpApi = new apigw.HttpApi(this, "HttpApi", {
      apiName: "rp-mw",
      description: "Richpanel webhook ingress",
      createDefaultStage: false
    })
    this.httpApi.addRoutes({
      path: WEBHOOK_PATH,
      methods: [apigw.HttpMethod.POST],
      integration: new HttpLambdaIntegration("Ingress", props.ingress)
    })
    const accessLogs = new logs.LogGroup(this, "AccessLogs", {
      logGroupName: "/aws/apigateway/rp-mw-webhooks",
      retention: props.logRetentionDays,
      removalPolicy: props.retainData ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY
    })
    this.stage = new apigw.HttpStage(this, "DefaultStage", {
      httpApi: this.httpApi,
      stageName: "$default",
      autoDeploy: true,
      throttle: { rateLimit: props.rateLimit, burstLimit: props.burstLimit },
      accessLogSettings: { destination: new apigw.LogGroupLogDestination(accessLogs), format: accessLogFormat }
    })
    // The `$default` stage is served at the API root, so no stage segment in the URL.
    this.webhookUrl = `${this.httpApi.apiEndpoint}${WEBHOOK_PATH}`
  }
}
