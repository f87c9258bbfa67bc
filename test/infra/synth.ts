import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { App } from "aws-cdk-lib"
import { Template } from "aws-cdk-lib/assertions"
import { createStack } from "../../infra/createStack.js"
import type { RpMwStack } from "../../infra/RpMwStack.js"

export interface Synthesized {
  readonly stack: RpMwStack
  readonly template: Template
  readonly json: CfnTemplate
  /** The cloud assembly directory (outside the repository, so nothing there can resolve the repo's files). */
  readonly outdir: string
  readonly cleanup: () => void
}

export interface CfnResource {
  readonly Type: string
  readonly Properties?: Record<string, unknown>
  readonly DeletionPolicy?: string
  readonly Metadata?: Record<string, unknown>
}
export interface CfnTemplate {
  readonly Resources: Record<string, CfnResource>
  readonly Outputs?: Record<string, { readonly Value: unknown }>
}

/**
 * Synthesises the stack exactly as `npm run synth` does (createStack: environment from context, cdk-nag plugins,
 * acknowledgements), into a temporary directory. `Template.fromStack` runs the synth, so a nag finding throws here.
 *
 * `bundle: false` sets `aws:cdk:bundling-stacks` to none, the switch the CLI itself uses for stacks it is not
 * deploying: NodejsFunction then skips esbuild and the template differs only in the code asset's hash. The template
 * tests use that (about a second per synth instead of several); the bundled-handler test bundles for real.
 */
export interface SynthOptions {
  readonly env?: string
  readonly bundle?: boolean
  readonly context?: Record<string, unknown>
  /** Adds constructs after the stack is built (to prove that a bad one fails the nag checks). */
  readonly extend?: (stack: RpMwStack) => void
}

export const synth = (options: SynthOptions = {}): Synthesized => {
  const outdir = mkdtempSync(join(tmpdir(), "rp-mw-cdk-"))
  // The stack is env-agnostic unless CDK_DEFAULT_ACCOUNT is set; the tests check the credential-free shape.
  const account = process.env["CDK_DEFAULT_ACCOUNT"]
  delete process.env["CDK_DEFAULT_ACCOUNT"]
  try {
    const app = new App({
      outdir,
      context: {
        ...(options.env === undefined ? {} : { env: options.env }),
        ...(options.bundle === true ? {} : { "aws:cdk:bundling-stacks": [] }),
        "aws:cdk:enable-asset-metadata": true,
        ...options.context
      }
    })
    const stack = createStack(app)
    options.extend?.(stack)
    const template = Template.fromStack(stack)
    return {
      stack,
      template,
      json: template.toJSON() as CfnTemplate,
      outdir,
      cleanup: () => rmSync(outdir, { recursive: true, force: true })
    }
  } catch (error) {
    rmSync(outdir, { recursive: true, force: true })
    throw error
  } finally {
    if (account !== undefined) process.env["CDK_DEFAULT_ACCOUNT"] = account
  }
}

/** The one resource of `type` whose `Properties[key]` equals `value`, with its logical id. */
export const resourceWith = (json: CfnTemplate, type: string, key: string, value: unknown): [string, CfnResource] => {
  const found = Object.entries(json.Resources).filter(
    ([, resource]) => resource.Type === type && JSON.stringify(resource.Properties?.[key]) === JSON.stringify(value)
  )
  if (found.length !== 1) throw new Error(`expected one ${type} with ${key}=${JSON.stringify(value)}, found ${found.length}`)
  return found[0]!
}

export const resourcesOf = (json: CfnTemplate, type: string): Array<[string, CfnResource]> =>
  Object.entries(json.Resources).filter(([, resource]) => resource.Type === type)

export interface Statement {
  readonly Effect: string
  readonly Action: string | ReadonlyArray<string>
  readonly Resource: unknown
}

export const actionsOf = (statement: Statement): ReadonlyArray<string> =>
  typeof statement.Action === "string" ? [statement.Action] : statement.Action

export const resourcesOfStatement = (statement: Statement): ReadonlyArray<unknown> =>
  Array.isArray(statement.Resource) ? statement.Resource : [statement.Resource]

/** Every statement granted to a role: its inline policies and the AWS::IAM::Policy resources attached to it. */
export const statementsOfRole = (json: CfnTemplate, roleId: string): ReadonlyArray<Statement> => {
  const role = json.Resources[roleId]
  const inline = ((role?.Properties?.["Policies"] ?? []) as ReadonlyArray<{ PolicyDocument: { Statement: Array<Statement> } }>)
    .flatMap((policy) => policy.PolicyDocument.Statement)
  const attached = resourcesOf(json, "AWS::IAM::Policy")
    .filter(([, policy]) => JSON.stringify(policy.Properties?.["Roles"]).includes(`"${roleId}"`))
    .flatMap(([, policy]) => (policy.Properties?.["PolicyDocument"] as { Statement: Array<Statement> }).Statement)
  return [...inline, ...attached]
}

/** The logical id a `{ Ref }` or `{ Fn::GetAtt }` points at. */
export const targetOf = (value: unknown): string | undefined => {
  if (typeof value !== "object" || value === null) return undefined
  if ("Ref" in value && typeof value.Ref === "string") return value.Ref
  if ("Fn::GetAtt" in value && Array.isArray(value["Fn::GetAtt"])) return String(value["Fn::GetAtt"][0])
  return undefined
}
