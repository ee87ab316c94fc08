// The documents of a practice — its attachments, and those a later step adds — checked the same way
// wherever they come from: inline (base64, each sha256 when given must match the bytes, no empty file)
// or uploaded first (POST …/documents) and named by sha256, which must be this tenant's. Inline bytes
// are kept with the practice; uploaded ones stay in the document store. Fetched back the same way for
// every back-office call (protocollo registration of the practice or a step, SOAP push): a supplier
// that fetches documents itself (routing `documents: reference`) gets an uploaded one as the URL of its
// content on Snodo, so its bytes are never read into memory to be sent.
import { createHash } from 'node:crypto'
import type { PracticeDocument } from '../adapters/protocollo/port.ts'
import type { OutgoingDocument } from '../adapters/supplier/port.ts'
import type { DocumentStore } from '../documents/document-store.ts'
import { SnodoError } from '../errors.ts'
import type { Attachment, PracticeStore } from './practice.ts'

/** Inline, or a document uploaded first (POST …/documents), named by its sha256. */
export type DocumentInput = { name: string; contentType: string; contentBase64: string; sha256?: string } | { sha256: string; name?: string }

export type ResolvedDocuments = {
  /** In the order given: the first is the main document, whether inline or uploaded. */
  attachments: Attachment[]
  /** The inline ones' bytes, for the practice store to keep. */
  inline: { sha256: string; content: Buffer }[]
}

/** Checks every document or none: a 400 naming `<field>.<i>` for the first one wrong; nothing is written. */
export async function resolveDocuments(documents: DocumentStore, tenantId: string, inputs: DocumentInput[], field: string): Promise<ResolvedDocuments> {
  const uploaded = await Promise.all(
    inputs.map(async (a, i) => {
      if ('contentBase64' in a) return undefined
      const meta = await documents.meta(tenantId, a.sha256)
      if (!meta)
        throw new SnodoError('validation_failed', `No uploaded document ${a.sha256}`, {
          errors: [{ path: `${field}.${i}.sha256`, message: 'upload it first with POST …/documents' }],
        })
      // Uploads refuse empty files; one stored before they did is refused here, like an empty inline one.
      if (meta.size === 0)
        throw new SnodoError('validation_failed', `Document ${a.sha256} is empty`, { errors: [{ path: `${field}.${i}.sha256`, message: 'an empty file' }] })
      return { name: a.name ?? meta.name, contentType: meta.contentType, sha256: meta.sha256, size: meta.size }
    }),
  )
  const inline = inputs.map((a, i) => {
    if (!('contentBase64' in a)) return undefined
    const content = Buffer.from(a.contentBase64, 'base64')
    const sha256 = createHash('sha256').update(content).digest('hex')
    if (content.length === 0)
      throw new SnodoError('validation_failed', `Document ${a.name} is empty`, { errors: [{ path: `${field}.${i}.contentBase64`, message: 'an empty file' }] })
    if (a.sha256 !== undefined && a.sha256.toLowerCase() !== sha256)
      throw new SnodoError('validation_failed', `Document ${a.name}: its sha256 does not match its content`, {
        errors: [{ path: `${field}.${i}.sha256`, message: `the content's sha256 is ${sha256}` }],
      })
    return { name: a.name, contentType: a.contentType, sha256, size: content.length, content }
  })
  const attachments = inputs.map((_, i) => {
    const own = inline[i]
    return uploaded[i] ?? { name: own?.name as string, contentType: own?.contentType as string, sha256: own?.sha256 as string, size: own?.size as number }
  })
  return { attachments, inline: inline.filter((d) => d !== undefined).map(({ sha256, content }) => ({ sha256, content })) }
}

type Stores = { practices: PracticeStore; documents: DocumentStore }
type Owner = { id: string; data: { tenantId: string } }

/**
 * The documents with their bytes, in the order given (the first is the main one): kept with the
 * practice when inline, else the tenant's upload. With `byReference`, an uploaded one is given as the
 * URL it is served at instead, and its bytes are not read.
 */
export function fetchDocuments(deps: Stores, practice: Owner, attachments: Attachment[]): Promise<PracticeDocument[]>
export function fetchDocuments(
  deps: Stores,
  practice: Owner,
  attachments: Attachment[],
  byReference: { publicUrl: string } | undefined,
): Promise<OutgoingDocument[]>
export function fetchDocuments(
  deps: Stores,
  practice: Owner,
  attachments: Attachment[],
  byReference?: { publicUrl: string },
): Promise<PracticeDocument[] | OutgoingDocument[]> {
  const {
    id,
    data: { tenantId },
  } = practice
  return Promise.all(
    attachments.map(async (a): Promise<OutgoingDocument> => {
      const described = { name: a.name, contentType: a.contentType, sha256: a.sha256, size: a.size }
      const inline = await deps.practices.document(id, a.sha256)
      if (inline) return { ...described, content: inline }
      if (byReference) return { ...described, url: `${byReference.publicUrl}/v1/tenants/${tenantId}/documents/${a.sha256}/content` }
      return { ...described, content: await deps.documents.read(tenantId, a.sha256) }
    }),
  )
}
