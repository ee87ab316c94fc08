// What every SOAP profile is made of, whatever it delivers (a protocol registration, a practice pushed
// to a supplier): the vendor's services and auth, secret references, the tenant's params, the steps to
// call in order, the XML documents built from the practice, how to search by correlation key, and how
// errors map to UpstreamError kinds — all data, zod-validated. Templates are described in
// template.ts; the reference checks (unknown params, secrets, steps, filters) are in profile-check.ts.
import { z } from 'zod'
import { SecretRef } from '../../config/secret-ref.ts'
import { upstreamErrorKinds } from '../../errors.ts'

export const Name = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'letters, digits and _, not starting with a digit')
const Kind = z.enum(upstreamErrorKinds)
/** A string with `{{ expr }}` placeholders. */
export const Template = z.string()
/** An expression, without braces: `LoginResult.strDST`, `return | xml`. */
export const Expression = z.string().min(1)

/** Arguments and XML bodies: templates at the leaves; `$if`, `$forEach` + `$each` shape the tree. */
export type Tree = string | number | boolean | null | Tree[] | { [key: string]: Tree }
export const Tree: z.ZodType<Tree> = z.lazy(() => z.union([z.string(), z.number(), z.boolean(), z.null(), z.array(Tree), z.record(z.string(), Tree)]))

/** A vendor that answers errors inside a successful answer (DOCAREA lngErrNumber/strErrString, FACTS §3.2). */
const InBandError = z.strictObject({
  code: Expression.describe('where the code is in the answer'),
  message: Expression.optional(),
  ok: z.array(z.string()).default(['0']).describe('codes that mean success'),
  kind: Kind.optional().describe('the kind of a code errors.codes does not name (default errors.codeKind)'),
})

export const Step = z.strictObject({
  name: Name,
  service: Name.describe('a key of services'),
  operation: z.string().min(1).describe("the WSDL operation's name"),
  forEach: Expression.optional().describe('call once per element (bound to `item`, its position to `index`); outputs become a list, each with its `item`'),
  when: Expression.optional().describe('skip the step unless the expression gives a value'),
  args: z.record(z.string(), Tree).default({}),
  outputs: z.record(Name, Expression).default({}).describe('named values read from the answer, then reachable as steps.<step>.<name>'),
  inBand: InBandError.optional(),
  faultKind: Kind.optional().describe('the kind of a SOAP fault of this step no errors.faults rule matches (a login: unauthorized)'),
  commit: z.boolean().default(false).describe('the call that registers: one per profile, the last step'),
  timeoutMs: z.number().int().min(10).optional(),
})
export type Step = z.infer<typeof Step>

export const Service = z.strictObject({
  wsdl: z.string({ error: 'the operator gives the vendor WSDL (a file path or URL)' }).min(1, 'the operator gives the vendor WSDL (a file path or URL)'),
  endpoint: z
    .url({ protocol: /^https?$/ })
    .optional()
    .describe("overrides the WSDL's soap:address, which is a placeholder (FACTS §0)"),
  service: z.string().optional().describe('WSDL service name; default the first'),
  port: z.string().optional().describe('WSDL port name; default the first — pick the SOAP 1.1 one (FACTS §3.3)'),
  soap12: z.boolean().default(false),
})

export const Auth = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('none') }).describe('nothing, or credentials in the body: {{secrets.<name>}} in args'),
  z.strictObject({ type: z.literal('login'), step: Step }).describe('a login operation; its output `token` is {{token}} for later args'),
  z.strictObject({ type: z.literal('basic'), username: Name, password: Name }).describe('HTTP Basic; names of credentials'),
  z
    .strictObject({
      type: z.literal('wsse'),
      username: Name,
      password: Name,
      passwordType: z.enum(['PasswordText', 'PasswordDigest']).default('PasswordText'),
      timestamp: z.boolean().default(true),
    })
    .describe('WS-Security UsernameToken; names of credentials'),
])

const XmlDocument = z.strictObject({
  root: z.string().min(1),
  body: Tree,
  schema: z.string().optional().describe('the XSD it must satisfy, for the record and for tests'),
  requires: z
    .record(Expression, z.string())
    .default({})
    .describe(
      'what the practice must hold for this document: expression → regular expression its value (each value of a list) must match; checked when a practice is submitted, and before it is sent',
    ),
})

const ErrorRules = z.strictObject({
  codes: z.record(z.string(), Kind).default({}).describe('in-band code → kind'),
  codeKind: Kind.default('rejected'),
  faults: z
    .array(z.strictObject({ match: z.string().min(1).describe('a regular expression over "faultcode faultstring detail-element…"'), kind: Kind }))
    .default([]),
  faultKind: Kind.default('rejected').describe('a SOAP fault is a definite answer: nothing was registered'),
})

/** The fields every profile has; each kind of profile adds its `result` and what its `search` finds. */
export const profileFields = {
  name: z.string().min(1),
  description: z.string().optional(),
  services: z.record(Name, Service).refine((s) => Object.keys(s).length > 0, 'at least one service'),
  auth: Auth,
  credentials: z.record(Name, SecretRef).default({}).describe('secret references, read when used'),
  params: z.record(Name, z.string()).default({}).describe("the tenant's codes: ente, AOO, titolario, UO…"),
  timeoutMs: z.number().int().min(10).default(30_000),
  maxAnswerBytes: z
    .number()
    .int()
    .min(1024)
    .default(4 * 1024 * 1024),
  attachments: z.enum(['supported', 'refused']).default('supported'),
  xml: z.record(Name, XmlDocument).default({}).describe('documents built from the practice, reachable as {{xml.<name>}}'),
  steps: z.array(Step).min(1),
  onUncertainCommit: z
    .enum(['dead', 'retry'])
    .default('dead')
    .describe('without search: a commit whose outcome is unknown goes dead for an operator (default) or is retried'),
  errors: ErrorRules.default({ codes: {}, codeKind: 'rejected', faults: [], faultKind: 'rejected' }),
}

/** What the generic machinery reads of any profile. */
export type SoapProfile = z.infer<z.ZodObject<typeof profileFields>> & { search?: { steps: Step[] } }
export type XmlDocument = z.infer<typeof XmlDocument>
