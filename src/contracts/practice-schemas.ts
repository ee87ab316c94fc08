// Runtime schemas of practices and the citizen timeline, checked at compile time against the types
// generated from the contract.
import { z } from 'zod'
import { timelineKinds } from '../citizens/timeline.ts'
import { practiceStatuses } from '../practices/practice.ts'
import type { components } from './generated/snodo.v1.ts'
import { DeliverySummary, HistoryEntry, IoFiscalCode } from './message-schemas.ts'

type Schemas = components['schemas']

export const Applicant = z.strictObject({
  fiscalCode: IoFiscalCode,
  givenName: z.string().trim().min(1).max(100),
  familyName: z.string().trim().min(1).max(100),
  email: z.email().optional(),
  pec: z.email().optional(),
}) satisfies z.ZodType<Schemas['Applicant']>

const Sha256 = z.string().regex(/^[0-9a-fA-F]{64}$/, 'a SHA-256 in hex')

export const DocumentInput = z.union([
  z.strictObject({
    name: z.string().min(1).max(200),
    contentType: z.string().min(3).max(100),
    contentBase64: z.base64({ error: 'base64 content' }).min(1),
    sha256: Sha256.optional(),
  }),
  z.strictObject({ sha256: Sha256, name: z.string().min(1).max(200).optional() }),
]) satisfies z.ZodType<Schemas['DocumentInput']>

export const CreatePractice = z.strictObject({
  serviceCode: z.string().min(1).max(64),
  applicant: Applicant,
  subject: z.string().trim().min(1).max(200),
  data: z.record(z.string(), z.unknown()),
  attachments: z.array(DocumentInput).min(1, 'at least the main document').max(20),
  paymentIds: z.array(z.string().max(64)).max(20).optional(),
  channel: z.enum(['online', 'counter']),
  submittedAt: z.iso.datetime({ offset: true }),
}) satisfies z.ZodType<Schemas['CreatePractice']>

export const ProtocolRegistration = z.strictObject({
  number: z.string(),
  year: z.number().int(),
  date: z.string(),
  registry: z.string().optional(),
  aoo: z.string().optional(),
  segnatura: z.string().optional(),
  documentId: z.string().optional(),
}) satisfies z.ZodType<Schemas['ProtocolRegistration']>

const PracticeDocument = z.strictObject({ name: z.string(), contentType: z.string(), sha256: z.string(), size: z.number().int() }) satisfies z.ZodType<
  Schemas['PracticeDocument']
>

export const PracticeRegistration = z.strictObject({
  step: z.number().int().min(0),
  status: z.enum(practiceStatuses),
  direction: z.enum(['incoming', 'outgoing']),
  documents: z.array(PracticeDocument),
  registration: ProtocolRegistration.optional(),
  delivery: DeliverySummary.optional(),
}) satisfies z.ZodType<Schemas['PracticeRegistration']>

export const Practice = z.strictObject({
  id: z.string(),
  tenantId: z.string(),
  status: z.enum(practiceStatuses),
  serviceCode: z.string(),
  applicant: Applicant,
  subject: z.string(),
  data: z.record(z.string(), z.unknown()),
  attachments: z.array(PracticeDocument),
  paymentIds: z.array(z.string()),
  channel: z.enum(['online', 'counter']),
  submittedAt: z.string(),
  registration: ProtocolRegistration.optional(),
  ackedAt: z.iso.datetime().optional(),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
  history: z.array(HistoryEntry),
  protocolDelivery: DeliverySummary.optional(),
  registrations: z.array(PracticeRegistration),
  supplierPush: z
    .strictObject({ delivery: DeliverySummary.optional(), forwardedAt: z.iso.datetime().optional(), supplierPracticeId: z.string().optional() })
    .optional(),
  cursor: z.string(),
}) satisfies z.ZodType<Schemas['Practice']>

export const PracticePage = z.strictObject({ items: z.array(Practice), nextCursor: z.string().optional() }) satisfies z.ZodType<Schemas['PracticePage']>

export const PracticeStatusReport = z.strictObject({
  status: z.enum(['taken_in_charge', 'integration_requested', 'integration_submitted', 'accepted', 'rejected', 'withdrawn']),
  message: z.string().max(2000).optional(),
  documents: z.array(DocumentInput).min(1, 'leave documents out when the step has none').max(20).optional(),
}) satisfies z.ZodType<Schemas['PracticeStatusReport']>

export const TimelinePage = z.strictObject({
  items: z.array(z.strictObject({ kind: z.enum(timelineKinds), id: z.string(), at: z.iso.datetime(), status: z.string(), title: z.string() })),
  nextCursor: z.string().optional(),
}) satisfies z.ZodType<Schemas['TimelinePage']>

export const DocumentMeta = z.strictObject({
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  name: z.string(),
  contentType: z.string(),
  size: z.number().int(),
  uploadedAt: z.iso.datetime(),
  uploadedBy: z.string(),
}) satisfies z.ZodType<Schemas['DocumentMeta']>
