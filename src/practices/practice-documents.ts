// The documents of a stored practice, as the back-office adapters take them: inline ones are kept
// with the practice, uploaded ones in the document store. A supplier that fetches documents itself
// (routing `documents: reference`) gets an uploaded one as the URL of its content on Snodo, so its bytes
// are never read into memory to be sent.
import type { DescribedDocument, OutgoingDocument, PracticeDocument } from '../adapters/soap-profile/documents.ts'
import type { DocumentStore } from '../documents/document-store.ts'
import type { PracticeStore, StoredPractice } from './practice.ts'

type Stores = { practices: PracticeStore; documents: DocumentStore }

/** Every document with its bytes, the main one first. */
export async function documentsOf(deps: Stores, practice: StoredPractice): Promise<PracticeDocument[]> {
  return (await outgoingDocumentsOf(deps, practice, 'inline', '')) as (OutgoingDocument & PracticeDocument)[]
}

/** Every document, the main one first, with its bytes or, in `reference` mode, an uploaded one by the URL it is served at. */
export function outgoingDocumentsOf(deps: Stores, practice: StoredPractice, mode: 'inline' | 'reference', publicUrl: string): Promise<OutgoingDocument[]> {
  return Promise.all(
    practice.data.attachments.map(async (a): Promise<OutgoingDocument> => {
      const described: DescribedDocument = { name: a.name, contentType: a.contentType, sha256: a.sha256, size: a.size }
      const inline = await deps.practices.document(practice.id, a.sha256)
      if (inline) return { ...described, content: inline }
      if (mode === 'reference') return { ...described, url: `${publicUrl}/v1/tenants/${practice.data.tenantId}/documents/${a.sha256}/content` }
      return { ...described, content: await deps.documents.read(practice.data.tenantId, a.sha256) }
    }),
  )
}

