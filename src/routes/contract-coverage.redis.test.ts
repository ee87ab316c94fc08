// The contract describes every route the app serves, and the app serves every operation described.
import { readFileSync } from 'node:fs'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { parse } from 'yaml'
import { createTestApp, type TestApp } from '../../test/support/test-app.ts'
import { contractPath } from './operations/register-operations.ts'

let t: TestApp
beforeAll(async () => {
  t = await createTestApp()
})
afterAll(() => t.close())

it('the routes and the operations of openapi/snodo.v1.yaml are the same set', () => {
  const document = parse(readFileSync(contractPath, 'utf8')) as { paths: Record<string, Record<string, unknown>> }
  const described = Object.entries(document.paths).flatMap(([path, operations]) => Object.keys(operations).map((method) => `${method.toUpperCase()} ${path}`))
  const served = t.app.routes
    .filter((r) => r.method !== 'ALL') // middleware
    .map((r) => `${r.method} ${r.path.replace(/:(\w+)/g, '{$1}')}`)
  expect(new Set(served)).toEqual(new Set(described))
})
