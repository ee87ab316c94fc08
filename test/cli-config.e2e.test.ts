// `snodo config check|schema` and the keys directory taken from SNODO_CONFIG: the built CLI, no server.
import { rmSync } from 'node:fs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { configJsonSchema } from '../src/config-json-schema.ts'
import { runCli } from './support/cli.ts'
import { writeLiveConfig, writeWrongConfig } from './support/live-config.ts'

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
