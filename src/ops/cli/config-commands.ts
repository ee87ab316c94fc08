// snodo config check|schema: validate a configuration the way start-up does, or print its JSON Schema.
import type { Command } from 'commander'
import { ConfigError, loadConfigFile, readEnv } from '../../config.ts'
import { configJsonSchema } from '../../config-json-schema.ts'

export function registerConfig(program: Command) {
  const config = program.command('config').description('snodo.config.yaml')
  config
    .command('check')
    .description('validate a configuration and list every problem (path: reason)')
    .argument('[file]', 'configuration file (default: SNODO_CONFIG)')
    .action((file: string | undefined) => {
      const path = file ?? readEnv().SNODO_CONFIG
      if (!path) throw new Error('name a configuration file or set SNODO_CONFIG')
      try {
        const loaded = loadConfigFile(path)
        console.log(`${path} is valid: ${loaded.tenants.length} tenant(s), ${loaded.clients.length} client(s)`)
      } catch (error) {
        if (!(error instanceof ConfigError)) throw error
        // One `path: reason` line per problem, easy to read and to grep.
        console.error(`${path} is not valid (${error.problems.length} problem(s)):`)
        for (const problem of error.problems) console.error(`${problem.path || '(root)'}: ${problem.message}`)
        process.exitCode = 1
      }
    })
  config
    .command('schema')
    .description('print the JSON Schema of snodo.config.yaml')
    .action(() => console.log(JSON.stringify(configJsonSchema(), null, 2)))
}
