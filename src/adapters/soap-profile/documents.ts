// The documents of a practice as profiles see them — each with its bytes as base64, or a URL where
// the vendor fetches it — and the checks made before anything is sent: every content matches its
// sha256, and a profile that takes no attachments is not given any.
import { createHash } from 'node:crypto'
import { UpstreamError } from '../../errors.ts'
import type { SoapProfile } from './profile.ts'

/** A document of the practice, already fetched; `sha256` (hex) is checked before anything is sent. */
export type PracticeDocument = { name: string; contentType: string; content: Buffer; sha256: string }
/** A document known by its metadata (before a practice is accepted, nothing else is). */
export type DescribedDocument = Omit<PracticeDocument, 'content'> & { size: number }
/** A document sent by its bytes or by reference (`url`, where the vendor fetches it from Snodo). */
export type OutgoingDocument = DescribedDocument & ({ content: Buffer } | { url: string })
type AnyDocument = PracticeDocument | DescribedDocument | OutgoingDocument

export type DocumentView = {
  name: string
  contentType: string
  sha256: string
  size: number
  content?: Buffer
  base64?: string
  url?: string
  number: number
  extension: string
}

// The usual extension of the media types practices carry; any other keeps its file name's.
const extensions: Record<string, string> = {
  'application/pdf': 'pdf',
  'application/pkcs7-mime': 'pdf.p7m',
  'application/xml': 'xml',
  'text/xml': 'xml',
  'image/svg+xml': 'svg',
  'image/jpeg': 'jpg',
  'image/png': 'png',
  'model/vnd.dwf': 'dwf',
  'text/plain': 'txt',
}

/** A document as templates see it; `number` is its place in the practice (1: the main document). */
export function documentView(doc: AnyDocument, number: number): DocumentView {
  const content = 'content' in doc ? doc.content : undefined
  const named = /\.([a-z0-9]+(\.p7m)?)$/i.exec(doc.name)?.[1]?.toLowerCase()
  const extension = named?.endsWith('.p7m') ? named : (extensions[doc.contentType.split(';')[0]?.trim().toLowerCase() ?? ''] ?? named ?? 'bin')
  return {
    name: doc.name,
    contentType: doc.contentType,
    sha256: doc.sha256.toLowerCase(),
    size: content?.length ?? ('size' in doc ? doc.size : 0),
    ...(content ? { content, base64: content.toString('base64') } : {}),
    ...('url' in doc ? { url: doc.url } : {}),
    number,
    extension,
  }
}

/** The practice's documents as views: the main one numbered 1, the attachments after it. */
export function documentViews<D extends AnyDocument>(main: D, attachments: D[]): { main: DocumentView; attachments: DocumentView[] } {
  return { main: documentView(main, 1), attachments: attachments.map((a, i) => documentView(a, i + 2)) }
}

/** The documents whose content does not match their sha256: nothing is sent for such a practice. */
export function corruptDocuments(documents: AnyDocument[]): string[] {
  return documents.filter((d) => 'content' in d && createHash('sha256').update(d.content).digest('hex') !== d.sha256.toLowerCase()).map((d) => d.name)
}

/** Refuses, before any call, documents that do not match their sha256 and attachments a profile does not take. */
export function checkDocuments(
  profile: Pick<SoapProfile, 'name' | 'attachments'>,
  main: PracticeDocument | OutgoingDocument,
  attachments: (PracticeDocument | OutgoingDocument)[],
): void {
  const corrupt = corruptDocuments([main, ...attachments])
  if (corrupt.length > 0) {
    throw new UpstreamError({
      kind: 'rejected',
      platform: 'backoffice',
      upstreamCode: 'document_corrupt',
      message: `${profile.name}: ${corrupt.length} document(s) do not match their sha256; nothing was sent`,
    })
  }
  if (profile.attachments === 'refused' && attachments.length > 0) {
    throw new UpstreamError({
      kind: 'rejected',
      platform: 'backoffice',
      upstreamCode: 'attachments_unsupported',
      message: `${profile.name} takes no attachments and the practice has ${attachments.length}; nothing was sent`,
    })
  }
}
