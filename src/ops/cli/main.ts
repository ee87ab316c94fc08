#!/usr/bin/env node
// The snodo command line: call Snodo signed, manage Snodo's signing keys, check a configuration.
import { Command } from 'commander'
import { registerCall } from './call.ts'
import { registerConfig } from './config-commands.ts'
import { registerKeys } from './keys.ts'

const program = new Command('snodo').description('Snodo command line').showHelpAfterError()
registerCall(program)
registerKeys(program)
registerConfig(program)

program.parseAsync().catch((error: unknown) => {
  // Operator mistakes (a missing file, bad JSON) deserve a sentence, not a stack trace.
  console.error(`snodo: ${error instanceof Error ? error.message : String(error)}`)
  process.exit(2)
})
