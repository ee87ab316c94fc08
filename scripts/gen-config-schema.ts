import { writeFileSync } from 'node:fs'
import { configJsonSchema } from '../src/config/json-schema.ts'

export const configSchemaPath = new URL('../schemas/snodo.config.schema.json', import.meta.url)

if (import.meta.main) {
  writeFileSync(configSchemaPath, `${JSON.stringify(configJsonSchema(), null, 2)}\n`)
  console.log(`wrote ${configSchemaPath.pathname}`)
}
