// snodo.config.yaml as JSON Schema, generated from the zod schema so the two cannot disagree.
import { z } from 'zod'
import { SnodoConfigFile } from './schema.ts'

export function configJsonSchema(): Record<string, unknown> {
  return {
    ...z.toJSONSchema(SnodoConfigFile, { io: 'input', target: 'draft-2020-12' }),
    $id: 'urn:snodo:schema:snodo.config',
    title: 'Snodo configuration (snodo.config.yaml)',
  }
}
