#!/usr/bin/env node
// The operator CLI. Runs the TypeScript sources directly (tsx), as `npm start` does.
import { register } from "tsx/esm/api"

register()
await import("../src/cli/main.ts")
