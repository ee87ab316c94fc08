// A (tenant, serviceCode) route to a supplier's SOAP service, as snodo.config.yaml writes it
// (backoffice.services[].routing with mode: soap): a built-in profile by name or one of the operator's
// own, the endpoint, the auth with secret references, and the settings every SOAP profile takes. Kept
// apart from the profiles so the config schema can embed it (and its JSON Schema) without importing them.
import { z } from 'zod'
import { SecretRef } from '../../config/secret-ref.ts'
import { settingsFields } from '../soap-profile/settings.ts'

export const supplierProfileNames = ['pratica', 'suap'] as const
export type SupplierProfileName = (typeof supplierProfileNames)[number]

const Credentials = { username: SecretRef, password: SecretRef }

export const SoapRouting = z
  .strictObject({
    mode: z.literal('soap'),
    profile: z
      .union([z.enum(supplierProfileNames), z.record(z.string(), z.unknown())])
      .describe(
        "a built-in profile (pratica: Snodo's PraticheFornitore WSDL; suap: the same with the SUAP riepilogo) or a whole profile of the operator's own",
      ),
    endpoint: z
      .url({ protocol: /^https?$/ })
      .optional()
      .describe("the supplier's service URL, for a profile with one service (else services.<name>.endpoint)"),
    wsdl: z
      .string()
      .min(1)
      .optional()
      .describe("the supplier's WSDL (file path or URL), for a profile with one service; the built-in profiles bring Snodo's own"),
    auth: z
      .discriminatedUnion('type', [
        z.strictObject({ type: z.literal('none') }),
        z.strictObject({ type: z.literal('basic'), ...Credentials }).describe('HTTP Basic'),
        z
          .strictObject({ type: z.literal('wsse'), ...Credentials, passwordType: z.enum(['PasswordText', 'PasswordDigest']).default('PasswordText') })
          .describe('WS-Security UsernameToken'),
      ])
      .optional()
      .describe("how Snodo authenticates to the supplier's service, credentials as secret references (over the profile's own auth)"),
    documents: z
      .enum(['inline', 'reference'])
      .default('inline')
      .describe(
        "inline: every document's bytes in the message; reference: documents uploaded first go as the URL of GET …/documents/{sha256}/content, which the supplier calls as a Snodo client with practices:read",
      ),
    ...settingsFields,
  })
  .describe("a SOAP push to the supplier's service, WSDL-driven")
export type SoapRouting = z.infer<typeof SoapRouting>
export type SoapRoutingInput = z.input<typeof SoapRouting>
