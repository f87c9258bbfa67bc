import { App } from "aws-cdk-lib"
import { createStack } from "./createStack.js"

// `npm run synth -- -c env=prod`, `npm run deploy -- -c env=staging -c alarmEmail=oncall@example.com`.
const app = new App()
createStack(app)
app.synth()
