#!/usr/bin/env node
// The snodo command line: call Snodo signed, manage its signing keys, check a configuration, and the
// ops commands (deliveries, platforms, audit) over the signed API.
import { Command } from 'commander'
import { registerAudit } from './audit.ts'
import { registerCall } from './call.ts'
import { registerConfig } from './config-commands.ts'
import { registerDeliveries } from './deliveries.ts'
import { registerKeys } from './keys.ts'
import { registerPlatforms } from './platforms.ts'
import { ApiError } from './signed-client.ts'

const program = new Command('snodo').description('Snodo command line').showHelpAfterError()
registerCall(program)
registerKeys(program)
registerConfig(program)
registerDeliveries(program)
registerPlatforms(program)
registerAudit(program)

program.parseAsync().catch((error: unknown) => {
  // Operator mistakes (a missing file, bad JSON) deserve a sentence, not a stack trace.
  console.error(`snodo: ${error instanceof Error ? error.message : String(error)}`)
  // An answer Snodo gave (refused, or unverified: 3) is not an operator mistake (2).
  process.exit(error instanceof ApiError ? error.exitCode : 2)
})
