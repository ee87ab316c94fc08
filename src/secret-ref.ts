// A secret is never written in the config: it is a reference resolved at start-up and on use. Its own
// module, so the config schema and the adapter settings it embeds can both use it without a cycle.
import { z } from 'zod'

export const SecretRef = z
  .string()
  .regex(/^(env:[A-Za-z_][A-Za-z0-9_]*|file:.+)$/, 'must be a secret reference "env:NAME" or "file:path"')
  .describe('Secret reference: env:NAME reads an environment variable, file:path reads a file')
