// `snodo config check|schema` and the keys directory taken from SNODO_CONFIG: the built CLI, no server.
import { rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { stringify } from 'yaml'
import { configJsonSchema } from '../src/config/json-schema.ts'
import { runCli } from './support/cli.ts'
import { writeLiveConfig, writeWrongConfig } from './support/live-config.ts'
import { contractsAvailable, contractsDir } from './support/upstream-spec.ts'

let live: Awaited<ReturnType<typeof writeLiveConfig>>
let wrong: Awaited<ReturnType<typeof writeWrongConfig>>
beforeAll(async () => {
  live = await writeLiveConfig()
  wrong = await writeWrongConfig()
})
afterAll(() => {
  for (const dir of [live.dir, wrong.dir]) rmSync(dir, { recursive: true, force: true })
})

describe('snodo config check', () => {
  it('a valid file: exit 0 and a one-line summary', async () => {
    expect(await runCli(['config', 'check', live.path])).toEqual({ code: 0, stdout: `${live.path} is valid: 1 tenant(s), 1 client(s)\n`, stderr: '' })
  })

  it('a wrong file: exit 1 and every problem as `path: reason`, as start-up would refuse it', async () => {
    const { code, stdout, stderr } = await runCli(['config', 'check', wrong.path])
    expect(code).toBe(1)
    expect(stdout).toBe('')
    expect(stderr).toBe([`${wrong.path} is not valid (5 problem(s)):`, ...wrong.problems, ''].join('\n'))
  })

  it('without a file argument it checks SNODO_CONFIG', async () => {
    const { code, stdout } = await runCli(['config', 'check'], { env: { SNODO_CONFIG: live.path } })
    expect(code).toBe(0)
    expect(stdout).toBe(`${live.path} is valid: 1 tenant(s), 1 client(s)\n`)
  })
})

describe('snodo config check --wsdl', () => {
  const halleyWsdl = `${contractsDir}backoffice/halley-docarea/HalleyProto-DOCAREAProto.wsdl`
  /** The live file with a tenant registering at a DOCAREA protocollo (the real Halley WSDL) and services pulled. */
  const withProtocollo = (name: string, docarea: Record<string, string>) => {
    const path = join(live.dir, name)
    const params = {
      codiceEnte: 'A001',
      codiceAmministrazione: 'c_a001',
      codiceAOO: 'AOO_A001',
      denominazione: 'Comune A',
      indirizzoTelematico: 'protocollo@pec.comune-a.it',
      unitaOrganizzativa: 'UO-SUAP',
    }
    const protocol = {
      profile: 'docarea',
      services: { docarea: { endpoint: 'https://protocollo.comune-a.test/suap.php', ...docarea } },
      credentials: { username: 'env:HALLEY_USER', password: 'env:HALLEY_USER' },
      params,
    }
    const tenant = {
      id: 'comune-a',
      name: 'Comune A',
      fiscalCode: '00000000001',
      platforms: {
        backoffice: {
          enabled: true,
          baseUrl: 'https://protocollo.comune-a.test',
          protocol,
          services: [{ serviceCode: 'SUAP-01', name: 'SUAP', routing: { mode: 'pull' } }],
        },
      },
    }
    writeFileSync(path, stringify({ ...live.config, tenants: [tenant] }))
    return path
  }
  const env = { HALLEY_USER: 'snodo' }

  it.runIf(contractsAvailable('config check --wsdl'))(
    'a profile that fits its WSDL: exit 0; a port or a WSDL that is not there: exit 1 naming the profile and the problem',
    async () => {
      const good = withProtocollo('docarea.yaml', { wsdl: halleyWsdl })
      expect(await runCli(['config', 'check', '--wsdl', good], { env })).toEqual({
        code: 0,
        stdout: `${good}: the WSDL of 1 SOAP profile(s) has every step's service, port and operation\n${good} is valid: 1 tenant(s), 1 client(s)\n`,
        stderr: '',
      })
      // Without --wsdl the file alone is checked: the same wrong port passes.
      const wrongPort = withProtocollo('wrong-port.yaml', { wsdl: halleyWsdl, port: 'DOCAREAProtoSoap12x' })
      expect((await runCli(['config', 'check', wrongPort], { env })).code).toBe(0)
      const refused = await runCli(['config', 'check', '--wsdl', wrongPort], { env })
      expect(refused.code).toBe(1)
      const noPort = (step: string) =>
        `tenants.0.platforms.backoffice.protocol: ${step}: the WSDL of docarea has no port DOCAREAProtoSoap12x (it has DOCAREAProtoSoap)`
      expect(refused.stderr).toBe(
        [`${wrongPort} is not valid (4 problem(s)):`, noPort('auth.step'), noPort('steps.0'), noPort('steps.1'), noPort('steps.2'), ''].join('\n'),
      )
      const missing = withProtocollo('missing.yaml', { wsdl: join(live.dir, 'nowhere.wsdl') })
      const unreadable = await runCli(['config', 'check', '--wsdl', missing], { env })
      expect(unreadable.code).toBe(1)
      expect(unreadable.stderr).toContain('tenants.0.platforms.backoffice.protocol: ')
      expect(unreadable.stderr).toContain('nowhere.wsdl')
    },
  )
})

describe('snodo config schema', () => {
  it('prints the JSON Schema generated from the zod schema, defaults optional', async () => {
    const { code, stdout } = await runCli(['config', 'schema'])
    expect(code).toBe(0)
    const schema = JSON.parse(stdout)
    expect(schema).toEqual(configJsonSchema())
    expect(schema.required).toEqual(['publicUrl', 'signing', 'tenants', 'clients'])
  })
})

describe('snodo keys with SNODO_CONFIG', () => {
  it('uses signing.keysDir of the configuration when no --dir is given', async () => {
    const { code, stdout } = await runCli(['keys', 'list'], { env: { SNODO_CONFIG: live.path } })
    expect(code).toBe(0)
    expect(stdout).toMatch(new RegExp(`^${live.signingKid}  \\S+  \\(current\\)\\n$`))
  })
})
