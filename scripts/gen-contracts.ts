import { writeFileSync } from 'node:fs'
import { generatedTypesPath, generateContractTypes } from './contract-types.ts'

writeFileSync(generatedTypesPath, await generateContractTypes())
console.log(`wrote ${generatedTypesPath}`)
