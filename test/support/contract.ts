// Validates an answer against openapi/snodo.v1.yaml: the status must be documented for the
// operation, the media type must be one it declares, and the body must match its schema.
import { readFileSync } from 'node:fs'
import { Ajv2020 } from 'ajv/dist/2020.js'
import addFormats from 'ajv-formats'
import { expect } from 'vitest'
import { parse } from 'yaml'
import type { Problem } from '../../src/errors.ts'

type MediaTypes = Record<string, { schema?: object }>
type Operation = { responses: Record<string, { $ref?: string; content?: MediaTypes }> }
type Document = { paths: Record<string, Record<string, Operation>>; components: { responses: Record<string, { content?: MediaTypes }> } }

const document = parse(readFileSync(new URL('../../openapi/snodo.v1.yaml', import.meta.url), 'utf8')) as Document
const ajv = new Ajv2020({ allErrors: true, strict: false })
addFormats.default(ajv)
ajv.addSchema({ ...document, $id: 'snodo.v1' })

/** Rewrites local refs so they resolve inside the registered document. */
const schemaFor = (schema: object) => JSON.parse(JSON.stringify(schema).replaceAll('"$ref":"#/', '"$ref":"snodo.v1#/'))

export async function expectConforms(res: Response, method: string, pathTemplate: string): Promise<void> {
  const operation = document.paths[pathTemplate]?.[method.toLowerCase()]
  expect(operation, `${method} ${pathTemplate} is not in the contract`).toBeDefined()
  let response = operation?.responses[String(res.status)]
  expect(response, `${res.status} is not documented for ${method} ${pathTemplate}`).toBeDefined()
  if (response?.$ref) response = document.components.responses[response.$ref.split('/').at(-1) as string]
  if (res.status === 204) {
    expect(response?.content, `204 of ${method} ${pathTemplate} declares a body`).toBeUndefined()
    expect(await res.clone().text()).toBe('')
    return
  }
  const mediaType = (res.headers.get('content-type') ?? '').split(';')[0]?.trim() ?? ''
  const declared = response?.content?.[mediaType]
  expect(declared, `${mediaType} is not declared for ${res.status} of ${method} ${pathTemplate}`).toBeDefined()
  if (!declared?.schema || !mediaType.endsWith('json')) return
  const validate = ajv.compile(schemaFor(declared.schema))
  const body = await res.clone().json()
  expect(validate(body), JSON.stringify(validate.errors)).toBe(true)
}

const validateProblem = ajv.compile(schemaFor({ $ref: '#/components/schemas/Problem' }))

/**
 * Asserts a failure exactly as the contract shapes every one: this status, application/problem+json,
 * a body valid against Problem with this code and a matching type. Returns the problem.
 */
export async function expectProblem(res: Response, status: number, code: string): Promise<Problem> {
  expect(res.headers.get('content-type')).toBe('application/problem+json')
  const problem = (await res.clone().json()) as Problem
  expect(validateProblem(problem), JSON.stringify(validateProblem.errors)).toBe(true)
  expect(problem).toMatchObject({ status, code, type: `urn:snodo:problem:${code}` })
  expect(res.status).toBe(status)
  return problem
}
