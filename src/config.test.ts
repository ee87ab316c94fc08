import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { ConfigError, loadConfigFile, readEnv, readSecret } from './config.ts'

const example = new URL('../examples/snodo.config.example.yaml', import.meta.url).pathname
const secretsDir = mkdtempSync(join(tmpdir(), 'snodo-config-'))
const ioSecret = join(secretsDir, 'io-anagrafe')
writeFileSync(ioSecret, 'io-key-anagrafe\n')

function exampleWith(replace: [string, string][]): string {
  let text = readFileSync(example, 'utf8')
  for (const [from, to] of replace) text = text.replace(from, to)
  const path = join(secretsDir, `config-${Math.random()}.yaml`)
  writeFileSync(path, text)
  return path
}

function problemsOf(path: string, env: Record<string, string> = {}) {
  try {
    loadConfigFile(path, env)
  } catch (error) {
    if (error instanceof ConfigError) return error.problems
    throw error
  }
  throw new Error('expected the configuration to be refused')
}

const goodEnv = { GPD_SUBSCRIPTION_KEY: 'gpd-key', IO_KEY_TRIBUTI: 'io-key' }

describe('snodo.config.yaml', () => {
  it('loads the documented example when its secrets resolve', () => {
    const config = loadConfigFile(exampleWith([['/run/secrets/io-anagrafe', ioSecret]]), goodEnv)
    expect(config.mode).toBe('live')
    expect(config.tenants[0]?.platforms.appio?.services.map((s) => s.name)).toEqual(['tributi', 'anagrafe'])
    expect(readSecret('file:' + ioSecret)).toBe('io-key-anagrafe')
  })

  it('lists every problem with its path in one run: shape, references and secrets together', () => {
    const path = exampleWith([
      ['"80012345678"\n', '"8001234"\n'],
      ['scopes: [tenants:read, diagnostics:use', 'scopes: [tenants:fly, diagnostics:use'],
      ['tenants: [comune-di-esempio]', 'tenants: [comune-fantasma]'],
    ])
    expect(problemsOf(path, { GPD_SUBSCRIPTION_KEY: 'gpd-key' })).toEqual([
      { path: 'tenants.0.fiscalCode', message: 'an 11-digit fiscal code' },
      { path: 'clients.0.scopes.0', message: expect.stringContaining('Invalid option') },
      { path: 'clients.0.tenants.0', message: 'unknown tenant "comune-fantasma"' },
      { path: 'tenants.0.platforms.appio.services.0.apiKey', message: expect.stringContaining('env:IO_KEY_TRIBUTI cannot be resolved') },
      { path: 'tenants.0.platforms.appio.services.1.apiKey', message: expect.stringContaining('file:/run/secrets/io-anagrafe') },
    ])
  })

  it('checks references in whatever parts of a malformed file it can read', () => {
    const path = join(secretsDir, 'partial.yaml')
    writeFileSync(path, 'tenants: [{ id: comune-a }, 42, { id: comune-a }]\nclients: [{ id: p, tenants: [comune-b, 7, "*"] }, "x"]\n')
    const problems = problemsOf(path)
    expect(problems.filter((p) => /duplicate|unknown/.test(p.message))).toEqual([
      { path: 'tenants.2.id', message: 'duplicate tenant id "comune-a"' },
      { path: 'clients.0.tenants.0', message: 'unknown tenant "comune-b"' },
    ])
  })

  it('says where a YAML syntax error is', () => {
    const path = join(secretsDir, 'broken.yaml')
    writeFileSync(path, 'publicUrl: [unclosed\n')
    expect(problemsOf(path)[0]?.message).toMatch(/line 2|line 1/)
  })
})

describe('the environment', () => {
  it('a variable set but empty means unset (never port 0, home "" or a config path "")', () => {
    const env = readEnv({ PORT: '', SNODO_HOME: '', SNODO_CONFIG: '', LOG_LEVEL: '' })
    expect(env).toMatchObject({ PORT: 8080, SNODO_HOME: '.snodo', LOG_LEVEL: 'info' })
    expect(env.SNODO_CONFIG).toBeUndefined()
  })

  it('a wrong value is refused with its name', () => {
    expect(() => readEnv({ PORT: 'eighty' })).toThrow(/PORT/)
  })
})
