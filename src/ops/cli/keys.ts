// snodo keys rotate|list|retire: Snodo's own response-signing keys.
import { resolve } from 'node:path'
import type { Command } from 'commander'
import { loadConfigFile, readEnv } from '../../config.ts'
import { listKeys, retireKey, rotateKey } from '../../trust/key-ring.ts'

/** The keys of the configuration in SNODO_CONFIG, else the sandbox's. */
function defaultKeysDir(): string {
  const env = readEnv()
  return env.SNODO_CONFIG ? loadConfigFile(env.SNODO_CONFIG).signing.keysDir : resolve(env.SNODO_HOME, 'sandbox', 'keys')
}

export function registerKeys(program: Command) {
  const keys = program.command('keys').description("Snodo's signing keys (published at /.well-known/jwks.json)")
  const dirOption = ['--dir <dir>', 'keys directory (default: signing.keysDir of SNODO_CONFIG, else the sandbox keys)'] as const

  keys
    .command('rotate')
    .description('add a new signing key; the previous ones stay published so earlier answers still verify')
    .option(...dirOption)
    .action(async (options: { dir?: string }) => {
      const dir = options.dir ?? defaultKeysDir()
      const kid = await rotateKey(dir)
      console.log(`new signing key ${kid} in ${dir}; running instances pick it up within 30 s, or at once on SIGHUP`)
    })

  keys
    .command('list')
    .description('list the keys, oldest first; the last one signs')
    .option(...dirOption)
    .action((options: { dir?: string }) => {
      const all = listKeys(options.dir ?? defaultKeysDir())
      for (const [i, key] of all.entries()) console.log(`${key.kid}  ${key.createdAt}${i === all.length - 1 ? '  (current)' : ''}`)
    })

  keys
    .command('retire')
    .description('stop publishing an old key (answers signed with it no longer verify)')
    .argument('<kid>', 'the kid shown by "snodo keys list"')
    .option(...dirOption)
    // A kid is a base64url thumbprint: about one in 64 starts with "-", which must read as the kid, not an option.
    .allowUnknownOption()
    .addHelpText('after', '\nA kid starting with "-" is taken as the kid; "snodo keys retire -- <kid>" also works.')
    .action((kid: string, options: { dir?: string }) => {
      retireKey(options.dir ?? defaultKeysDir(), kid)
      console.log(`retired ${kid}`)
    })
}
