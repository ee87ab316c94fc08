// Validates what our adapters send and what our simulators answer against the platforms' real
// specs in ../shared/contracts (never copied here). OpenAPI 3.0 and Swagger 2.0 schemas are
// brought to the JSON Schema dialect ajv speaks.
import { existsSync, readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { Ajv } from 'ajv'
import addFormats from 'ajv-formats'
import { parse } from 'yaml'

export const contractsDir = fileURLToPath(new URL('../../../shared/contracts/', import.meta.url))

/** Conformance suites run only where the shared contracts are present, and say so loudly otherwise. */
export function contractsAvailable(suite: string): boolean {
  if (existsSync(contractsDir)) return true
  console.warn(`\n!!! ${suite}: SKIPPED — ${contractsDir} is absent, so nothing was checked against the real spec !!!\n`)
  return false
}

type Spec = { components?: { schemas?: Record<string, unknown> }; definitions?: Record<string, unknown> }

export function loadSpec(relativePath: string) {
  const text = readFileSync(`${contractsDir}${relativePath}`, 'utf8')
  const spec = (relativePath.endsWith('.json') ? JSON.parse(text) : parse(text)) as Spec
  const ajv = new Ajv({ allErrors: true, strict: false })
  addFormats.default(ajv)
  ajv.addFormat('jws', /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*$/)
  // @pagopa/ts-commons formats of IO's Swagger (appio/FACTS.md §3): unknown to ajv, so checked here, not skipped.
  ajv.addFormat('FiscalCode', /^[A-Z]{6}[0-9LMNPQRSTUV]{2}[ABCDEHLMPRST][0-9LMNPQRSTUV]{2}[A-Z][0-9LMNPQRSTUV]{3}[A-Z]$/)
  ajv.addFormat('OrganizationFiscalCode', /^[0-9]{11}$/)
  ajv.addFormat('UTCISODateFromString', /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/)
  ajv.addFormat('Ulid', /^[0-9A-HJKMNP-TV-Z]{26}$/)
  ajv.addFormat('EmailString', /^[^\s@]+@[^\s@]+$/)
  ajv.addSchema({ $id: 'spec', ...(toJsonSchema(spec) as object) })
  const root = spec.components ? '#/components/schemas/' : '#/definitions/'
  return {
    /** Errors of `value` against the named schema of the spec, or [] when it conforms. */
    errors(schemaName: string, value: unknown): string[] {
      const validate = ajv.getSchema(`spec${root}${schemaName}`)
      if (!validate) throw new Error(`${relativePath} has no schema ${schemaName}`)
      return validate(value) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message}`)
    },
  }
}

/** OpenAPI 3.0 / Swagger 2.0 quirks: boolean exclusive bounds, nullable, x- extensions. */
function toJsonSchema(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(toJsonSchema)
  if (!node || typeof node !== 'object') return node
  const out: Record<string, unknown> = {}
  for (const [key, value] of Object.entries(node)) {
    if (key.startsWith('x-') || key === 'example' || key === 'discriminator') continue
    out[key] = toJsonSchema(value)
  }
  for (const [flag, bound] of [
    ['exclusiveMaximum', 'maximum'],
    ['exclusiveMinimum', 'minimum'],
  ] as const) {
    if (typeof out[flag] === 'boolean') {
      if (out[flag]) out[flag] = out[bound]
      else delete out[flag]
      if (out[flag] !== undefined) delete out[bound]
    }
  }
  if (out.nullable === true && typeof out.type === 'string') out.type = [out.type, 'null']
  delete out.nullable
  return out
}
