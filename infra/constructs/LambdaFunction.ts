import * as path from "node:path"
import { Duration, RemovalPolicy } from "aws-cdk-lib"
import * as iam from "aws-cdk-lib/aws-iam"
import * as lambda from "aws-cdk-lib/aws-lambda"
import * as nodejs from "aws-cdk-lib/aws-lambda-nodejs"
import * as logs from "aws-cdk-lib/aws-logs"
import { Construct } from "constructs"

/** The repository root: entries, the lockfile and `config/` are resolved from here. */
export const repoRoot = path.resolve(import.meta.dirname, "..", "..")

export interface LambdaFunctionProps {
  readonly functionName: string
  /** Entry file relative to the repository root; it exports `handler`. */
  readonly entry: string
  readonly description: string
  readonly memoryMb: number
  readonly timeoutSeconds: number
  readonly reservedConcurrency?: number
  readonly environment: Readonly<Record<string, string>>
  readonly logRetentionDays: number
  readonly retainData: boolean
}

// Some bundled CommonJS dependencies call `require` for Node built-ins, which an ES module lacks.
const requireBanner =
  "import { createRequire as __rpMwCreateRequire } from 'node:module'; const require = __rpMwCreateRequire(import.meta.url);"

/**
 * esbuild in-process (never Docker), ESM, minified, with source maps. `@aws-sdk/*` is bundled rather than taken
 * from the runtime: the Lambda then runs the SDK version the tests ran, not whatever the runtime ships this
 * month. The code reads `config/routing.json` beside the handler (cwd /var/task), so `config/` is copied in.
 */
export const bundling: nodejs.BundlingOptions = {
  format: nodejs.OutputFormat.ESM,
  target: "node22",
  mainFields: ["module", "main"],
  minify: true,
  sourceMap: true,
  sourcesContent: false,
  externalModules: [],
  banner: requireBanner,
  forceDockerBundling: false,
  commandHooks: {
    beforeBundling: () => [],
    beforeInstall: () => [],
    afterBundling: (inputDir, outputDir) => [`cp -r "${inputDir}/config" "${outputDir}/config"`]
  }
}

/**
 * One Lambda the way this project runs them: Node 22 on arm64, active tracing, its own log group with a
 * retention, and its own role that starts with nothing but writing to that log group (no managed policies).
 */
export class LambdaFunction extends Construct {
  readonly fn: nodejs.NodejsFunction
  readonly role: iam.Role
  readonly logGroup: logs.LogGroup

  constructor(scope: Construct, id: string, props: LambdaFunctionProps) {
    super(scope, id)
    this.logGroup = new logs.LogGroup(this, "Logs", {
      logGroupName: `/aws/lambda/${props.functionName}`,
      retention: props.logRetentionDays,
      removalPolicy: props.retainData ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY
    })
    this.role = new iam.Role(this, "Role", {
      assumedBy: new iam.ServicePrincipal("lambda.amazonaws.com"),
      description: `${props.functionName}: log writing plus the grants added next to each resource`
    })
    this.logGroup.grantWrite(this.role)
    this.fn = new nodejs.NodejsFunction(this, "Function", {
      functionName: props.functionName,
      description: props.description,
      entry: path.join(repoRoot, props.entry),
      handler: "handler",
      projectRoot: repoRoot,
      depsLockFilePath: path.join(repoRoot, "package-lock.json"),
      runtime: lambda.Runtime.NODEJS_22_X,
      architecture: lambda.Architecture.ARM_64,
      tracing: lambda.Tracing.ACTIVE,
      memorySize: props.memoryMb,
      timeout: Duration.seconds(props.timeoutSeconds),
      ...(props.reservedConcurrency === undefined ? {} : { reservedConcurrentExecutions: props.reservedConcurrency }),
      role: this.role,
      logGroup: this.logGroup,
      environment: { ...props.environment, NODE_OPTIONS: "--enable-source-maps" },
      bundling
    })
  }
}
