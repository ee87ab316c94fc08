import { readFileSync } from 'node:fs'
import { Ajv2020 } from 'ajv/dist/2020.js'
import addFormats from 'ajv-formats'
import { expect, it } from 'vitest'
import { parse } from 'yaml'
import { configJsonSchema } from '../src/config/json-schema.ts'
import { configSchemaPath } from './gen-config-schema.ts'

it('the published JSON Schema is the one generated from the zod schema (run npm run gen:config-schema)', () => {
  expect(JSON.parse(readFileSync(configSchemaPath, 'utf8'))).toEqual(configJsonSchema())
})

it('accepts the documented example and refuses what start-up refuses', () => {
  const ajv = new Ajv2020({ allErrors: true, strict: false })
  addFormats.default(ajv)
  const validate = ajv.compile(JSON.parse(readFileSync(configSchemaPath, 'utf8')))
  const example = parse(readFileSync(new URL('../examples/snodo.config.example.yaml', import.meta.url), 'utf8'))
  expect(validate(example), JSON.stringify(validate.errors)).toBe(true)
  expect(validate({ ...example, tenants: [{ ...example.tenants[0], fiscalCode: '123' }] })).toBe(false)
  expect(validate.errors?.[0]?.instancePath).toBe('/tenants/0/fiscalCode')
})
