// The practice as supplier profiles see it — each document numbered (1: the main one), as base64 or a
// reference, and all of them in `documents` with `main` telling which is which — and the supplier's
// receipt read back from the scope.
import { type DocumentView, documentViews } from '../soap-profile/documents.ts'
import { present, render, type Scope } from '../soap-profile/template.ts'
import type { PracticeToCheck, PracticeToPush, SupplierReceipt } from './port.ts'
import type { SupplierProfile } from './profile.ts'

export type PushView = Omit<PracticeToPush, 'main' | 'attachments'> & {
  main: DocumentView
  attachments: DocumentView[]
  documents: (DocumentView & { main: boolean })[]
}

export function pushView(practice: PracticeToPush | PracticeToCheck): PushView {
  const views = documentViews(practice.main, practice.attachments)
  return { correlationKey: '', ...practice, ...views, documents: [{ ...views.main, main: true }, ...views.attachments.map((a) => ({ ...a, main: false }))] }
}

export function receiptOf(template: SupplierProfile['result'], scope: Scope, found: boolean): SupplierReceipt {
  const id = template.supplierPracticeId === undefined ? undefined : render(template.supplierPracticeId, scope)
  return { ...(present(id) && typeof id !== 'object' ? { supplierPracticeId: String(id).trim() } : {}), found }
}
