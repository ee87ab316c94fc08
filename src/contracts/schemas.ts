// Runtime schemas for what Snodo answers and accepts, checked at compile time against the types
// openapi-typescript generates from openapi/snodo.v1.yaml, so code and contract cannot drift apart.
import { z } from 'zod'
import type { components } from './generated/snodo.v1.ts'

type Schemas = components['schemas']

export const PlatformHealth = z.strictObject({
  platform: z.enum(['pagopa', 'appio', 'send', 'backoffice', 'cie']),
  enabled: z.boolean(),
  status: z.enum(['up', 'down', 'disabled']),
  checkedAt: z.iso.datetime(),
  detail: z.string().optional(),
}) satisfies z.ZodType<Schemas['PlatformHealth']>

export const Tenant = z.strictObject({
  id: z.string(),
  name: z.string(),
  fiscalCode: z.string().regex(/^\d{11}$/),
  platforms: z.array(PlatformHealth),
  acceptsPdndVouchers: z.boolean(),
  pagopa: z
    .strictObject({ idPA: z.string(), idBrokerPA: z.string(), idStation: z.string(), segregationCode: z.string(), mode: z.enum(['gpd', 'station']) })
    .optional(),
  access: z.strictObject({ clientId: z.string(), scopes: z.array(z.string()) }),
}) satisfies z.ZodType<Schemas['Tenant']>
export type Tenant = z.infer<typeof Tenant>

export const EchoRequest = z.record(z.string(), z.unknown()) satisfies z.ZodType<Schemas['EchoRequest']>

export const EchoResponse = z.strictObject({
  clientId: z.string(),
  tenantId: z.string(),
  via: z.enum(['client-jwt', 'pdnd-voucher']),
  purposeId: z.string().optional(),
  digest: z.string(),
  receivedAt: z.iso.datetime(),
  body: z.record(z.string(), z.unknown()),
}) satisfies z.ZodType<Schemas['EchoResponse']>

export const Health = z.strictObject({
  status: z.enum(['live', 'ready']),
  role: z.enum(['all', 'api', 'worker']).optional(),
  mode: z.enum(['live', 'sandbox']).optional(),
}) satisfies z.ZodType<Schemas['Health']>
