import { readFileSync } from 'node:fs'
import { expect, it } from 'vitest'
import { generateContractTypes, generatedTypesPath } from './contract-types.ts'

it('the committed contract types match openapi/snodo.v1.yaml (run npm run gen:contracts)', async () => {
  expect(readFileSync(generatedTypesPath, 'utf8')).toBe(await generateContractTypes())
})
