// The sandbox office's plan only ever proposes a step Snodo allows, and the office never takes the
// process down: a Snodo that fails every call gets one log line and the loop goes on until stopped.
import pino from 'pino'
import { expect, it } from 'vitest'
import type { SnodoClient } from '../client/index.ts'
import { practiceStatuses, practiceTransitions } from '../practices/practice.ts'
import { documentsFor, nextStep, startBackofficeSupplier, supplierMagicSubjects, supplierMessages, supplierTimings } from './backoffice-supplier.ts'

const walk = (subject: string) => {
  const steps: string[] = []
  for (let status = nextStep('registered', subject); status; status = nextStep(status, subject)) steps.push(status)
  return steps
}

it('plans the steps a subject asks for, each one Snodo allows from where the practice is', () => {
  expect(walk('Domanda')).toEqual(['taken_in_charge', 'accepted'])
  expect(walk(`Domanda ${supplierMagicSubjects.integration}`)).toEqual(['taken_in_charge', 'integration_requested', 'integration_submitted', 'accepted'])
  expect(walk(`Domanda ${supplierMagicSubjects.rejected}`)).toEqual(['taken_in_charge', 'rejected'])
  for (const status of practiceStatuses) {
    for (const subject of ['x', supplierMagicSubjects.integration, supplierMagicSubjects.rejected]) {
      const next = nextStep(status, subject)
      if (next) expect(practiceTransitions[status]).toContain(next)
    }
  }
  expect(nextStep('submitted', 'x')).toBeUndefined()
  expect(nextStep('accepted', 'x')).toBeUndefined()
})

it('attaches a document to the integration request, the integration and the refusal, none to the other steps', () => {
  const carried = (Object.keys(supplierMessages) as (keyof typeof supplierMessages)[]).filter((step) => documentsFor(step, 'prat_1'))
  expect(carried).toEqual(['integration_requested', 'integration_submitted', 'rejected'])
  const [document] = documentsFor('rejected', 'prat_1') ?? []
  expect(document).toMatchObject({ name: 'provvedimento-diniego.pdf', contentType: 'application/pdf' })
  expect(Buffer.from(document?.contentBase64 ?? '', 'base64').toString()).toMatch(/^%PDF-1\.4\n[\s\S]*Pratica prat_1\n%%EOF\n$/)
})

it('logs a failing Snodo once and carries on, ticking, until stopped', async () => {
  const lines: { level: number; msg: string }[] = []
  const logger = pino({ level: 'info' }, { write: (line: string) => void lines.push(JSON.parse(line)) })
  let calls = 0
  const client = {
    request: async () => {
      calls++
      throw new Error('fetch failed')
    },
  } as unknown as SnodoClient
  const supplier = startBackofficeSupplier({ client, tenantId: 'comune-demo', logger, timings: { ...supplierTimings, pollMs: 10 } })
  // Four ticks, however slow the host: a count of calls, not a time.
  await expect.poll(() => calls, { timeout: 10_000, interval: 5 }).toBeGreaterThan(3)
  await supplier.stop()
  const after = calls
  await new Promise((resolve) => setTimeout(resolve, 50))
  expect(after).toBeGreaterThan(3)
  expect(calls).toBe(after)
  expect(lines.map((l) => l.msg)).toEqual(['sandbox back-office supplier: fetch failed (carrying on)'])
})
