// What the port suites of the SOAP adapters (protocollo, supplier push) share: a document whose
// sha256 is right, the check that a failure is the UpstreamError expected and names no applicant, and
// the proof that an answer carrying a DTD is refused unread — no external entity is ever resolved.
import { createHash, randomUUID } from 'node:crypto'
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { expect } from 'vitest'
import { UpstreamError } from '../../../errors.ts'
import type { PracticeDocument } from '../documents.ts'

/** What a simulator answers with: a DTD naming `systemId`, and an entity reading `entityFile`. */
export type DtdBait = { systemId: string; entityFile: string }

export function aDocument(name: string, text: string, contentType = 'application/pdf'): PracticeDocument & { size: number } {
  const content = Buffer.from(`%PDF-1.7\n${text}\n%%EOF\n`, 'utf8')
  return { name, contentType, content, size: content.length, sha256: createHash('sha256').update(content).digest('hex') }
}

/** The call fails with an UpstreamError of `kind` (retryable as the kind says), naming no fiscal code. */
export async function expectFailure(call: Promise<unknown>, kind: UpstreamError['kind'], fiscalCode: string): Promise<UpstreamError> {
  const error = await call.then(
    () => expect.fail(`expected ${kind}, the call succeeded`),
    (e: unknown) => e,
  )
  expect(error).toBeInstanceOf(UpstreamError)
  const upstream = error as UpstreamError
  expect(upstream).toMatchObject({ kind, platform: 'backoffice', retryable: ['timeout', 'unavailable', 'rate_limited'].includes(kind) })
  expect(upstream.message).not.toContain(fiscalCode)
  return upstream
}

/** The call, answered with a DTD, fails as a protocol error that holds nothing the entities would have read. */
export async function expectDtdRefused(call: (bait: DtdBait) => Promise<unknown>, fiscalCode: string): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'snodo-xxe-'))
  const entityFile = join(dir, 'canary.txt')
  const canary = `canary-${randomUUID()}`
  writeFileSync(entityFile, canary)
  const error = await expectFailure(call({ systemId: 'file:///etc/passwd', entityFile }), 'protocol', fiscalCode)
  expect(error.message).toMatch(/DTD/)
  const everything = JSON.stringify(error, Object.getOwnPropertyNames(error)) + String(error.cause) + JSON.stringify(error.cause ?? {})
  expect(everything).not.toContain(canary)
  expect(everything).not.toMatch(/root:x?:0:0/)
  expect(readFileSync(entityFile, 'utf8')).toBe(canary)
}
