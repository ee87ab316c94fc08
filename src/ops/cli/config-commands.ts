// snodo config check|schema: validate a configuration the way start-up does, or print its JSON Schema.
import type { Command } from 'commander'
import { configJsonSchema } from '../../config/json-schema.ts'
import { ConfigError, loadConfigFile, readEnv } from '../../config.ts'
import { configWsdlProblems } from './config-wsdl.ts'

export function registerConfig(program: Command) {
  const config = program.command('config').description('snodo.config.yaml')
  config
    .command('check')
    .description('validate a configuration and list every problem (path: reason)')
    .argument('[file]', 'configuration file (default: SNODO_CONFIG)')
    .option('--wsdl', 'also load the WSDL of every protocollo profile and SOAP supplier route and check its steps against it')
    .action(async (file: string | undefined, options: { wsdl?: boolean }) => {
      const path = file ?? readEnv().SNODO_CONFIG
      if (!path) throw new Error('name a configuration file or set SNODO_CONFIG')
      try {
        const loaded = loadConfigFile(path)
        if (options.wsdl) {
          const { checked, problems } = await configWsdlProblems(loaded)
          if (problems.length > 0) throw new ConfigError(path, problems)
          console.log(`${path}: the WSDL of ${checked} SOAP profile(s) has every step's service, port and operation`)
        }
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
