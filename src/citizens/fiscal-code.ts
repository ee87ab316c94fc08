// A citizen's fiscal code as App IO accepts it: the domain checks it (who can get an IO message) and
// the contract's schemas use it, so it lives with the citizen, not in contracts/.
import { z } from 'zod'

/** appio/FACTS.md §3: the FiscalCode pattern of the spec, anchored. */
export const IoFiscalCode = z
  .string()
  .regex(/^[A-Z]{6}[0-9LMNPQRSTUV]{2}[ABCDEHLMPRST][0-9LMNPQRSTUV]{2}[A-Z][0-9LMNPQRSTUV]{3}[A-Z]$/, 'a fiscal code in upper case, as App IO accepts it')
