import { writeFileSync } from 'node:fs'
import { generateContractTypes, generatedTypesPath } from './contract-types.ts'

writeFileSync(generatedTypesPath, await generateContractTypes())
console.log(`wrote ${generatedTypesPath}`)
